/**
 * Events/s of the C test plugin through the Node host (next_batch on the thread pool, events validated and
 * copied into scap event batches, every event walked in JS with a `ScapEvent` cursor that reads its timestamp)
 * versus the same plugin driven from C (bench/driver.c: copies every event and reads its timestamp from the
 * copy). Both sides print a checksum of the timestamps, which must agree. Builds both with `cc`.
 * Runs alternate C and Node (ROUNDS pairs, default 5) because shared machines are noisy; reports the best and
 * the median of each side, wall and process CPU time, and the load average.
 * Run: `pnpm --filter @sysray/plugin-api bench` (after `pnpm build`). Target: C/Node ratio ≤ 1.5.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ScapEvent } from '@sysray/pcapng/scap';
import { loadPlugin } from '../src/index.js';

const pkg = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'sysray-bench-'));
const cc = process.env.CC ?? 'cc';
const so = join(out, 'libtest.so');
const driver = join(out, 'driver');
execFileSync(cc, ['-shared', '-fPIC', '-O2', '-o', so, join(pkg, 'test/fixtures/test_plugin.c')]);
execFileSync(cc, ['-O2', '-o', driver, join(pkg, 'bench/driver.c'), '-ldl']);

const count = Number(process.env.EVENTS ?? 5_000_000);
const rounds = Number(process.env.ROUNDS ?? 5);
const config = JSON.stringify({ count });

interface Run {
  rate: number;
  seconds: number;
  cpu: number;
  checksum: bigint;
}

function runC(): Run {
  const r = JSON.parse(execFileSync(driver, [so, config], { encoding: 'utf8' })) as {
    events: number;
    checksum: string;
    seconds: number;
    cpu: number;
  };
  if (r.events !== count) throw new Error(`C driver saw ${r.events} events`);
  return { rate: r.events / r.seconds, seconds: r.seconds, cpu: r.cpu, checksum: BigInt(r.checksum) };
}

async function runNode(): Promise<Run> {
  const p = loadPlugin(so);
  await p.init(config);
  const ev = new ScapEvent();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let n = 0;
  let checksum = 0n;
  for await (const b of await p.open()) {
    for (let i = 0; i < b.count; i++) checksum ^= ev.load(b, i).ts;
    n += b.count;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const used = process.cpuUsage(c0);
  p.destroy();
  if (n !== count) throw new Error(`host saw ${n} events`);
  return { rate: n / seconds, seconds, cpu: (used.user + used.system) / 1e6, checksum };
}

const load = loadavg();
const cs: Run[] = [];
const nodes: Run[] = [];
for (let i = 0; i < rounds; i++) {
  cs.push(runC());
  nodes.push(await runNode());
}
if (cs.some((r) => r.checksum !== nodes[0]!.checksum) || nodes.some((r) => r.checksum !== nodes[0]!.checksum))
  throw new Error('the C driver and the host saw different events (timestamp checksums differ)');
const loadAfter = loadavg();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M events/s`;
const line = (name: string, rs: Run[]) =>
  `${name} best ${fmt(Math.max(...rs.map((r) => r.rate)))}, median ${fmt(median(rs.map((r) => r.rate)))}; ` +
  `median wall ${median(rs.map((r) => r.seconds)).toFixed(3)} s, median CPU ${median(rs.map((r) => r.cpu)).toFixed(3)} s`;
console.log(
  `${count} events, ${rounds} alternating rounds, load average ${load.map((x) => x.toFixed(2)).join(' ')} → ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`,
);
console.log(line('C driver: ', cs));
console.log(line('Node host:', nodes));
const best = Math.max(...cs.map((r) => r.rate)) / Math.max(...nodes.map((r) => r.rate));
const med = median(cs.map((r) => r.rate)) / median(nodes.map((r) => r.rate));
console.log(`ratio (C / Node): best ${best.toFixed(2)}x, median ${med.toFixed(2)}x  (target <= 1.5x)`);
