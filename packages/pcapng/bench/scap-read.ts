/**
 * Falco capture read benchmark: events/s walking headers and with every parameter decoded, on the SysFlow
 * pairs' captures and on a generated 1M-event capture (in memory, and streamed from a file).
 * Not a test: prints the numbers for BENCHMARKS.md. Run from the repository root (Node 20 has no TS loader):
 *
 * ```sh
 * pnpm exec esbuild packages/pcapng/bench/scap-read.ts --bundle --platform=node --format=esm \
 *   --outfile=/tmp/scap-read.mjs && node /tmp/scap-read.mjs
 * ```
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  type EventBatch,
  encodeEvent,
  encodeEventBlock,
  readScap,
  readScapSync,
  ScapEvent,
  scapSectionHeader,
} from '../src/scap/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const candidates = [
  join(here, '../../../../shared/testdata'),
  join(process.cwd(), '../shared/testdata'),
  '/work/shared/testdata',
];
const testdata = candidates.find((d) => {
  try {
    readdirSync(d);
    return true;
  } catch {
    return false;
  }
});

function plain(path: string): Uint8Array {
  const raw = readFileSync(path);
  return new Uint8Array(raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw);
}

const ev = new ScapEvent();
let sink = 0;

function walkHeaders(batch: EventBatch): void {
  for (let i = 0; i < batch.count; i++) {
    ev.load(batch, i);
    sink += ev.type + ev.tid + ev.cpu + Number(ev.ts & 1n);
  }
}

function decodeAll(batch: EventBatch): void {
  for (let i = 0; i < batch.count; i++) {
    ev.load(batch, i);
    sink += ev.type + ev.tid + Number(ev.ts & 1n);
    const n = ev.nparams;
    for (let k = 0; k < n; k++) if (ev.param(k) !== null) sink++;
  }
}

/** Runs `fn` over `bytes` for at least ~1 s and 4 runs (the first ones warm the JIT); returns the best events/s. */
function rate(bytes: Uint8Array, fn: (b: EventBatch) => void, metadata = true): number {
  let best = 0;
  let runs = 0;
  const until = performance.now() + 1000;
  do {
    runs++;
    const t0 = performance.now();
    const { batch } = readScapSync(bytes, { metadata });
    fn(batch);
    const dt = (performance.now() - t0) / 1000;
    best = Math.max(best, batch.count / dt);
  } while (performance.now() < until || runs < 4);
  return best;
}

function generated(n: number): Uint8Array {
  const parts: Uint8Array[] = [scapSectionHeader()];
  const data = new Uint8Array(64).fill(0x61);
  const ts0 = 1_700_000_000_000_000_000n;
  for (let i = 0; i < n; i++) {
    const ts = ts0 + BigInt(i * 1000);
    const tid = 1000 + (i % 37);
    let spec: Parameters<typeof encodeEvent>[0];
    switch (i % 6) {
      case 0:
        spec = { type: 6, ts, tid, params: [3 + (i % 10), 4096] };
        break;
      case 1:
        spec = { type: 7, ts, tid, params: [64, data] };
        break;
      case 2:
        spec = { type: 306, ts, tid, params: [-100, '/etc/hosts', 1, 0] };
        break;
      case 3:
        spec = { type: 307, ts, tid, params: [5, -100, '/etc/hosts', 1, 0, 0x803, 12345] };
        break;
      case 4:
        spec = { type: 4, ts, tid, params: [5] };
        break;
      default:
        spec = {
          type: 23,
          ts,
          tid,
          params: [0, { family: 'inet', sip: '10.0.0.1', sport: 40000, dip: '10.0.0.2', dport: 443 }, 5],
        };
    }
    parts.push(encodeEventBlock(encodeEvent(spec), { cpu: i % 4 }));
  }
  return new Uint8Array(Buffer.concat(parts));
}

async function streamRate(path: string, fn: (b: EventBatch) => void): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for await (const batch of readScap(path)) {
    fn(batch);
    n += batch.count;
  }
  return n / ((performance.now() - t0) / 1000);
}

const fmt = (r: number) => `${(r / 1e6).toFixed(2)}M ev/s`;
const rows: string[][] = [['capture', 'events', 'headers', 'all params', 'headers, no metadata lists']];
if (testdata) {
  for (const f of readdirSync(join(testdata, 'sysflow-pairs'))
    .filter((x) => x.endsWith('.scap'))
    .sort()) {
    const bytes = plain(join(testdata, 'sysflow-pairs', f));
    const count = readScapSync(bytes).batch.count;
    rows.push([
      f,
      String(count),
      fmt(rate(bytes, walkHeaders)),
      fmt(rate(bytes, decodeAll)),
      fmt(rate(bytes, walkHeaders, false)),
    ]);
  }
} else {
  console.warn('shared/testdata not found: skipping the pairs');
}
const big = generated(1_000_000);
rows.push(['generated (in memory)', '1000000', fmt(rate(big, walkHeaders)), fmt(rate(big, decodeAll)), '']);
const file = join(tmpdir(), `scap-bench-${process.pid}.scap`);
writeFileSync(file, big);
rows.push([
  'generated (streamed file)',
  '1000000',
  fmt(await streamRate(file, walkHeaders)),
  fmt(await streamRate(file, decodeAll)),
  '',
]);
rmSync(file);
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
console.log(
  `node ${process.version}, one core; libsinsp reads about 0.7M ev/s (its own figure). checksum ${sink}`,
);
