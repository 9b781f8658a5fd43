import {
  readSysFlow,
  readSysFlowSync,
  recordToJSON,
  SysFlowError,
  writeSysFlowSync,
} from '@sysray/sysflow-format';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, randomChunks } from './helpers/streams.js';
import { constructedRecords, readBytes, sampleFiles } from './helpers/testdata.js';

/** The sample files as written (deflate), plus null-codec rewrites so mutations reach the records. */
const inputs: Uint8Array[] = [];
for (const [, path] of sampleFiles()) {
  const bytes = readBytes(path);
  inputs.push(bytes);
  inputs.push(writeSysFlowSync(readSysFlowSync(bytes), { codec: 'null', recordsPerBlock: 16 }));
}
inputs.push(writeSysFlowSync(constructedRecords(), { codec: 'null', recordsPerBlock: 3 }));
inputs.push(writeSysFlowSync(constructedRecords(), { codec: 'deflate', recordsPerBlock: 3 }));

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'varint'; at: number; value: bigint };

const at = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), at, value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff) }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({
    kind: fc.constant('insert' as const),
    at,
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({
    kind: fc.constant('varint' as const),
    at,
    value: fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }),
  }),
);

function zigzag(value: bigint): number[] {
  let n = value >= 0n ? value * 2n : -value * 2n - 1n;
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return out;
}

function splice(bytes: Uint8Array, i: number, remove: number, insert: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(bytes.length - Math.min(remove, bytes.length - i) + insert.length);
  out.set(bytes.subarray(0, i), 0);
  out.set(insert, i);
  out.set(bytes.subarray(i + remove), i + insert.length);
  return out;
}

function apply(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(input);
  for (const m of mutations) {
    const i = Math.floor(m.at * bytes.length);
    switch (m.kind) {
      case 'flip':
        if (bytes.length) bytes[i] = bytes[i]! ^ m.mask;
        break;
      case 'set':
        if (bytes.length) bytes[i] = m.value;
        break;
      case 'truncate':
        bytes = bytes.subarray(0, i);
        break;
      case 'insert':
        bytes = splice(bytes, i, 0, m.bytes);
        break;
      case 'delete':
        bytes = splice(bytes, i, m.length, []);
        break;
      case 'varint': {
        const v = zigzag(m.value);
        bytes = splice(bytes, i, v.length, v);
        break;
      }
    }
  }
  return bytes;
}

const arbitrary = fc.tuple(
  fc.nat({ max: inputs.length - 1 }),
  fc.array(mutation, { minLength: 1, maxLength: 4 }),
);

function readsOrSysFlowError(bytes: Uint8Array): 'ok' | 'error' {
  try {
    for (const r of readSysFlowSync(bytes)) recordToJSON(r);
    return 'ok';
  } catch (error) {
    if (!(error instanceof SysFlowError)) throw error;
    expect(error.code).toMatch(/^[A-Z_]+$/);
    return 'error';
  }
}

describe('fuzz: mutated sample files only ever raise SysFlowError', () => {
  it('20,000 mutations, synchronous reader (seeded)', () => {
    const outcomes = { ok: 0, error: 0 };
    fc.assert(
      fc.property(arbitrary, ([index, mutations]) => {
        outcomes[readsOrSysFlowError(apply(inputs[index]!, mutations))]++;
      }),
      { seed: 20261123, numRuns: 20_000 },
    );
    // Both outcomes happen: the fuzzer reaches past the header.
    expect(outcomes.error).toBeGreaterThan(1000);
    expect(outcomes.ok).toBeGreaterThan(20);
  });

  it('1,000 mutations through the streaming reader, random chunking (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(arbitrary, fc.nat(), async ([index, mutations], seed) => {
        const bytes = apply(inputs[index]!, mutations);
        const expected = readsOrSysFlowError(bytes);
        try {
          await collect(readSysFlow(randomChunks(bytes, seed)));
          expect(expected).toBe('ok');
        } catch (error) {
          if (!(error instanceof SysFlowError)) throw error;
          expect(expected).toBe('error');
        }
      }),
      { seed: 424242, numRuns: 1_000 },
    );
  });
});
