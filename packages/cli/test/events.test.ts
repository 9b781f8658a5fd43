import { basename } from 'node:path';
import { EVENT_TABLE } from '@sysray/pcapng/scap';
import { beforeAll, describe, expect, it } from 'vitest';
import { epochString, pool, scapFiles, sysray, TESTDATA, type TsharkEvent, tsharkEvents } from './helpers.js';

interface EventJson {
  num: number;
  ts: string;
  cpu: number;
  tid: number;
  type: string;
  dir: '>' | '<';
  params: Record<string, unknown>;
  problem?: string;
}

async function eventsJson(argv: string[]): Promise<EventJson[]> {
  const { code, stdout, stderr } = await sysray(['events', ...argv, '--json']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as EventJson);
}

const files = scapFiles();
const SETUID = `${TESTDATA}sysflow-pairs/setuid_setuid.scap`;
const CURL = `${TESTDATA}scap/curl_google.scap`;
let tsharkOf: Map<string, TsharkEvent[]>;
beforeAll(async () => {
  tsharkOf = await pool(files, 2, tsharkEvents);
});

describe('sysray events --json', () => {
  it('finds the 9 Falco captures of the test data (2 gzip-compressed)', () => {
    expect(files.map((f) => basename(f))).toHaveLength(9);
  });

  it.each(files.map((f) => [basename(f), f] as const))(
    '%s: one object per event, with the number, time, cpu, thread and type tshark dissects',
    async (_, file) => {
      const events = await eventsJson([file]);
      const theirs = tsharkOf.get(file)!;
      expect(events.length).toBeGreaterThan(1000);
      expect(events.length).toBe(theirs.length);
      events.forEach((ev, i) => {
        const t = theirs[i]!;
        expect(ev.num).toBe(i + 1);
        expect(epochString(ev.ts)).toBe(t.time);
        expect(ev.cpu).toBe(t.cpu);
        expect(ev.tid).toBe(t.tid);
        expect(ev.type).toBe(EVENT_TABLE[t.type]!.name);
        expect(ev.dir).toBe(t.type % 2 === 0 ? '>' : '<');
        expect(typeof ev.params).toBe('object');
      });
    },
  );

  it('decodes parameters by name: the setuid capture’s execve exit names the program it ran', async () => {
    const events = await eventsJson([SETUID]);
    const execs = events.filter((e) => e.type === 'execve' && e.dir === '<');
    expect(execs.map((e) => e.params.exe)).toContain('./setuid');
    const setuids = events.filter((e) => e.type === 'setuid' && e.dir === '>');
    expect(setuids.length).toBeGreaterThan(0);
    for (const e of setuids) expect(Object.keys(e.params)).toEqual(['uid']);
  });
});

describe('sysray events (text)', () => {
  it.each([SETUID, CURL].map((f) => [basename(f), f] as const))(
    '%s: one sysdig-like line per event: num, time, cpu, process (tid), dir, type',
    async (_, file) => {
      const { code, stdout, stderr } = await sysray(['events', file]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const lines = stdout.split('\n').slice(0, -1);
      const theirs = tsharkOf.get(file)!;
      expect(lines.length).toBe(theirs.length);
      lines.forEach((line, i) => {
        const t = theirs[i]!;
        const m = /^(\d+) (\d\d):(\d\d):(\d\d)\.(\d{9}) (\d+) (.+?) \((-?\d+)\) ([<>]) (\S+)/.exec(line);
        expect(m, line).not.toBeNull();
        const [, num, , , s, ns, cpu, , tid, dir, type] = m!;
        expect(Number(num)).toBe(i + 1);
        const [sec, frac] = t.time.split('.');
        expect(`${s}.${ns}`).toBe(`${String(Number(sec) % 60).padStart(2, '0')}.${frac}`);
        expect(Number(cpu)).toBe(t.cpu);
        expect(Number(tid)).toBe(t.tid);
        expect(dir).toBe(t.type % 2 === 0 ? '>' : '<');
        expect(type).toBe(EVENT_TABLE[t.type]!.name);
      });
    },
  );

  it('names processes from the capture’s process list and execve: the setuid program’s events say setuid', async () => {
    const { stdout } = await sysray(['events', SETUID, '--filter-type', 'setuid']);
    const lines = stdout.split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/ setuid \(\d+\) [<>] setuid/);
  });
});

describe('sysray events --filter-type', () => {
  it('keeps exactly the events of the named types, enter and exit, as tshark counts their type ids', async () => {
    const all = await eventsJson([SETUID]);
    const kept = await eventsJson([SETUID, '--filter-type', 'execve,setuid', '--filter-type', 'close']);
    const names = new Set(['execve', 'setuid', 'close']);
    const ids = new Set(
      tsharkOf
        .get(SETUID)!
        .map((t) => t.type)
        .filter((t) => names.has(EVENT_TABLE[t]!.name)),
    );
    const theirs = tsharkOf.get(SETUID)!.filter((t) => ids.has(t.type));
    expect(kept.length).toBe(theirs.length);
    expect(kept).toEqual(all.filter((e) => names.has(e.type)));
    expect(new Set(kept.map((e) => e.dir))).toEqual(new Set(['>', '<']));
  });

  it('rejects an unknown event type name with a usage error (exit 2) before reading', async () => {
    const { code, stdout, stderr } = await sysray(['events', SETUID, '--filter-type', 'openat,no_such_call']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("'no_such_call'");
    expect(stderr).toContain("Try 'sysray events --help'.");
  });
});

describe('sysray events --filter', () => {
  it('shows the exit events a Falco condition matches (libsinsp hides syscall enter events)', async () => {
    const all = await eventsJson([SETUID]);
    const kept = await eventsJson([SETUID, '--filter', 'evt.type = setuid']);
    const exits = all.filter((e) => e.type === 'setuid' && e.dir === '<');
    expect(exits.length).toBeGreaterThan(0);
    expect(kept).toEqual(exits);
  });

  it('evaluates fields of the process state: proc.name of the setuid program', async () => {
    const kept = await eventsJson([
      SETUID,
      '--filter',
      'proc.name = setuid and evt.type in (setuid, execve)',
    ]);
    expect(kept.length).toBeGreaterThan(0);
    for (const e of kept) expect(['setuid', 'execve']).toContain(e.type);
  });

  it('rejects a condition that does not compile with a usage error (exit 2)', async () => {
    const { code, stdout, stderr } = await sysray(['events', SETUID, '--filter', 'proc.nam = bash']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^sysray events: .*proc\.nam/);
  });
});

describe('sysray events errors and help', () => {
  it('reports a missing file as one line and exits 1', async () => {
    const { code, stdout, stderr } = await sysray(['events', `${TESTDATA}scap/missing.scap`]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`sysray: ENOENT: no such file (${TESTDATA}scap/missing.scap)\n`);
  });

  it('reports a file that is not a capture as one line with the error code and exits 1', async () => {
    const { code, stderr } = await sysray(['events', `${TESTDATA}scap/COPYING`]);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stderr).toMatch(/^sysray: [A-Z_]+: /);
  });

  it('reports a file that is not a capture the same way with --filter (the reader’s error, exit 1)', async () => {
    const plain = await sysray(['events', `${TESTDATA}scap/COPYING`]);
    const filtered = await sysray(['events', `${TESTDATA}scap/COPYING`, '--filter', 'evt.type = open']);
    expect(filtered.code).toBe(1);
    expect(filtered.stderr).toBe(plain.stderr);
  });

  it('--help shows the usage, the JSON fields and examples', async () => {
    const { code, stdout } = await sysray(['events', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: sysray events [options] FILE');
    expect(stdout).toContain('--filter-type NAME,...');
    expect(stdout).toContain('`num`');
    expect(stdout).toContain('Examples:');
  });
});
