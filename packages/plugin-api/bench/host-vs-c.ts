/**
 * Events/s of the C test plugin through the Node host (next_batch on a worker, events copied into scap event
 * batches, iterated in JS) versus the same plugin driven from C (bench/driver.c). Builds both with `cc`.
 * Run: `pnpm --filter @sysray/plugin-api bench` (after `pnpm build`). Prints the ratio; target ≤ 1.5.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPlugin } from '../src/index.js';

const pkg = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'sysray-bench-'));
const cc = process.env.CC ?? 'cc';
const so = join(out, 'libtest.so');
const driver = join(out, 'driver');
execFileSync(cc, ['-shared', '-fPIC', '-O2', '-o', so, join(pkg, 'test/fixtures/test_plugin.c')]);
execFileSync(cc, ['-O2', '-o', driver, join(pkg, 'bench/driver.c'), '-ldl']);

const count = Number(process.env.EVENTS ?? 5_000_000);
const config = JSON.stringify({ count });

function runC(): number {
  const r = JSON.parse(execFileSync(driver, [so, config], { encoding: 'utf8' })) as {
    events: number;
    seconds: number;
  };
  if (r.events !== count) throw new Error(`C driver saw ${r.events} events`);
  return r.events / r.seconds;
}

async function runNode(): Promise<number> {
  const p = loadPlugin(so);
  await p.init(config);
  const t0 = process.hrtime.bigint();
  let n = 0;
  for await (const b of await p.open()) n += b.count;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  p.destroy();
  if (n !== count) throw new Error(`host saw ${n} events`);
  return n / s;
}

const best = async (f: () => number | Promise<number>) => {
  let m = 0;
  for (let i = 0; i < 3; i++) m = Math.max(m, await f());
  return m;
};
const c = await best(runC);
const node = await best(runNode);
const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M events/s`;
console.log(`C driver:   ${fmt(c)}`);
console.log(`Node host:  ${fmt(node)}`);
console.log(`ratio (C / Node): ${(c / node).toFixed(2)}x  (target <= 1.5x)`);
