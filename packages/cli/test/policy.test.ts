import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonAvroRecords, REPO, sysray, TESTDATA } from './helpers.js';

const SHELLSHOCK = `${TESTDATA}sysflow-traces/shellshock.sf`;
const FIXTURE = `${REPO}packages/sysflow-format/test/policy/fixtures/shellshock.yaml`;
const dir = mkdtempSync(join(tmpdir(), 'sysray-policy-'));
/** SysFlow's OP_EXEC bit (sf-apis: OP_CLONE 1 << 0, OP_EXEC 1 << 1, …). */
const OP_EXEC = 1 << 1;

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

interface Alert {
  recordIndex: number;
  type: string;
  ts: string;
  time: string;
  alert: boolean;
  priority: string;
  tags: string[];
  rules: { rule: string; priority: string; output?: string; file: string; line: number }[];
  record: { type: string; rec: Record<string, unknown> };
  context: { exe: string | null; pexe: string | null };
}

async function alerts(argv: string[]): Promise<Alert[]> {
  const { code, stdout, stderr } = await sysray(['policy', 'run', ...argv, '--json']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l) as Alert);
}

const EXEC_POLICY = write(
  'exec.yaml',
  [
    '- rule: Program executed',
    '  desc: any exec',
    '  condition: sf.opflags = EXEC',
    '  priority: medium',
    '  prefilter: [PE]',
    '',
  ].join('\n'),
);

describe('sysray policy run', () => {
  it('alerts on exactly the process events python3-avro reads with the EXEC flag, at their record index and time', async () => {
    const found = await alerts([EXEC_POLICY, SHELLSHOCK]);
    const python = pythonAvroRecords(SHELLSHOCK);
    const execs = python
      .map((r, i) => ({ ...r, i }))
      .filter((r) => r.type === 'ProcessEvent' && (Number(r.rec.opFlags) & OP_EXEC) !== 0);
    expect(execs.length).toBeGreaterThan(0);
    expect(found.map((a) => a.recordIndex)).toEqual(execs.map((r) => r.i));
    found.forEach((a, k) => {
      expect(a.type).toBe('PE');
      expect(a.ts).toBe(execs[k]!.rec.ts);
      expect(a.record.type).toBe('ProcessEvent');
      expect(a.priority).toBe('medium');
      expect(a.rules.map((r) => r.rule)).toEqual(['Program executed']);
      expect(a.rules[0]!.file).toBe(EXEC_POLICY);
    });
  });

  it('finds the shellshock: a shell spawned by the web server’s CGI program, at high priority', async () => {
    const found = await alerts([FIXTURE, SHELLSHOCK]);
    const shells = found.filter((a) => a.rules.some((r) => r.rule === 'Shell spawned by a web server'));
    expect(shells.length).toBeGreaterThan(0);
    for (const a of shells) {
      expect(a.priority).toBe('high');
      expect(a.context.exe).toBe('/bin/bash');
      expect(a.tags).toContain('shellshock');
    }
    // The disabled rule never matches; the record of each alert is the one python3-avro reads at its index.
    const python = pythonAvroRecords(SHELLSHOCK);
    for (const a of found) {
      expect(a.rules.map((r) => r.rule)).not.toContain('Never runs');
      expect(a.record.type).toBe(python[a.recordIndex]!.type);
      expect(a.record.rec.ts).toBe(python[a.recordIndex]!.rec.ts);
    }
  });

  it('prints one text line per alert: time, priority, type, rules and output', async () => {
    const { code, stdout } = await sysray(['policy', 'run', EXEC_POLICY, SHELLSHOCK]);
    expect(code).toBe(0);
    const lines = stdout.split('\n').slice(0, -1);
    expect(lines.length).toBe((await alerts([EXEC_POLICY, SHELLSHOCK])).length);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\S+Z medium PE \[Program executed\]/);
  });

  it('reports a policy that does not compile with its file:line:col diagnostic (exit 1)', async () => {
    const bad = write(
      'bad.yaml',
      ['- rule: Typo', '  desc: bad field', '  condition: sf.proc.nam = bash', '  priority: low', ''].join(
        '\n',
      ),
    );
    const { code, stdout, stderr } = await sysray(['policy', 'run', bad, SHELLSHOCK]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const line =
      readFileSync(bad, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('sf.proc.nam')) + 1;
    expect(stderr).toMatch(
      new RegExp(`^sysray: POLICY_LOAD: ${bad.replace(/[.]/g, '\\.')}:${line}:\\d+: error: `),
    );
  });

  it('needs the policy and the file (usage error, exit 2)', async () => {
    const { code, stderr } = await sysray(['policy', 'run', EXEC_POLICY]);
    expect(code).toBe(2);
    expect(stderr).toContain('missing FILE argument');
  });
});
