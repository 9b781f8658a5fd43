/**
 * Decode throughput of `.sf` files, steady state on one core: records/s of this package's readers against
 * avsc's own file decoder (same bigint long type).
 *
 *   npx tsx packages/sysflow-format/bench/read.ts [--rounds 9] [--warmup 3] [--repeat 1000]
 *                                                  [--testdata DIR] [--no-peer] [--profile-only]
 *                                                  [--sf-cache FILE]
 *
 * Inputs:
 * - each `.sf` file of `../shared/testdata/sysflow-pairs` (tiny collector outputs, one block each: this
 *   measures the per-file cost too — header, schema, plan), decoded from memory many times per round;
 * - a generated file: the records of `namespaces_setns.sf` repeated `--repeat` times (548 k records at
 *   1000), each copy with its times moved forward (distinct timestamps, as in a real trace), deflate,
 *   1000 records per block.
 *
 * Every input is decoded `--warmup` rounds first (not counted: JIT), then `--rounds` rounds; the table
 * gives the median and the slowest of the counted rounds. `--profile-only` runs the sync batch decode of
 * the generated file only (for `node --cpu-prof` on a bundle of this script); `--sf-cache FILE` reads the
 * generated file from FILE when it exists (else generates it and writes it there), so that profiles do not
 * include the generation.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import {
  bigintLongType,
  readSysFlow,
  readSysFlowBatches,
  readSysFlowBatchesSync,
  readSysFlowSync,
  type SysFlowRecord,
  writeSysFlowSync,
} from '../src/index.js';
import { args, opt, pairsDir } from './options.js';

const ROUNDS = opt('rounds', 9);
const WARMUP = opt('warmup', 3);
const REPEAT = opt('repeat', 1000);

/** Moves every time of a record forward by `dt` ns (a copy). */
function shifted(r: SysFlowRecord, dt: bigint): SysFlowRecord {
  const rec = { ...(r.rec as unknown as Record<string, unknown>) };
  for (const k of ['ts', 'endTs'] as const) if (typeof rec[k] === 'bigint') rec[k] = (rec[k] as bigint) + dt;
  return { type: r.type, rec } as unknown as SysFlowRecord;
}

function generated(): Uint8Array {
  const base = readSysFlowSync(readFileSync(`${pairsDir}namespaces_setns.sf`));
  const many: SysFlowRecord[] = [base[0]!];
  for (let i = 0; i < REPEAT; i++) {
    const dt = BigInt(i) * 60_000_000_000n;
    for (let j = 1; j < base.length; j++) many.push(shifted(base[j]!, dt));
  }
  return writeSysFlowSync(many, { recordsPerBlock: 1000 });
}

/** Median and slowest rate (records/s) of `run` (which returns the records it decoded). */
async function measure(run: () => number | Promise<number>): Promise<{ median: number; min: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    const n = await run();
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(n / s);
  }
  rates.sort((a, b) => a - b);
  return { median: rates[rates.length >> 1]!, min: rates[0]! };
}

/** Decodes `bytes` enough times to take a measurable while (at least `atLeast` records per round). */
function syncBatches(bytes: Uint8Array, atLeast: number): () => number {
  return () => {
    let n = 0;
    do for (const batch of readSysFlowBatchesSync(bytes)) n += batch.records.length;
    while (n < atLeast);
    return n;
  };
}

const cacheIdx = args.indexOf('--sf-cache');
const cache = cacheIdx >= 0 ? args[cacheIdx + 1]! : undefined;
let big: Uint8Array;
if (cache && existsSync(cache)) big = new Uint8Array(readFileSync(cache));
else {
  big = generated();
  if (cache) writeFileSync(cache, big);
}
const bigRecords = syncBatches(big, 1)();

if (args.includes('--profile-only')) {
  const r = await measure(syncBatches(big, 1));
  console.log(
    `generated: median ${(r.median / 1e6).toFixed(2)} M/s, slowest ${(r.min / 1e6).toFixed(2)} M/s`,
  );
  process.exit(0);
}

const M = (v: number) => `${(v / 1e6).toFixed(2)} M/s`;
const rows: string[][] = [];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`node ${process.version}, load average before: ${load()}`);

// The pairs, one by one (sync batches, from memory).
const pairFiles = readdirSync(pairsDir)
  .filter((f) => f.endsWith('.sf'))
  .sort();
let pairsAll: Uint8Array[] = [];
for (const f of pairFiles) {
  const bytes = new Uint8Array(readFileSync(`${pairsDir}${f}`));
  pairsAll = [...pairsAll, bytes];
  const n = readSysFlowSync(bytes).length;
  const r = await measure(syncBatches(bytes, 50_000));
  rows.push([`${f} (${n} records)`, 'readSysFlowBatchesSync', M(r.median), M(r.min)]);
}
{
  const r = await measure(() => {
    let n = 0;
    for (let k = 0; k < 100; k++)
      for (const bytes of pairsAll) for (const b of readSysFlowBatchesSync(bytes)) n += b.records.length;
    return n;
  });
  rows.push(['all 7 pairs, file after file', 'readSysFlowBatchesSync', M(r.median), M(r.min)]);
}

// The generated file, every reader.
const dir = mkdtempSync(join(tmpdir(), 'sysflow-bench-'));
const file = join(dir, 'generated.sf');
writeFileSync(file, big);
const label = `generated (${bigRecords} records, ${(big.length / 1e6).toFixed(1)} MB)`;
const readers: [string, () => number | Promise<number>][] = [
  ['readSysFlowBatchesSync', syncBatches(big, 1)],
  ['readSysFlowSync', () => readSysFlowSync(big).length],
  [
    'readSysFlowBatches (file)',
    async () => {
      let n = 0;
      for await (const batch of readSysFlowBatches(file)) n += batch.records.length;
      return n;
    },
  ],
  [
    'readSysFlow (file)',
    async () => {
      let n = 0;
      for await (const _ of readSysFlow(file)) n++;
      return n;
    },
  ],
];
if (!args.includes('--no-peer')) {
  readers.push([
    'peer: avsc createFileDecoder (file)',
    () =>
      new Promise<number>((resolve, reject) => {
        let n = 0;
        avro
          .createFileDecoder(file, {
            parseHook: (schema: avro.Schema) =>
              avro.Type.forSchema(schema, { registry: { long: bigintLongType }, wrapUnions: 'auto' }),
          } as never)
          .on('data', () => n++)
          .on('end', () => resolve(n))
          .on('error', reject);
      }),
  ]);
}
for (const [name, run] of readers) {
  const r = await measure(run);
  rows.push([label, name, M(r.median), M(r.min)]);
}
rmSync(dir, { recursive: true, force: true });

const head = ['input', 'reader', `median of ${ROUNDS}`, 'slowest'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log(`load average after: ${load()}`);
