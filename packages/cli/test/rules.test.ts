import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_TABLE } from '@sysray/pcapng/scap';
import { describe, expect, it } from 'vitest';
import { epochString, sysray, TESTDATA, tsharkEvents } from './helpers.js';

const OFFICIAL = `${TESTDATA}falco-rules/falco_rules.yaml`;
const SETUID = `${TESTDATA}sysflow-pairs/setuid_setuid.scap`;
const dir = mkdtempSync(join(tmpdir(), 'sysray-rules-'));

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Rule names of a rules file, read from its `- rule:` lines (the official file has one rule per such line). */
function ruleNames(path: string): string[] {
  return [...readFileSync(path, 'utf8').matchAll(/^- rule: (.+?)\s*$/gm)].map((m) => m[1]!);
}

/** 1-based line of the first line of `path` containing `text` (not in a comment). */
function lineOf(path: string, text: string): number {
  return (
    readFileSync(path, 'utf8')
      .split('\n')
      .findIndex((l) => !l.startsWith('#') && l.includes(text)) + 1
  );
}

const BROKEN = write(
  'broken.yaml',
  [
    '- macro: spawned',
    '  condition: evt.type = execve and evt.dir = <',
    '- rule: Typo in a field',
    '  desc: a rule with a field that does not exist',
    '  condition: spawned and proc.nam = bash',
    '  output: bash ran (%proc.name)',
    '  priority: WARNING',
    '',
  ].join('\n'),
);

describe('sysray rules validate', () => {
  it('loads the official ruleset without errors against the syscall and container fields (exit 0)', async () => {
    const { code, stdout, stderr } = await sysray(['rules', 'validate', OFFICIAL]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n').slice(0, -1);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^${OFFICIAL}: ok \\(0 errors, \\d+ warnings?\\)$`));
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^.+:\d+:\d+: warning: LOAD_[A-Z_]+: /);
  });

  it('reports an unknown field as file:line:col: error: CODE: message at the condition’s line (exit 1)', async () => {
    const { code, stdout } = await sysray(['rules', 'validate', BROKEN]);
    expect(code).toBe(1);
    const errors = stdout.split('\n').filter((l) => l.includes(': error: '));
    expect(errors).toHaveLength(1);
    const m = /^(.+):(\d+):(\d+): error: (LOAD_ERR_[A-Z_]+): (.*)$/.exec(errors[0]!);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(BROKEN);
    expect(Number(m![2])).toBe(lineOf(BROKEN, 'proc.nam = bash'));
    expect(m![4]).toBe('LOAD_ERR_COMPILE_CONDITION');
    expect(m![5]).toContain('proc.nam');
    expect(stdout).toMatch(/: failed \(1 error, \d+ warnings?\)\n$/);
  });

  it('--json prints one object per diagnostic with level, code, file, line, col, message and rule', async () => {
    const { code, stdout } = await sysray(['rules', 'validate', BROKEN, '--json']);
    expect(code).toBe(1);
    const diagnostics = stdout
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const error = diagnostics.find((d) => d.level === 'error')!;
    expect(error).toMatchObject({
      level: 'error',
      code: 'LOAD_ERR_COMPILE_CONDITION',
      file: BROKEN,
      line: lineOf(BROKEN, 'proc.nam = bash'),
      rule: 'Typo in a field',
    });
    expect(typeof error.col).toBe('number');
    expect(typeof error.message).toBe('string');
  });

  it('reports a missing rules file as LOAD_ERR_FILE_READ (exit 1)', async () => {
    const { code, stdout } = await sysray(['rules', 'validate', join(dir, 'missing.yaml')]);
    expect(code).toBe(1);
    expect(stdout).toContain(': error: LOAD_ERR_FILE_READ: ');
  });

  it('needs at least one file (usage error, exit 2)', async () => {
    const { code, stderr } = await sysray(['rules', 'validate']);
    expect(code).toBe(2);
    expect(stderr).toContain('missing FILE argument');
  });
});

describe('sysray rules list', () => {
  it('lists every rule of the official file, in file order, as its `- rule:` lines name them', async () => {
    const { code, stdout, stderr } = await sysray(['rules', 'list', OFFICIAL]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n').slice(0, -1);
    expect(lines[0]).toMatch(/^RULE +PRIORITY +SOURCE +ENABLED +TAGS$/);
    const names = ruleNames(OFFICIAL);
    expect(names).toHaveLength(25);
    expect(lines).toHaveLength(names.length + 1);
    lines.slice(1).forEach((line, i) => {
      expect(line.startsWith(`${names[i]} `)).toBe(true);
    });
  });

  it('--json gives each rule’s name, priority, source, tags, enabled, file and line of its definition', async () => {
    const { code, stdout } = await sysray(['rules', 'list', OFFICIAL, '--json']);
    expect(code).toBe(0);
    const rules = stdout
      .split('\n')
      .slice(0, -1)
      .map(
        (l) =>
          JSON.parse(l) as { name: string; file: string; line: number; priority: string; source: string },
      );
    expect(rules.map((r) => r.name)).toEqual(ruleNames(OFFICIAL));
    for (const r of rules) {
      expect(r.file).toBe(OFFICIAL);
      expect(r.line).toBe(lineOf(OFFICIAL, `- rule: ${r.name}`));
      expect(r.source).toBe('syscall');
    }
  });

  it('applies overrides of a later file: a rule disabled there is listed as not enabled', async () => {
    const local = write(
      'local.yaml',
      [
        '- rule: Read sensitive file untrusted',
        '  enabled: false',
        '  override:',
        '    enabled: replace',
        '',
      ].join('\n'),
    );
    const { code, stdout } = await sysray(['rules', 'list', OFFICIAL, local, '--json']);
    expect(code).toBe(0);
    const rule = stdout
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { name: string; enabled: boolean })
      .find((r) => r.name === 'Read sensitive file untrusted')!;
    expect(rule.enabled).toBe(false);
  });

  it('reports a file that is not YAML on stderr and exits 1', async () => {
    const bad = write('bad.yaml', '- rule: [unclosed\n');
    const { code, stdout, stderr } = await sysray(['rules', 'list', bad]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/: error: LOAD_ERR_YAML_PARSE: /);
  });
});

describe('sysray rules run', () => {
  const SETUID_RULES = write(
    'setuid.yaml',
    [
      '- rule: Setuid called',
      '  desc: a process called setuid',
      '  condition: evt.type = setuid',
      '  output: setuid by %proc.name (num=%evt.num uid=%evt.arg.uid)',
      '  priority: NOTICE',
      '  tags: [test]',
      '',
    ].join('\n'),
  );

  it('raises one alert per setuid exit event tshark finds, at its time, in Falco’s JSON format', async () => {
    const { code, stdout, stderr } = await sysray([
      'rules',
      'run',
      '--rules',
      SETUID_RULES,
      SETUID,
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const alerts = stdout
      .split('\n')
      .slice(0, -1)
      .map(
        (l) =>
          JSON.parse(l) as {
            time: string;
            rule: string;
            priority: string;
            output: string;
            output_fields: Record<string, unknown>;
            source: string;
            tags: string[];
            hostname: string;
          },
      );
    const frames = (await tsharkEvents(SETUID))
      .map((f, i) => ({ ...f, num: i + 1 }))
      .filter((f) => EVENT_TABLE[f.type]!.name === 'setuid' && f.type % 2 === 1);
    expect(frames.length).toBeGreaterThan(0);
    expect(alerts.map((a) => a.output_fields['evt.num'])).toEqual(frames.map((f) => f.num));
    alerts.forEach((a, i) => {
      expect(a).toMatchObject({
        rule: 'Setuid called',
        priority: 'Notice',
        source: 'syscall',
        tags: ['test'],
      });
      expect(a.output_fields['proc.name']).toBe('setuid');
      const ns = BigInt(
        a.time.replace(/^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{9})Z$/, (_, ...p) => {
          const ms = Date.UTC(+p[0], +p[1] - 1, +p[2], +p[3], +p[4], +p[5]);
          return `${BigInt(ms) * 1_000_000n + BigInt(p[6])}`;
        }),
      );
      expect(epochString(ns)).toBe(frames[i]!.time);
      expect(a.output).toContain(`setuid by setuid (num=${frames[i]!.num} `);
    });
  });

  it('prints Falco’s output line per alert without --json', async () => {
    const { code, stdout } = await sysray(['rules', 'run', '-r', SETUID_RULES, SETUID]);
    expect(code).toBe(0);
    const lines = stdout.split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^\S+: Notice setuid by setuid \(num=\d+ uid=/);
  });

  it('--min-priority leaves out less severe rules', async () => {
    const { code, stdout } = await sysray([
      'rules',
      'run',
      '-r',
      SETUID_RULES,
      SETUID,
      '--min-priority',
      'warning',
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe('');
  });

  it('reports rules that do not load with their file:line:col diagnostic (exit 1)', async () => {
    const { code, stdout, stderr } = await sysray(['rules', 'run', '-r', BROKEN, SETUID]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`sysray: RULES_LOAD: ${BROKEN}:${lineOf(BROKEN, 'proc.nam = bash')}:`);
  });

  it('needs --rules, and a known priority (usage errors, exit 2)', async () => {
    expect((await sysray(['rules', 'run', SETUID])).code).toBe(2);
    const { code, stderr } = await sysray([
      'rules',
      'run',
      '-r',
      SETUID_RULES,
      SETUID,
      '--min-priority',
      'loud',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown priority 'loud'");
  });

  it('`sysray rules --help` lists validate, list and run', async () => {
    const { code, stdout } = await sysray(['rules', '--help']);
    expect(code).toBe(0);
    for (const name of ['rules validate', 'rules list', 'rules run']) expect(stdout).toContain(name);
  });

  it('`rules validate --help` states its exit statuses and examples', async () => {
    const { stdout } = await sysray(['rules', 'validate', '--help']);
    expect(stdout).toContain('Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage error.');
    expect(stdout).toContain('Examples:');
  });
});
