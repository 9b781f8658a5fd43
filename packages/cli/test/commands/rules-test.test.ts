import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRuleTests } from '@sysray/inspector';
import { describe, expect, it } from 'vitest';
import { REPO, sysray, TESTDATA } from '../helpers.js';

const SPECS = `${REPO}packages/inspector/test/rule-specs/`;
const OFFICIAL = `${TESTDATA}falco-rules/falco_rules.yaml`;
const dir = mkdtempSync(join(tmpdir(), 'sysray-rules-test-'));

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

interface TestLine {
  spec: string;
  name: string;
  passed: boolean;
  alerts: { rule: string; event: number }[];
  failures: {
    rule: string;
    message: string;
    event?: number;
    eventText?: string;
    failedConditions?: string[];
  }[];
}

function ndjson(text: string): TestLine[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TestLine);
}

const SHADOW = [
  `rules: ${OFFICIAL}`,
  'threads:',
  '  - { tid: 100, comm: python3, exe: python3, exepath: /usr/bin/python3 }',
  'tests:',
  '  - name: shadow',
  '    events:',
  '      - type: openat',
  '        tid: 100',
  '        params: { fd: 3, dirfd: AT_FDCWD, name: /etc/hosts, flags: O_RDONLY }',
  '        expect: Read sensitive file untrusted',
  '      - type: openat',
  '        tid: 100',
  '        params: { fd: 4, dirfd: AT_FDCWD, name: /etc/shadow, flags: O_RDONLY }',
  '    no_other_alerts: true',
  '',
].join('\n');

describe('sysray rules test', () => {
  const specs = readdirSync(SPECS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => SPECS + f);

  it('passes the project’s own specs of the official rules (exit 0), as the library does', async () => {
    expect(specs.length).toBeGreaterThanOrEqual(6);
    const { code, stdout, stderr } = await sysray(['rules', 'test', ...specs, '--json']);
    expect(stderr).toBe('');
    const lines = ndjson(stdout);
    expect(lines.filter((l) => !l.passed)).toEqual([]);
    expect(code).toBe(0);
    // Same results through the library, spec by spec; and every official rule a spec expects really fired.
    for (const spec of specs) {
      const report = await runRuleTests(spec);
      expect(lines.filter((l) => l.spec === spec).map(({ spec: _, ...r }) => r)).toEqual(report.results);
    }
    const fired = new Set(lines.flatMap((l) => l.alerts.map((a) => a.rule)));
    for (const rule of [
      'Read sensitive file untrusted',
      'Clear Log Activities',
      'Run shell untrusted',
      'Terminal shell in container',
      'Disallowed SSH Connection Non Standard Port',
      'PTRACE anti-debug attempt',
      'Linux Kernel Module Injection Detected',
      'Debugfs Launched in Privileged Container',
    ])
      expect(fired.has(rule), rule).toBe(true);
  });

  it('prints PASS/FAIL per test and a summary per spec', async () => {
    const { code, stdout } = await sysray(['rules', 'test', `${SPECS}files.yaml`]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, -1).every((l) => l.startsWith('PASS '))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/files\.yaml: \d+ passed, 0 failed$/);
  });

  it('exits 1 and names the rule, the event and the false condition parts when a test fails', async () => {
    const spec = write('shadow.yaml', SHADOW);
    const { code, stdout } = await sysray(['rules', 'test', spec]);
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL shadow');
    expect(stdout).toContain("rule 'Read sensitive file untrusted' event #1: did not fire on event 1");
    expect(stdout).toMatch(
      / {4}event: 1 \S+ 0 python3 \(100\) < openat fd=3 dirfd=-100\(AT_FDCWD\) name=\/etc\/hosts/,
    );
    expect(stdout).toMatch(/ {4}false: .*fd\.name in \(\/etc\/shadow/);
    expect(stdout).toContain(
      "rule 'Read sensitive file untrusted' event #2: fired but no expectation names it",
    );
    const json = await sysray(['rules', 'test', spec, '--json']);
    expect(json.code).toBe(1);
    const [line] = ndjson(json.stdout);
    expect(line).toMatchObject({ spec, name: 'shadow', passed: false });
    expect(line!.alerts).toEqual([{ rule: 'Read sensitive file untrusted', event: 2 }]);
    const miss = line!.failures.find((f) => f.event === 1)!;
    expect(miss.failedConditions!.some((c) => c.includes('/etc/shadow'))).toBe(true);
    expect(miss.eventText).toContain('name=/etc/hosts');
  });

  it('--rules replaces the spec’s rules files', async () => {
    const rules = write(
      'hosts.yaml',
      [
        '- rule: Hosts read',
        '  desc: reading /etc/hosts',
        '  condition: evt.type = openat and fd.name = /etc/hosts',
        '  output: hosts read (%proc.name)',
        '  priority: NOTICE',
        '',
      ].join('\n'),
    );
    const spec = write(
      'hosts-spec.yaml',
      SHADOW.replace('expect: Read sensitive file untrusted', 'expect: Hosts read').replace(
        '    no_other_alerts: true\n',
        '',
      ),
    );
    const { code, stdout } = await sysray(['rules', 'test', spec, '-r', rules]);
    expect(stdout).toContain('PASS shadow');
    expect(code).toBe(0);
  });

  it('exits 2 with file:line for a malformed spec, a misspelt key or an unknown flag name', async () => {
    const typo = write('typo.yaml', SHADOW.replace('no_other_alerts', 'no_other_alert'));
    const r1 = await sysray(['rules', 'test', typo]);
    expect(r1.code).toBe(2);
    expect(r1.stdout).toBe('');
    expect(r1.stderr).toBe(
      `sysray: BAD_SPEC: ${typo}:14: test 1, no_other_alert: unknown key 'no_other_alert' (expected one of name, capture, events, threads, users, groups, expect, expect_not, expectNot, no_other_alerts)\n`,
    );
    const flag = write('flag.yaml', SHADOW.replace('flags: O_RDONLY }', 'flags: O_RDONY }'));
    const r2 = await sysray(['rules', 'test', flag]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(
      new RegExp(`^sysray: BAD_SPEC: ${flag}:7: test 1, event 1: unknown flag 'O_RDONY' for 'flags'`),
    );
    const yaml = write('bad.yaml', 'tests: [unclosed\n');
    const r3 = await sysray(['rules', 'test', yaml]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(new RegExp(`^sysray: BAD_SPEC: ${yaml}:\\d+: not valid YAML: `));
  });

  it('exits 2 for a missing spec, a missing capture, rules that do not load, and no SPEC at all', async () => {
    const missing = await sysray(['rules', 'test', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^sysray: BAD_SPEC: cannot read .*nope\.yaml: ENOENT/);
    const noCapture = write(
      'nocap.yaml',
      `rules: ${OFFICIAL}\ntests:\n  - name: gone\n    capture: gone.scap\n`,
    );
    const r = await sysray(['rules', 'test', noCapture]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("sysray: BAD_CAPTURE: test 'gone': ");
    expect(r.stderr).toContain(join(dir, 'gone.scap'));
    const broken = write(
      'broken-rules.yaml',
      '- rule: x\n  desc: x\n  condition: proc.nam = a\n  output: x\n  priority: INFO\n',
    );
    const b = await sysray(['rules', 'test', write('ok.yaml', SHADOW), '-r', broken]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(
      new RegExp(`^sysray: RULES_LOAD: ${broken}:3:\\d+: error: LOAD_ERR_COMPILE_CONDITION: `),
    );
    const none = await sysray(['rules', 'test']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing SPEC argument');
  });

  it('`rules test --help` states the exit statuses', async () => {
    const { code, stdout } = await sysray(['rules', 'test', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Exit status: 0 every test passed, 1 a test failed, 2 usage error');
  });
});
