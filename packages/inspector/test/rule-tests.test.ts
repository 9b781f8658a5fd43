import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

describe('rule-test specs in YAML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inspector-yaml-spec-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const header = [
    `rules: ${RULES}`,
    'threads:',
    '  - { tid: 100, comm: python3, exe: python3, exepath: /usr/bin/python3 }',
    'tests:',
  ];

  it('reads events with symbolic values, per-event expectations and spec-wide threads', async () => {
    const path = write(
      'ok.yaml',
      [
        ...header,
        '  - name: truncate then shadow',
        '    threads: [{ tid: 101, comm: cat }]',
        '    events:',
        '      - type: openat',
        '        tid: 100',
        '        params: { fd: 3, dirfd: AT_FDCWD, name: /var/log/syslog, flags: O_WRONLY|O_TRUNC, mode: 0o644 }',
        '        expect: [Clear Log Activities]',
        '        expect_not: Read sensitive file untrusted',
        '      - type: openat',
        '        tid: 100',
        '        params: { fd: -ENOENT, dirfd: AT_FDCWD, name: /etc/shadow, flags: [O_RDONLY] }',
        '      - type: openat',
        '        tid: 101',
        '        params: { fd: 4, dirfd: AT_FDCWD, name: /etc/shadow, flags: O_RDONLY }',
        '        expect: Read sensitive file untrusted',
        '    no_other_alerts: true',
        '',
      ].join('\n'),
    );
    const report = await runRuleTests(path);
    expect(report.file).toBe(path);
    expect(report.results[0]!.failures).toEqual([]);
    expect(report.results[0]!.alerts).toEqual([
      { rule: 'Clear Log Activities', event: 1 },
      { rule: 'Read sensitive file untrusted', event: 3 },
    ]);
  });

  it('fails a test on an unexpected alert with no_other_alerts, and on a rule firing on a forbidden event', async () => {
    const path = write(
      'bad.yaml',
      [
        ...header,
        '  - name: quiet',
        '    events:',
        '      - type: openat',
        '        tid: 100',
        '        params: { fd: 4, dirfd: AT_FDCWD, name: /etc/shadow, flags: O_RDONLY }',
        '        expect_not: Read sensitive file untrusted',
        '    no_other_alerts: true',
        '',
      ].join('\n'),
    );
    const [result] = (await runRuleTests(path)).results;
    expect(result!.passed).toBe(false);
    expect(result!.failures.map((f) => f.message)).toEqual([
      'fired but must not',
      'fired but no expectation names it (no_other_alerts)',
    ]);
    expect(result!.failures[0]!.eventText).toMatch(
      /^1 .* python3 \(100\) < openat fd=4 .*name=\/etc\/shadow/,
    );
  });

  it('fails a test that names a rule that is not loaded, in expect or expect_not (a typo must not pass)', async () => {
    const report = await runRuleTests(
      { tests: [{ name: 't', ...shadowTest, expect_not: ['Read sensitive file untrustd'] }] },
      { rules: [RULES] },
    );
    expect(report.results[0]!.failures).toEqual([
      {
        rule: 'Read sensitive file untrustd',
        message: "no rule named 'Read sensitive file untrustd' is loaded",
      },
    ]);
  });

  it('rejects unknown keys, bad values and unknown events with BAD_SPEC at file:line', async () => {
    const at = async (name: string, lines: string[]) => {
      try {
        await runRuleTests(write(name, [...header, ...lines, ''].join('\n')));
      } catch (error) {
        expect(error).toBeInstanceOf(InspectorError);
        return (error as Error).message.slice(dir.length + 1);
      }
      throw new Error('no error');
    };
    expect(await at('k.yaml', ['  - name: t', '    events: []', '    expect_nto: [x]'])).toBe(
      "k.yaml:7: test 1, expect_nto: unknown key 'expect_nto' (expected one of name, capture, events, threads, users, groups, expect, expect_not, expectNot, no_other_alerts)",
    );
    expect(await at('e.yaml', ['  - name: t', '    events:', '      - { type: opnat, tid: 1 }'])).toBe(
      'e.yaml:7: test 1, event 1: unknown event <opnat',
    );
    expect(
      await at('p.yaml', [
        '  - name: t',
        '    events:',
        '      - { type: openat, tid: 1, params: { fd: AT_FDCWDX } }',
      ]),
    ).toBe("p.yaml:7: test 1, event 1: 'AT_FDCWDX' is not a value for FD parameter 'fd'");
    expect(
      await at('t.yaml', [
        '  - name: t',
        '    events:',
        '      - { type: close, tid: 1, ts: 1704067210000003000 }',
      ]),
    ).toBe(
      "t.yaml:7: test 1, event 1, ts: 1704067210000003000 is beyond 2^53 and was rounded when read: write it as a string ('…')",
    );
    expect(await at('b.yaml', ['  - name: t', '    capture: x.scap', '    events: []'])).toBe(
      "b.yaml:5: test 1: test 't' needs either `capture` or `events`",
    );
    expect(await at('n.yaml', ['  - name: t', '    events: []', '    expect: [{ rule: x, event: 2 }]'])).toBe(
      'n.yaml:7: test 1, expect entry 1, event: the test has only 0 events',
    );
  });
});

describe('the README’s rule-test spec', () => {
  it('runs and passes (with the shared test data’s rules and capture)', async () => {
    const md = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(md)![1]!;
    const dir = mkdtempSync(join(tmpdir(), 'inspector-readme-spec-'));
    const path = join(dir, 'shadow.yaml');
    writeFileSync(
      path,
      yaml
        .replace('rules: falco_rules.yaml', `rules: ${RULES}`)
        .replace('capture: setuid_setuid.scap', `capture: ${testdata('sysflow-pairs/setuid_setuid.scap')}`),
    );
    const report = await runRuleTests(path);
    expect(report.results.map((r) => [r.name, r.passed, r.failures])).toEqual([
      ['python reads /etc/shadow, not /etc/hosts', true, []],
      ['a real capture', true, []],
    ]);
    expect(report.results[0]!.alerts).toEqual([{ rule: 'Read sensitive file untrusted', event: 2 }]);
  });
});
