import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRuleTestReport, InspectorError, type RuleTestSpec, runRuleTests } from '../src/index.js';
import { testdata } from './helpers.js';

const RULES = testdata('falco-rules/falco_rules.yaml');

const shadowTest = {
  threads: [{ tid: 100, comm: 'python3', exe: 'python3', exepath: '/usr/bin/python3' }],
  events: [
    { type: 'openat', tid: 100, params: { fd: 3, dirfd: -100, name: '/etc/hosts', flags: 1 } },
    { type: 'openat', tid: 100, params: { fd: 4, dirfd: -100, name: '/etc/shadow', flags: 1 } },
  ],
};

describe('runRuleTests', () => {
  it('passes when each rule fires where the spec says and forbidden rules stay quiet', async () => {
    const spec: RuleTestSpec = {
      rules: [RULES],
      tests: [
        {
          name: 'shadow read by python',
          ...shadowTest,
          expect: [{ rule: 'Read sensitive file untrusted', event: 2, count: 1 }],
          expectNot: ['Run shell untrusted'],
        },
        {
          name: 'a real capture raises nothing',
          capture: testdata('sysflow-pairs/files_files.scap'),
          expect_not: ['Clear Log Activities'],
        },
      ],
    };
    const report = await runRuleTests(spec);
    expect(report.passed).toBe(true);
    expect(report.results[0]!.alerts).toEqual([{ rule: 'Read sensitive file untrusted', event: 2 }]);
    expect(formatRuleTestReport(report)).toContain('PASS shadow read by python');
  });

  it('reports the rule, the event and the condition parts that failed', async () => {
    const report = await runRuleTests(
      {
        tests: [
          {
            name: 'wrong expectations',
            ...shadowTest,
            expect: [{ rule: 'Read sensitive file untrusted', event: 1 }, 'Clear Log Activities'],
            expectNot: ['Read sensitive file untrusted'],
          },
        ],
      },
      { rules: [RULES] },
    );
    expect(report.passed).toBe(false);
    const f = report.results[0]!.failures;
    const atEvent1 = f.find(
      (x) => x.rule === 'Read sensitive file untrusted' && x.event === 1 && x.failedConditions,
    )!;
    expect(atEvent1.message).toBe('did not fire on event 1');
    expect(atEvent1.failedConditions!.join(' ')).toContain('/etc/shadow');
    const clear = f.find((x) => x.rule === 'Clear Log Activities')!;
    expect(clear.failedConditions!.some((c) => c.includes('evt.is_open_write'))).toBe(true);
    expect(f.some((x) => x.message === 'fired but must not' && x.event === 2)).toBe(true);
    const text = formatRuleTestReport(report);
    expect(text).toContain('FAIL wrong expectations');
    expect(text).toContain('    false: ');
  });

  it('reads JSON spec files with paths relative to the spec', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inspector-spec-'));
    const path = join(dir, 'spec.json');
    writeFileSync(
      path,
      JSON.stringify({
        rules: [RULES],
        tests: [{ name: 't', ...shadowTest, expect: ['Read sensitive file untrusted'] }],
      }),
    );
    expect((await runRuleTests(path)).passed).toBe(true);
  });

  it('rejects malformed specs and events with InspectorError BAD_SPEC', async () => {
    await expect(
      runRuleTests({ tests: [{ name: 'x' }] } as RuleTestSpec, { rules: [RULES] }),
    ).rejects.toThrowError(InspectorError);
    await expect(
      runRuleTests(
        { tests: [{ name: 'x', events: [{ type: 'openat', tid: 1, params: { nosuch: 1 } }] }] },
        { rules: [RULES] },
      ),
    ).rejects.toMatchObject({ code: 'BAD_SPEC' });
    await expect(runRuleTests({ tests: [] } as unknown as RuleTestSpec)).rejects.toMatchObject({
      code: 'BAD_SPEC',
    });
  });
});
