import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runRulesOnCapture } from '@sysray/inspector';
import { type EventBatch, readScapSync, ScapEvent, writeScapSync } from '@sysray/pcapng/scap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureStats, startCapture } from '../src/index.js';
import { decodeEvent, type Ev } from './live-events.js';
import { canRunLive } from './live-gate.js';

const RULES = fileURLToPath(
  new URL('../../../../shared/testdata/falco-rules/falco_rules.yaml', import.meta.url),
);

/** The workload: file churn, a loopback connect, an exec of a known binary with known args, then setuid. */
const WORKLOAD = `
import { openSync, writeSync, closeSync, renameSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { execFileSync } from 'node:child_process';
const [port, dir] = process.argv.slice(2);
const fd = openSync(dir + '/probe-a.txt', 'w');
writeSync(fd, 'sysray probe data');
closeSync(fd);
renameSync(dir + '/probe-a.txt', dir + '/probe-b.txt');
unlinkSync(dir + '/probe-b.txt');
await new Promise((resolve, reject) => {
  const s = connect(Number(port), '127.0.0.1', () => { s.end(); resolve(); });
  s.on('error', reject);
});
execFileSync('/usr/bin/find', [dir, '-name', 'id_rsa'], { cwd: dir });
// fileless execution: /bin/true copied into a memfd and executed from it
execFileSync('/usr/bin/python3', ['-c', "import os; m = os.memfd_create('sysray'); os.write(m, open('/bin/true', 'rb').read()); os.execve(m, ['memfd-true'], {})"]);
process.setuid(65534);
`;

describe.skipIf(!canRunLive)('live capture (root)', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let workloadPid = 0;
  const evs: Ev[] = [];
  const batches: EventBatch[] = [];
  let header: Uint8Array;
  let stats: CaptureStats;

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'sysray-probe-')));
    writeFileSync(join(dir, 'workload.mjs'), WORKLOAD);
    server = createServer((s) => s.resume());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    const cap = startCapture({ snaplen: 64 });
    header = cap.header;
    const reading = (async () => {
      for await (const b of cap) batches.push(b);
    })();
    // A worker thread of this process opens a file during the capture: it must not be traced either.
    await new Promise<void>((resolve, reject) => {
      const w = new Worker(
        `require('node:fs').closeSync(require('node:fs').openSync(${JSON.stringify(join(dir, 'worker-own.txt'))}, 'w'))`,
        { eval: true },
      );
      w.on('exit', () => resolve());
      w.on('error', reject);
    });
    const child = spawn(process.execPath, [join(dir, 'workload.mjs'), String(port), dir], {
      stdio: 'inherit',
    });
    workloadPid = child.pid ?? 0;
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    stats = await cap.stop();
    await reading;
    const ev = new ScapEvent();
    for (const b of batches)
      for (let i = 0; i < b.count; i++) {
        ev.load(b, i);
        expect(b.problems[i], `event ${ev.num} (${ev.type}) is malformed`).toBe(0);
        evs.push(decodeEvent(ev));
      }
  }, 60_000);

  afterAll(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every emitted event and drops none', () => {
    expect(stats.emitted).toBeGreaterThan(0);
    expect(stats.delivered).toBe(stats.emitted);
    expect(stats.dropped).toBe(0);
    expect(stats.droppedPerCpu).toEqual(new Array(stats.droppedPerCpu.length).fill(0));
    expect(stats.droppedPerCpu.length).toBeGreaterThanOrEqual(1);
    expect(evs.length).toBe(stats.delivered);
  });

  it('never traces its own process, worker threads included', () => {
    expect(evs.some((e) => e.tid === process.pid)).toBe(false);
    expect(existsSync(join(dir, 'worker-own.txt'))).toBe(true);
    expect(evs.some((e) => e.params.name === join(dir, 'worker-own.txt'))).toBe(false);
    // worker threads of this process share its pid as thread-group id; none of its tids appear
    const own = new Set<number>();
    for (const e of evs)
      if (e.name === 'clone' && e.params.pid === process.pid) own.add(Number(e.params.tid));
    expect(own.size).toBe(0);
  });

  it('timestamps events in epoch nanoseconds, in order per CPU', () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    for (const e of evs) {
      expect(e.ts).toBeLessThanOrEqual(now);
      expect(e.ts).toBeGreaterThan(now - 120_000_000_000n);
    }
  });

  it('captures the file churn with the right parameters', () => {
    const path = join(dir, 'probe-a.txt');
    const open = evs.find((e) => e.name === 'openat' && e.tid === workloadPid && e.params.name === path);
    expect(open, 'openat of the temp file').toBeDefined();
    const fd = open!.params.fd as number;
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(open!.params.dirfd).toBe(-100);
    expect((open!.params.flags as { names: string[] }).names).toEqual(
      expect.arrayContaining(['O_WRONLY', 'O_CREAT', 'O_TRUNC', 'O_CLOEXEC', 'O_F_CREATED']),
    );
    expect(open!.params.mode).toBe(0o666);
    expect(Number(open!.params.ino)).toBeGreaterThan(0);
    expect(open!.params.dev).toBeGreaterThan(0);
    const write = evs.find(
      (e) => e.name === 'write' && e.tid === workloadPid && e.params.fd === fd && e.num > open!.num,
    );
    expect(write?.params.res).toBe(17);
    expect(write?.params.size).toBe(17);
    expect(Buffer.from(write!.params.data as Uint8Array).toString()).toBe('sysray probe data');
    const close = evs.find(
      (e) => e.name === 'close' && e.tid === workloadPid && e.params.fd === fd && e.num > write!.num,
    );
    expect(close?.params.res).toBe(0);
    const ren = evs.find(
      (e) =>
        (e.name === 'rename' || e.name === 'renameat2' || e.name === 'renameat') && e.tid === workloadPid,
    );
    expect(ren?.params.res).toBe(0);
    expect(ren?.params.oldpath).toBe(path);
    expect(ren?.params.newpath).toBe(join(dir, 'probe-b.txt'));
    const un = evs.find((e) => (e.name === 'unlink' || e.name === 'unlinkat') && e.tid === workloadPid);
    expect(un?.params.res).toBe(0);
    expect(un?.params.path ?? un?.params.name).toBe(join(dir, 'probe-b.txt'));
  });

  it('captures the loopback connect with its tuple and address', () => {
    const c = evs.find(
      (e) =>
        e.name === 'connect' &&
        (e.params.addr as { port?: number } | undefined)?.port === port &&
        evs.some((x) => x.tid === e.tid && x.tid === workloadPid),
    );
    expect(c, 'connect to the listener').toBeDefined();
    expect([0, -115]).toContain(c!.params.res); // blocking or non-blocking (EINPROGRESS)
    expect(c!.params.addr).toEqual({ family: 'inet', addr: '127.0.0.1', port });
    const t = c!.params.tuple as { family: string; sip: string; dip: string; dport: number; sport: number };
    expect(t.family).toBe('inet');
    expect(t.dip).toBe('127.0.0.1');
    expect(t.dport).toBe(port);
    expect(t.sport).toBeGreaterThan(0);
    const sock = evs.find(
      (e) => e.name === 'socket' && e.tid === workloadPid && e.params.fd === c!.params.fd,
    );
    expect(sock?.params.domain).toMatchObject({ value: 2 });
  });

  it('captures the exec of a known binary with its arguments and process fields', () => {
    const ex = evs.find((e) => e.name === 'execve' && e.params.comm === 'find');
    expect(ex, 'execve of find').toBeDefined();
    const p = ex!.params;
    expect(p.res).toBe(0);
    expect(p.exe).toBe('/usr/bin/find');
    expect(p.filename).toBe('/usr/bin/find');
    expect(Buffer.from(p.args as Uint8Array).toString()).toBe(`${dir}\0-name\0id_rsa\0`);
    expect(p.ptid).toBe(workloadPid);
    expect(p.pid).toBe(p.tid);
    expect(p.cwd).toBe(dir);
    expect(p.uid).toBe(0);
    expect(p.trusted_exepath).toBe(realpathSync('/usr/bin/find'));
    expect(Number(p.exe_ino)).toBe(statSync('/usr/bin/find').ino);
    expect(Buffer.from(p.env as Uint8Array).toString()).toContain('PATH=');
    expect(String(Buffer.from(p.cgroups as Uint8Array))).toMatch(/^cpu=\//);
    expect(p.loginuid).toBeTypeOf('number');
    // root may write it (CAP_DAC_OVERRIDE): PPM_EXE_WRITABLE, not from a memfd
    expect((p.flags as { names: string[] }).names).toEqual(['EXE_WRITABLE']);
    const exit = evs.find((e) => e.name === 'procexit' && e.tid === ex!.tid);
    expect(exit?.params.status).toBe(0);
    const fork = evs.find(
      (e) => ['clone', 'clone3', 'vfork', 'fork'].includes(e.name) && e.tid === ex!.tid && e.params.res === 0,
    );
    expect(fork, 'the child side of the fork').toBeDefined();
    expect(fork!.params.ptid).toBe(workloadPid);
  });

  it('captures setuid in the child', () => {
    // glibc makes every thread of the process call setuid; the main thread is one of them
    const s = evs.find((e) => e.name === 'setuid' && e.tid === workloadPid);
    expect(s).toBeDefined();
    expect(s!.params).toEqual({ res: 0, uid: 65534 });
  });

  it('checks every parameter against the scap decoder (a batch is a valid capture body)', () => {
    const file = new Uint8Array(header.length + batches.reduce((n, b) => n + b.bytes.length, 0));
    file.set(header);
    let o = header.length;
    for (const b of batches) {
      file.set(b.bytes, o);
      o += b.bytes.length;
    }
    const back = readScapSync(file);
    expect(back.batch.count).toBe(evs.length);
    expect(back.info.threads.size).toBeGreaterThan(0);
    const ev = new ScapEvent();
    const failures: string[] = [];
    for (let i = 0; i < back.batch.count; i++) {
      ev.load(back.batch, i);
      for (let k = 0; k < ev.nparams; k++) {
        try {
          ev.param(k);
        } catch (e) {
          failures.push(`${ev.num} ${ev.name} param ${k}: ${(e as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // re-encoding each event gives the same bytes
    expect(writeScapSync([back.batch], 'encode')).toEqual(writeScapSync([back.batch], 'copy'));
  });

  it('fires the official Search Private Keys rule and a rule of ours through the inspector', async () => {
    const file = new Uint8Array(header.length + batches.reduce((n, b) => n + b.bytes.length, 0));
    file.set(header);
    let o = header.length;
    for (const b of batches) {
      file.set(b.bytes, o);
      o += b.bytes.length;
    }
    const mine = `
- rule: Probe test file written
  desc: the workload renames its temp file
  condition: evt.type in (rename, renameat, renameat2) and fs.path.source endswith /probe-a.txt
  output: renamed %fs.path.source to %fs.path.target by %proc.name (pid %proc.pid, parent %proc.pname)
  priority: NOTICE
`;
    const alerts = [];
    for await (const a of runRulesOnCapture(
      file,
      [
        { name: 'falco_rules.yaml', content: readFileSync(RULES, 'utf8') },
        { name: 'mine.yaml', content: mine },
      ],
      {
        ruleMatching: 'all',
      },
    ))
      alerts.push(a);
    const keys = alerts.find((a) => a.rule === 'Search Private Keys or Passwords');
    expect(keys, 'official rule alert').toBeDefined();
    expect(keys!.output_fields['proc.name']).toBe('find');
    expect(keys!.output_fields['proc.cmdline']).toBe(`find ${dir} -name id_rsa`);
    const fileless = alerts.find((a) => a.rule === 'Fileless execution via memfd_create');
    expect(fileless, 'official memfd rule alert').toBeDefined();
    expect(fileless!.output_fields['proc.name']).toBe('memfd:sysray'); // the kernel names the process after the memfd
    const ours = alerts.find((a) => a.rule === 'Probe test file written');
    expect(ours, 'our rule alert').toBeDefined();
    expect(ours!.output_fields['fs.path.target']).toBe(join(dir, 'probe-b.txt'));
    expect(ours!.output_fields['proc.name']).toBe('node');
  });
});

/**
 * Counts what `cap` delivers while a child makes 300k close calls and this thread stays blocked (a consumer that
 * falls behind), then stops the capture.
 */
async function closeBurst(cap: ReturnType<typeof startCapture>) {
  let delivered = 0;
  const reading = (async () => {
    for await (const b of cap) delivered += b.count;
  })();
  const r = spawnSync('/bin/sh', [
    '-c',
    'i=0; while [ $i -lt 300000 ]; do exec 3</dev/null; exec 3<&-; i=$((i+1)); done',
  ]);
  expect(r.status).toBe(0);
  const stats = await cap.stop();
  await reading;
  return { stats, delivered };
}

describe.skipIf(!canRunLive)('drops (root)', () => {
  it('counts ring-buffer-full drops per CPU when the consumer is blocked, and delivers every emitted event', async () => {
    // A small ring buffer, so that a short burst overflows it (and other captures running now see little).
    const cap = startCapture({
      events: ['close'],
      chunkBytes: 1 << 16,
      ringBufferBytes: 1 << 16,
      scanProc: false,
    });
    // This thread is blocked during the burst: ~19 MB of events for a 64 KiB ring buffer.
    const { stats, delivered } = await closeBurst(cap);
    expect(stats.droppedRingFull).toBeGreaterThan(0);
    expect(stats.droppedPerCpu.reduce((a, b) => a + b, 0)).toBe(stats.droppedRingFull);
    expect(stats.dropped).toBe(
      stats.droppedRingFull + stats.droppedOversize + stats.droppedQueue + stats.droppedMissed,
    );
    expect(delivered).toBe(stats.emitted);
    expect(stats.delivered).toBe(stats.emitted);
  }, 60_000);
});

describe.skipIf(!canRunLive)('a consumer that falls behind (root)', () => {
  it('costs counted drops of whole chunks over maxQueuedBytes, not a stalled reader and a full ring buffer', async () => {
    // default ring buffer; at most 64 KiB delivered and not consumed
    const cap = startCapture({
      events: ['close'],
      chunkBytes: 1 << 16,
      maxQueuedBytes: 1 << 16,
      scanProc: false,
    });
    // This thread is blocked during the burst (~20 MB of events): the native reader keeps draining the ring
    // buffer, and drops what exceeds the 64 KiB the consumer has not taken.
    const { stats, delivered } = await closeBurst(cap);
    expect(stats.droppedQueue).toBeGreaterThan(200_000);
    expect(stats.droppedRingFull).toBe(0);
    expect(stats.delivered).toBe(delivered);
    expect(stats.emitted).toBe(stats.delivered + stats.droppedQueue);
    expect(stats.dropped).toBe(stats.droppedQueue + stats.droppedMissed + stats.droppedOversize);
  }, 60_000);
});

describe.skipIf(!canRunLive)('ignorePids (root)', () => {
  it('never traces the given thread groups, and still traces the others', async () => {
    // each opens the file once the capture runs (a line on stdin says so)
    const code = "import sys, os; sys.stdin.readline(); os.close(os.open('/etc/hostname', 0))";
    const ignored = spawn('/usr/bin/python3', ['-c', code]);
    const traced = spawn('/usr/bin/python3', ['-c', code]);
    const cap = startCapture({ events: ['openat'], ignorePids: [ignored.pid!], scanProc: false });
    for (const c of [ignored, traced]) c.stdin.end('go\n');
    const tids = new Set<number>();
    const reading = (async () => {
      const ev = new ScapEvent();
      for await (const b of cap)
        for (let i = 0; i < b.count; i++)
          if (ev.load(b, i).param('name') === '/etc/hostname') tids.add(ev.tid);
    })();
    await Promise.all([ignored, traced].map((c) => new Promise((r) => c.on('exit', r))));
    await cap.stop();
    await reading;
    expect(tids.has(traced.pid!)).toBe(true);
    expect(tids.has(ignored.pid!)).toBe(false);
  });
});
