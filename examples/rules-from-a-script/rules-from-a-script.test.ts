import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FalcoAlert } from '@sysray/falco-rules';
import { type CraftEvent, craftCapture, InspectorError } from '@sysray/inspector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateCapture } from './summary.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const OFFICIAL = here('../../../shared/testdata/falco-rules/falco_rules.yaml');
const OWN = here('rules/example_rules.yaml');
const PAIRS = here('../../../shared/testdata/sysflow-pairs/');
const O_RDONLY = 1;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sysray-rules-example-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A successful execve exit: `tid` now runs `exe`, child of `ptid`. */
function exec(tid: number, ptid: number, exe: string, args: string[]): CraftEvent {
  const nul = (xs: string[]) => xs.map((x) => `${x}\0`).join('');
  const comm = exe.slice(exe.lastIndexOf('/') + 1);
  return {
    type: 'execve',
    tid,
    params: {
      res: 0,
      exe,
      args: new TextEncoder().encode(nul(args)),
      tid,
      pid: tid,
      ptid,
      cwd: '/srv',
      fdlimit: 1024,
      comm,
      cgroups: new Uint8Array(0),
      env: new TextEncoder().encode('PATH=/usr/bin\0'),
      tty: 0,
      vpgid: tid,
      loginuid: 1000,
      flags: 0,
      uid: 1000,
    },
  };
}

function openRead(tid: number, fd: number, name: string): CraftEvent {
  return { type: 'openat', tid, params: { fd, dirfd: -100, name, flags: O_RDONLY, mode: 0 } };
}

/**
 * A hijacked Node.js server (tid 100) whose child (101) becomes a shell that reads a private key, and a
 * python3 process (200) that reads /etc/shadow.
 */
const attack = craftCapture({
  hostname: 'web-1',
  threads: [
    { tid: 100, comm: 'node', exe: 'node', exepath: '/usr/bin/node', args: ['server.js'], uid: 1000 },
    {
      tid: 101,
      ptid: 100,
      comm: 'node',
      exe: 'node',
      exepath: '/usr/bin/node',
      args: ['server.js'],
      uid: 1000,
    },
    { tid: 200, comm: 'python3', exe: 'python3', exepath: '/usr/bin/python3', args: ['x.py'] },
  ],
  users: [{ uid: 1000, name: 'www' }],
  events: [
    exec(101, 100, '/bin/sh', ['-c', 'cat /tmp/k/id_rsa']),
    openRead(101, 3, '/tmp/k/id_rsa'),
    openRead(101, 4, '/tmp/k/notes.txt'),
    openRead(200, 5, '/etc/shadow'),
  ],
});

describe('rules-from-a-script', () => {
  it('counts the alerts of a real capture by rule, priority and ATT&CK tag', async () => {
    // client-server: ./server binds 0.0.0.0:8080 (event 373), accepts (649) what ./client connects (654).
    const seen: FalcoAlert[] = [];
    const summary = await evaluateCapture(`${PAIRS}client-server_tcp-client-server.scap`, [OFFICIAL, OWN], {
      onAlert: (a) => seen.push(a),
    });
    expect(seen.map((a) => [a.rule, a.output_fields['proc.name']])).toEqual([
      ['Service bound to all interfaces', 'server'],
      ['Loopback TCP connection', 'server'],
      ['Loopback TCP connection', 'client'],
    ]);
    expect(summary).toMatchObject({
      alerts: 3,
      byRule: { 'Loopback TCP connection': 2, 'Service bound to all interfaces': 1 },
      byPriority: { Notice: 1, Informational: 2 },
      byMitreTag: { mitre_command_and_control: 1 },
      firstAlert: '2019-03-25T19:48:00.704934579Z',
      lastAlert: '2019-03-25T19:48:02.832225890Z',
      notable: [],
    });
    expect(seen[2]!.output_fields['fd.name']).toBe('127.0.0.1:40556->127.0.0.1:8080');
  });

  it('sees the refused setuid(0) of the setuid capture, and only that one', async () => {
    // setuid_setuid: setuid(500) succeeds (event 916), then setuid(0) fails with EPERM (948).
    const summary = await evaluateCapture(`${PAIRS}setuid_setuid.scap`, [OFFICIAL, OWN], {
      notable: 'Notice',
    });
    expect(summary.byRule).toEqual({ 'Setuid to root attempted': 1 });
    expect(summary.notable.map((a) => a.output_fields)).toEqual([
      { 'proc.name': 'setuid', 'proc.pid': 4698, 'user.uid': 500, 'evt.res': 'EPERM' },
    ]);
    expect(summary.byMitreTag).toEqual({ mitre_privilege_escalation: 1, T1548: 1 });
  });

  it('adds its own rules to the official ones on a crafted attack', async () => {
    const all: string[] = [];
    const summary = await evaluateCapture(attack, [OFFICIAL, OWN], {
      onAlert: (a) => all.push(`${a.priority} ${a.rule} ${a.output_fields['proc.name']}`),
    });
    // The official "Run shell untrusted" watches web servers such as nginx or httpd, not node: the own
    // rule is what catches the hijacked Node.js server.
    expect(all).toEqual([
      'Critical Shell spawned by a network server sh',
      'Warning Read key-like file sh',
      'Warning Read sensitive file untrusted python3',
    ]);
    expect(summary.byPriority).toEqual({ Critical: 1, Warning: 2 });
    expect(summary.byMitreTag).toEqual({
      mitre_credential_access: 2,
      mitre_execution: 1,
      'T1059.004': 1,
      'T1552.004': 1,
      T1555: 1,
    });
    expect(summary.notable).toHaveLength(3);
    expect(summary.notable[0]!.output).toBe(
      '2024-01-01T00:00:00.000001000Z: Critical Shell spawned by network server (shell=sh ' +
        'cmdline=sh -c cat /tmp/k/id_rsa parent=node parent_pid=100 user=www)',
    );
    expect(summary.notable[0]!.hostname).toBe('web-1');
  });

  it('reports rules that do not load with the file, line and column', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      '- rule: broken\n  desc: x\n  condition: proc.nam = sh\n  output: x\n  priority: INFO\n',
    );
    const error = await evaluateCapture(attack, [bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InspectorError);
    expect((error as InspectorError).code).toBe('RULES_LOAD');
    expect((error as Error).message).toContain(`${bad}:3:`);
  });

  it('main.ts writes the JSON summary and exits 1 when an alert reaches --fail-on', async () => {
    const capture = join(dir, 'attack.scap');
    const out = join(dir, 'summary.json');
    await writeFile(capture, attack);
    const tsx = here('node_modules/.bin/tsx');
    expect(existsSync(tsx)).toBe(true);
    const run = promisify(execFile)(tsx, ['main.ts', capture, '--out', out, '--fail-on', 'critical'], {
      cwd: here('.'),
    });
    const failure = (await run.catch((e: unknown) => e)) as { code: number; stdout: string; stderr: string };
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('Critical Shell spawned by network server (shell=sh');
    expect(failure.stdout).toContain(`3 alerts from ${capture}`);
    const written = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({ capture, rules: [OFFICIAL, OWN], alerts: 3 });
  });
});
