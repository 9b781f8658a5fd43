/**
 * Probe overhead: N open/close pairs in a child process (a small C program), without the probe and with it
 * capturing every supported event and delivering every one to JS (each event's header is read by a cursor).
 * Prints the bare and probed times, the overhead ratio, events/s delivered and drops.
 *
 *   pnpm --filter @sysray/probe-native bench            # 1M pairs (2M events)
 *   BENCH_PAIRS=200000 pnpm --filter @sysray/probe-native bench
 *
 * Needs root (the probe) and a C compiler (the workload).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScapEvent } from '@sysray/pcapng/scap';
import { startCapture } from '../src/index.js';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const dir = mkdtempSync(join(tmpdir(), 'sysray-bench-'));
const src = join(dir, 'oc.c');
const exe = join(dir, 'oc');
writeFileSync(
  src,
  `#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  for (long i = 0; i < n; i++) { int fd = open("/etc/hostname", O_RDONLY); if (fd >= 0) close(fd); }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("%ld\\n", (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  return 0;
}
`,
);
execFileSync('cc', ['-O2', '-o', exe, src]);

/** Runs the workload: wall time and its own CPU time (user + system, from getrusage), in seconds. */
function runWorkload(): Promise<{ wall: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(exe, [String(PAIRS)], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`workload exited with ${code}`));
      else resolve({ wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: Number(out.trim()) / 1e6 });
    });
  });
}

async function probed(): Promise<{
  wall: number;
  cpu: number;
  events: number;
  ours: number;
  dropped: number;
  emitted: number;
}> {
  const cap = startCapture({ scanProc: false });
  let events = 0;
  let ours = 0;
  const ev = new ScapEvent();
  const reading = (async () => {
    for await (const b of cap) {
      events += b.count;
      for (let i = 0; i < b.count; i++) if (ev.load(b, i).type === 307) ours++;
    }
  })();
  const { wall, cpu } = await runWorkload();
  const stats = await cap.stop();
  await reading;
  return { wall, cpu, events, ours, dropped: stats.dropped, emitted: stats.emitted };
}

const bare: { wall: number; cpu: number }[] = [];
const withProbe: Awaited<ReturnType<typeof probed>>[] = [];
for (let r = 0; r < ROUNDS; r++) {
  bare.push(await runWorkload());
  withProbe.push(await probed());
}
rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bw = median(bare.map((x) => x.wall));
const bc = median(bare.map((x) => x.cpu));
const pw = median(withProbe.map((x) => x.wall));
const pc = median(withProbe.map((x) => x.cpu));
const mid = withProbe.find((x) => x.wall === pw)!;
console.log(
  `open/close pairs: ${PAIRS}, rounds: ${ROUNDS} (medians); load average ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  `bare:       wall ${bw.toFixed(3)} s, workload CPU ${bc.toFixed(3)} s (${((2 * PAIRS) / bc / 1e6).toFixed(2)} M syscalls/CPU-s)`,
);
console.log(`with probe: wall ${pw.toFixed(3)} s, workload CPU ${pc.toFixed(3)} s`);
console.log(
  `overhead:   ${(pc / bc).toFixed(2)}x the bare syscall cost (CPU), ${(pw / bw).toFixed(2)}x wall`,
);
console.log(
  `delivered:  ${mid.events} events to JS (${mid.ours} openat exits), ${(mid.events / pw / 1e3).toFixed(0)} k events/s, ` +
    `emitted ${mid.emitted}, dropped ${mid.dropped}`,
);
console.log(`drops per round: ${withProbe.map((x) => x.dropped).join(', ')}`);
