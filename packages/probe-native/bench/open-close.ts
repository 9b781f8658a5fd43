/**
 * Probe cost and delivery rate. Workload processes (a small C program) make system calls without the probe and
 * with it capturing every supported event and delivering every one to JS (each event's header is read by a
 * cursor). Prints the bare and probed times, the overhead ratio, the event rate at the ring buffer and what was
 * emitted, delivered and dropped, with the default buffers (8 MiB ring buffer, 1 MiB wakeups, 20 ms poll).
 *
 *   pnpm --filter @sysray/probe-native bench            # 1M open/close pairs (2M events), one process
 *   BENCH_PAIRS=200000 pnpm --filter @sysray/probe-native bench
 *   BENCH_SYSCALL=close BENCH_WORKERS=2 BENCH_PAIRS=2000000 pnpm --filter @sysray/probe-native bench
 *   BENCH_SYSCALL=close BENCH_RATE=500000 BENCH_SECONDS=10 pnpm --filter @sysray/probe-native bench
 *
 * - BENCH_SYSCALL: `openclose` (open("/etc/hostname") + close: 2 events per iteration) or `close` (close(-1),
 *   EBADF: the cheapest traced call, 1 small event per iteration);
 * - BENCH_WORKERS: workload processes run in parallel (each does BENCH_PAIRS iterations);
 * - BENCH_RATE: total target rate in events/s, spread over the workers, each pacing itself against the clock
 *   (0: as fast as they can); with BENCH_SECONDS the iteration count follows from rate × seconds;
 * - BENCH_ROUNDS: rounds (7), each a bare and a probed run back to back, in alternating order.
 *
 * Needs root (the probe) and a C compiler (the workload).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScapEvent } from '@sysray/pcapng/scap';
import { startCapture } from '../src/index.js';

const SYSCALL = process.env.BENCH_SYSCALL ?? 'openclose';
if (SYSCALL !== 'openclose' && SYSCALL !== 'close')
  throw new Error(`BENCH_SYSCALL must be openclose or close, got ${SYSCALL}`);
const EVENTS_PER_ITER = SYSCALL === 'openclose' ? 2 : 1;
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const RATE = Number(process.env.BENCH_RATE ?? 0);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 0);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ITERS =
  RATE > 0 && SECONDS > 0
    ? Math.round((RATE * SECONDS) / EVENTS_PER_ITER / WORKERS)
    : Number(process.env.BENCH_PAIRS ?? 1_000_000);
for (const [name, v] of Object.entries({ WORKERS, RATE, ROUNDS, ITERS }))
  if (!Number.isInteger(v) || v < 0 || (name !== 'RATE' && v === 0))
    throw new Error(`BENCH_${name} must be a positive integer, got ${v}`);
/** Iterations per second each worker aims at (0: unpaced). */
const ITER_RATE = RATE > 0 ? RATE / EVENTS_PER_ITER / WORKERS : 0;

const dir = mkdtempSync(join(tmpdir(), 'sysray-bench-'));
const src = join(dir, 'oc.c');
const exe = join(dir, 'oc');
// argv: iterations, mode (0 open+close, 1 close(-1)), iterations per second (0: unpaced). Prints its CPU µs.
writeFileSync(
  src,
  `#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  int mode = atoi(argv[2]);
  double rate = atof(argv[3]);
  double t0 = now();
  for (long i = 0; i < n; i++) {
    if (mode == 0) { int fd = open("/etc/hostname", O_RDONLY); if (fd >= 0) close(fd); }
    else close(-1);
    if (rate > 0 && (i & 255) == 255) {
      double ahead = (i + 1) / rate - (now() - t0);
      if (ahead > 0) { struct timespec s = { (time_t)ahead, (long)((ahead - (time_t)ahead) * 1e9) }; nanosleep(&s, NULL); }
    }
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("%ld\\n", (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  return 0;
}
`,
);
execFileSync('cc', ['-O2', '-o', exe, src]);

interface Run {
  /** Wall time from the first start to the last exit, s. */
  wall: number;
  /** Workers' CPU time (user + system, from getrusage), summed, s. */
  cpu: number;
  pids: Set<number>;
}

/** Runs the workers in parallel. */
async function runWorkload(): Promise<Run> {
  const t0 = process.hrtime.bigint();
  const pids = new Set<number>();
  const cpus = await Promise.all(
    Array.from(
      { length: WORKERS },
      () =>
        new Promise<number>((resolve, reject) => {
          const child = spawn(exe, [String(ITERS), SYSCALL === 'openclose' ? '0' : '1', String(ITER_RATE)], {
            stdio: ['ignore', 'pipe', 'ignore'],
          });
          if (child.pid) pids.add(child.pid);
          let out = '';
          child.stdout.on('data', (d) => {
            out += d;
          });
          child.on('error', reject);
          child.on('close', (code) => {
            if (code !== 0) reject(new Error(`workload exited with ${code}`));
            else resolve(Number(out.trim()) / 1e6);
          });
        }),
    ),
  );
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: cpus.reduce((a, b) => a + b, 0), pids };
}

interface Probed extends Run {
  /** Events delivered to JS, all processes. */
  events: number;
  /** Of them, the workers' events of the benchmarked system calls. */
  ours: number;
  emitted: number;
  delivered: number;
  dropped: number;
  /** Drops by cause: ring buffer full, consumer queue over maxQueuedBytes, probe runs the kernel skipped. */
  why: string;
  /** This process's CPU time (JS consumer + reader thread), s. */
  consumerCpu: number;
}

async function probed(): Promise<Probed> {
  const cap = startCapture({ scanProc: false });
  let events = 0;
  const perTid = new Map<number, number>();
  const ev = new ScapEvent();
  const wanted = SYSCALL === 'openclose' ? new Set([307, 5]) : new Set([5]);
  const cpu0 = process.cpuUsage();
  const reading = (async () => {
    for await (const b of cap) {
      events += b.count;
      for (let i = 0; i < b.count; i++) {
        ev.load(b, i);
        if (wanted.has(ev.type)) perTid.set(ev.tid, (perTid.get(ev.tid) ?? 0) + 1);
      }
    }
  })();
  const run = await runWorkload();
  const stats = await cap.stop();
  await reading;
  const cpu = process.cpuUsage(cpu0);
  let ours = 0;
  for (const pid of run.pids) ours += perTid.get(pid) ?? 0;
  return {
    ...run,
    events,
    ours,
    emitted: stats.emitted,
    delivered: stats.delivered,
    dropped: stats.dropped,
    why: `ring full ${stats.droppedRingFull}, queue ${stats.droppedQueue}, missed ${stats.droppedMissed}`,
    consumerCpu: (cpu.user + cpu.system) / 1e6,
  };
}

const bare: Run[] = [];
const withProbe: Probed[] = [];
const load0 = loadavg()[0]!;
// Each round runs the workload bare and probed back to back, in alternating order, so that the VM's speed
// drifting over seconds weighs on both: the overhead is the median of the rounds' ratios.
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) {
    bare.push(await runWorkload());
    withProbe.push(await probed());
  } else {
    withProbe.push(await probed());
    bare.push(await runWorkload());
  }
}
rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bw = median(bare.map((x) => x.wall));
const bc = median(bare.map((x) => x.cpu));
const pw = median(withProbe.map((x) => x.wall));
const pc = median(withProbe.map((x) => x.cpu));
const mid = withProbe.find((x) => x.wall === pw)!;
const perRound = ITERS * WORKERS * EVENTS_PER_ITER;
const k = (n: number) => `${(n / 1e3).toFixed(0)} k`;
console.log(
  `${SYSCALL === 'openclose' ? 'open/close pairs' : 'close(-1) calls'}: ${ITERS} × ${WORKERS} worker(s)` +
    `${RATE ? `, paced at ${k(RATE)} events/s` : ', unpaced'}, rounds: ${ROUNDS} (medians); ` +
    `load average ${load0.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`,
);
console.log(
  `bare:       wall ${bw.toFixed(3)} s, workload CPU ${bc.toFixed(3)} s (${(perRound / bc / 1e6).toFixed(2)} M syscalls/CPU-s)`,
);
console.log(
  `with probe: wall ${pw.toFixed(3)} s, workload CPU ${pc.toFixed(3)} s, consumer CPU ${mid.consumerCpu.toFixed(3)} s`,
);
const cpuRatios = withProbe.map((x, i) => x.cpu / bare[i]!.cpu);
const wallRatios = withProbe.map((x, i) => x.wall / bare[i]!.wall);
const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
console.log(
  `overhead:   ${median(cpuRatios).toFixed(2)}x the bare syscall cost (CPU), ${median(wallRatios).toFixed(2)}x wall ` +
    `(medians of the rounds' ratios; ratios of the medians ${(pc / bc).toFixed(2)}x CPU, ${(pw / bw).toFixed(2)}x wall)`,
);
console.log(`per round:  CPU ratios ${list(cpuRatios)}; wall ratios ${list(wallRatios)}`);
console.log(
  `rate:       ${k(mid.emitted / pw)} events/s emitted at the ring (all processes), ${k(mid.ours / pw)} events/s of the workers`,
);
console.log(
  `delivered:  emitted ${mid.emitted}, delivered ${mid.delivered} (${mid.ours} of the workers' ${perRound}), dropped ${mid.dropped}`,
);
console.log(
  `            ${withProbe.map((x) => `${k(x.emitted / x.wall)}/s ${x.dropped} dropped (${x.why})`).join('; ')}`,
);
