import { isDeepStrictEqual } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readPcapng } from '@sysray/pcapng';
import { type PcapngBlock, PcapngError, readPcapngSync, writePcapngSync } from '@sysray/pcapng/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncChunks, collect, plain, randomChunks } from './helpers/streams.js';
import { generatorFiles, MALFORMED_DIR, malformedFiles, readBytes } from './helpers/testdata.js';

/** Corpus: every generator file and every libpcap malformed sample. */
const corpus = [
  ...generatorFiles().map((f) => readBytes(f.path)),
  ...malformedFiles().map((f) => readBytes(`${MALFORMED_DIR}${f}`)),
];
/** Where each corpus file's blocks start (for length-field tweaks). */
const blockStarts = corpus.map((bytes) => {
  try {
    return [...readPcapngSync(bytes)].map((b) => b.offset!);
  } catch {
    return [0];
  }
});

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'remove'; at: number; count: number }
  | { kind: 'length'; block: number; trailer: boolean; delta: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.oneof(fc.nat(255), fc.constantFrom(0, 0xff, 0x80, 0x7f)),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant('length' as const),
    block: fc.nat(),
    trailer: fc.boolean(),
    delta: fc.oneof(
      fc.constantFrom(-12, -8, -4, -1, 1, 3, 4, 8, 0x10000, 0x7fffffff),
      fc.integer({ min: -64, max: 64 }),
    ),
  }),
);

const sample = fc.record({
  file: fc.nat(corpus.length - 1),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
});

function mutate(file: number, mutations: Mutation[]): Uint8Array {
  let bytes = corpus[file]!.slice();
  for (const m of mutations) {
    const n = bytes.length;
    if (m.kind === 'length') {
      const starts = blockStarts[file]!;
      const start = starts[m.block % starts.length]!;
      if (start + 8 > n) continue;
      const view = new DataView(bytes.buffer, bytes.byteOffset, n);
      // Either byte order: tweak the field as little-endian or big-endian at random by delta's parity.
      const le = (m.block & 1) === 0;
      const headerValue = view.getUint32(start + 4, le);
      const at = m.trailer ? Math.min(n - 4, start + headerValue - 4) : start + 4;
      if (at < 0 || at + 4 > n) continue;
      view.setUint32(at, (view.getUint32(at, le) + m.delta) >>> 0, le);
    } else if (n === 0) {
    } else if (m.kind === 'flip') bytes[m.at % n] = bytes[m.at % n]! ^ (1 << m.bit);
    else if (m.kind === 'set') bytes[m.at % n] = m.value;
    else if (m.kind === 'truncate') bytes = bytes.slice(0, m.at % n);
    else if (m.kind === 'insert') {
      const at = m.at % (n + 1);
      const out = new Uint8Array(n + m.bytes.length);
      out.set(bytes.subarray(0, at), 0);
      out.set(m.bytes, at);
      out.set(bytes.subarray(at), at + m.bytes.length);
      bytes = out;
    } else {
      const at = m.at % n;
      const out = new Uint8Array(n - Math.min(m.count, n - at));
      out.set(bytes.subarray(0, at), 0);
      out.set(bytes.subarray(at + m.count), at);
      bytes = out;
    }
  }
  return bytes;
}

/** Byte arrays and text in a decoded value: [largest array, total bytes + characters]. */
function measure(value: unknown, acc = { largest: 0, total: 0 }): { largest: number; total: number } {
  if (value instanceof Uint8Array) {
    acc.largest = Math.max(acc.largest, value.length);
    acc.total += value.length;
  } else if (typeof value === 'string') acc.total += value.length;
  else if (Array.isArray(value)) for (const v of value) measure(v, acc);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) measure(v, acc);
  return acc;
}

type Outcome = { ok: true; blocks: PcapngBlock[] } | { ok: false; error: PcapngError };

/** Decodes a mutated input: anything thrown that is not a PcapngError fails the property. */
function decode(bytes: Uint8Array): Outcome {
  try {
    return { ok: true, blocks: [...readPcapngSync(bytes)] };
  } catch (error) {
    if (!(error instanceof PcapngError)) throw error;
    // Checked without expect() on this hot path: a located error points inside the input.
    if (
      !/^[A-Z_]+$/.test(error.code) ||
      error.offset === undefined ||
      error.offset < 0 ||
      error.offset > bytes.length
    )
      throw new Error(`error without a code or with an offset outside the input: ${error.describe()}`);
    return { ok: false, error };
  }
}

const stats = { runs: 0, decoded: 0, errors: new Map<string, number>() };

function check(bytes: Uint8Array): void {
  stats.runs++;
  const outcome = decode(bytes);
  if (!outcome.ok) {
    stats.errors.set(outcome.error.code, (stats.errors.get(outcome.error.code) ?? 0) + 1);
    return;
  }
  stats.decoded++;
  // Decoded size is bounded by the input: no array larger than it; text forms of addresses (up to
  // 3 characters per byte) bound the total.
  const { largest, total } = measure(outcome.blocks);
  if (largest > bytes.length || total > 3 * bytes.length)
    throw new Error(
      `decoded ${total} bytes/characters (largest array ${largest}) from ${bytes.length} bytes`,
    );
  // Writer: what was read writes back to bytes that read as the same blocks.
  const rewritten = writePcapngSync(outcome.blocks);
  const again = [...readPcapngSync(rewritten)];
  // isDeepStrictEqual rather than expect().toEqual: the same check, fast enough for this hot path.
  if (rewritten.length !== bytes.length || !isDeepStrictEqual(again, outcome.blocks))
    expect(again).toEqual(outcome.blocks); // reports the difference
  expect.soft(rewritten.length).toBe(bytes.length);
}

const SEED = 0x5eed_2026;
const RUNS_PER_PART = 30_000;
let gc: () => void;
let heapBefore = 0;

describe('fuzzing the reader and writer with mutated sample files (seeded)', () => {
  beforeAll(() => {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
    gc();
    heapBefore = process.memoryUsage().heapUsed;
  });

  afterAll(() => {
    // Visible in the test log: how the mutations split between valid files and each error code.
    console.info(
      'fuzz',
      stats.runs,
      'inputs,',
      stats.decoded,
      'decoded; errors:',
      Object.fromEntries(stats.errors),
    );
  });

  for (let part = 0; part < 4; part++) {
    it(`part ${part + 1}/4: ${RUNS_PER_PART} mutations throw only PcapngError, stay bounded, and re-encode to the same blocks`, () => {
      fc.assert(
        fc.property(sample, ({ file, mutations }) => check(mutate(file, mutations))),
        { seed: SEED + part, numRuns: RUNS_PER_PART },
      );
    }, 60_000);
  }

  it('the mutations reached both valid files and many error codes', () => {
    expect(stats.runs).toBeGreaterThanOrEqual(100_000);
    expect(stats.decoded).toBeGreaterThan(1000);
    expect(stats.errors.size).toBeGreaterThanOrEqual(8);
  });

  it('heap growth over the whole run stays bounded (nothing retained per input)', () => {
    gc();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
  });

  it('2000 mutations streamed in random chunks give the same blocks or the same error as the sync reader', async () => {
    const inputs = fc.sample(sample, { seed: SEED + 99, numRuns: 2000 });
    for (const [k, { file, mutations }] of inputs.entries()) {
      const bytes = mutate(file, mutations);
      const sync = decode(bytes);
      const streamed = await collect(readPcapng(asyncChunks(randomChunks(bytes, k, 1, 64)))).then(
        (blocks): Outcome => ({ ok: true, blocks }),
        (error: unknown): Outcome => {
          if (!(error instanceof PcapngError)) throw error;
          return { ok: false, error };
        },
      );
      if (sync.ok) expect(streamed.ok && plain(streamed.blocks)).toEqual(sync.blocks);
      else if (streamed.ok) expect.fail(`stream read what sync rejected (${sync.error.code}) for input ${k}`);
      else
        expect([streamed.error.code, streamed.error.offset, streamed.error.blockIndex]).toEqual([
          sync.error.code,
          sync.error.offset,
          sync.error.blockIndex,
        ]);
    }
  }, 60_000);
});
