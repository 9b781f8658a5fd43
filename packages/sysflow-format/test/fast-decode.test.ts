import { parseSchema, readSysFlowSync } from '@sysray/sysflow-format';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AvscType } from '../src/avro-types.js';
import { readerSchema } from '../src/avro-types.js';
import { compileFastDecoder, type FastDecodeFn } from '../src/fast-decode.js';
import { readBytes, sampleFiles } from './helpers/testdata.js';

const decoders = new Map<AvscType, FastDecodeFn>();

/** Decodes `bytes` with the generated decoder and checks it consumed all of them. */
function fastDecode(type: AvscType, bytes: Buffer): unknown {
  let decode = decoders.get(type);
  if (!decode) {
    decode = compileFastDecoder(type);
    if (!decode) throw new Error(`no generated decoder for ${type.typeName}`);
    decoders.set(type, decode);
  }
  const cursor = { p: 0, e: bytes.length };
  const value = decode(bytes, cursor);
  expect(cursor.p).toBe(bytes.length);
  return value;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

describe('generated decoders read what avsc writes, to the values avsc reads', () => {
  it('longs: every 64-bit value, including the varint length boundaries and the extremes', () => {
    const type = parseSchema('long') as AvscType;
    const edges = [
      0n,
      1n,
      -1n,
      63n,
      -64n,
      64n,
      -65n,
      2n ** 31n,
      -(2n ** 31n),
      2n ** 53n + 1n,
      INT64_MIN,
      INT64_MAX,
    ];
    for (let bits = 6n; bits < 63n; bits += 7n)
      edges.push(2n ** bits - 1n, 2n ** bits, -(2n ** bits), -(2n ** bits) - 1n);
    edges.push(1_700_000_000_123_456_789n);
    for (const v of edges) expect(fastDecode(type, type.toBuffer(v))).toBe(v);
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (v) => {
        expect(fastDecode(type, type.toBuffer(v))).toBe(v);
      }),
      { numRuns: 2000 },
    );
  });

  it('ints, strings (ASCII and UTF-8, short and long), booleans, doubles, bytes', () => {
    const type = parseSchema({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'i', type: 'int' },
        { name: 's', type: 'string' },
        { name: 'b', type: 'boolean' },
        { name: 'd', type: 'double' },
        { name: 'f', type: 'float' },
        { name: 'y', type: 'bytes' },
      ],
    }) as AvscType;
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.boolean(),
        fc.double({ noNaN: true }),
        fc.uint8Array({ maxLength: 40 }),
        (i, s, b, d, y) => {
          const value = { i, s, b, d, f: Math.fround(1.5), y: Buffer.from(y) };
          const bytes = type.toBuffer(value);
          expect(fastDecode(type, bytes)).toEqual(type.fromBuffer(bytes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arrays and maps in several blocks, including blocks with a negative count and a byte size', () => {
    const arrays = parseSchema({ type: 'array', items: 'string' }) as AvscType;
    const maps = parseSchema({ type: 'map', values: 'int' }) as AvscType;
    // [count 2 as -2, byte size, "a", "bc"], [count 1, "d"], end
    const arrayBytes = Buffer.from([3, 10, 2, 0x61, 4, 0x62, 0x63, 2, 2, 0x64, 0]);
    expect(fastDecode(arrays, arrayBytes)).toEqual(['a', 'bc', 'd']);
    expect(fastDecode(arrays, arrayBytes)).toEqual(arrays.fromBuffer(arrayBytes));
    const value = { x: 1, y: -2, z: 300 };
    expect(fastDecode(maps, maps.toBuffer(value))).toEqual(value);
  });

  it('every SysFlow v5 record type: random records decode as avsc decodes them', () => {
    for (const type of readerSchema().branches) {
      for (let n = 0; n < 50; n++) {
        const bytes = type.toBuffer(type.random());
        expect(fastDecode(type, bytes)).toEqual(type.fromBuffer(bytes));
      }
    }
  });

  it('real collector files read the same through generated decoders as through avsc', () => {
    for (const [name, path] of sampleFiles()) {
      const records = readSysFlowSync(readBytes(path));
      expect(records.length, name).toBeGreaterThan(0);
      for (const record of records) {
        const type = readerSchema().branches.find((b) => b.name?.endsWith(`.${record.type}`))!;
        const bytes = type.toBuffer(record.rec);
        expect(fastDecode(type, bytes), `${name} ${record.type}`).toEqual(type.fromBuffer(bytes));
      }
    }
  });
});

describe('decoded values are shared only where that cannot be seen', () => {
  const strings = parseSchema({ type: 'array', items: 'string' }) as AvscType;
  const str = parseSchema('string') as AvscType;
  const longs = parseSchema({ type: 'array', items: 'long' }) as AvscType;

  it('a repeated array of strings comes back as a new array each time: mutating one changes no other', () => {
    const env = Array.from({ length: 12 }, (_, i) => `VAR_${i}=value-number-${i}`);
    const bytes = strings.toBuffer(env);
    const first = fastDecode(strings, bytes) as string[];
    first.push('ADDED');
    first[0] = 'CHANGED';
    const second = fastDecode(strings, bytes) as string[];
    expect(second).toEqual(env);
    expect(second).not.toBe(first);
    second.length = 0;
    expect(fastDecode(strings, bytes)).toEqual(env);
  });

  it('strings and arrays that agree in every byte the cache looks up by, but differ elsewhere, decode apart', () => {
    // Strings over 16 bytes are looked up by their length, first and last 8 bytes and middle byte.
    for (let round = 0; round < 3; round++) {
      for (const c of 'abcdefgh') {
        const s = `AAAAAAAA${c}xZZZZZZZZZ`;
        expect(fastDecode(str, str.toBuffer(s))).toBe(s);
      }
    }
    // Long strings (over 256 bytes) by their length and first and last 16 bytes.
    for (let round = 0; round < 2; round++) {
      for (const c of 'xyz') {
        const s = `${'p'.repeat(100)}${c}${'q'.repeat(200)}`;
        expect(fastDecode(str, str.toBuffer(s))).toBe(s);
      }
    }
    // Strings longer than the cache keeps (16 KiB) take the plain decoding path.
    for (let round = 0; round < 2; round++) {
      const s = `${'h'.repeat(20000)}${round}`;
      expect(fastDecode(str, str.toBuffer(s))).toBe(s);
    }
    // Arrays of strings by their first 32 bytes (two per slot): here three arrays share them.
    for (let round = 0; round < 3; round++) {
      for (const c of 'klm') {
        const a = ['HEAD=0123456789abcdef0123456789abcdef', `MIDDLE=${c}${'-'.repeat(30)}`, 'TAIL=0123'];
        expect(fastDecode(strings, strings.toBuffer(a))).toEqual(a);
      }
    }
    // An array whose bytes begin with a whole cached array, then go on, is not taken for it.
    const short = ['HEAD=0123456789abcdef0123456789abcdef', 'X'.repeat(40)];
    const shortBytes = strings.toBuffer(short);
    expect(fastDecode(strings, shortBytes)).toEqual(short);
    // The same first block, then a second block of one more item instead of the end marker.
    const twoBlocks = Buffer.concat([
      shortBytes.subarray(0, -1),
      Buffer.from([2, 8, 0x4d, 0x4f, 0x52, 0x45, 0]),
    ]);
    expect(fastDecode(strings, twoBlocks)).toEqual([...short, 'MORE']);
    // A cached array followed by more data: the cursor stops after the array.
    const followed = Buffer.concat([shortBytes, Buffer.from([2, 0x41])]);
    const cursor = { p: 0, e: followed.length };
    const decode = compileFastDecoder(strings)!;
    expect(decode(followed, cursor)).toEqual(short);
    expect(cursor.p).toBe(shortBytes.length);
  });

  it('non-ASCII and invalid UTF-8 strings are decoded every time, never taken for cached ASCII ones', () => {
    const s = 'café-über-naïve-日本語-path';
    for (let i = 0; i < 3; i++) expect(fastDecode(str, str.toBuffer(s))).toBe(s);
    // "abc\xff" decodes to "abc\ufffd", which must not later match the bytes of another string.
    const bad = Buffer.from([8, 0x61, 0x62, 0x63, 0xff]);
    expect(fastDecode(str, bad)).toBe('abc\ufffd');
    expect(fastDecode(str, bad)).toBe('abc\ufffd');
    expect(fastDecode(str, str.toBuffer('abc\u00ff'))).toBe('abc\u00ff');
  });

  it('repeated and changing longs decode to their values (cached bigints are keyed by all 64 bits)', () => {
    const values = [
      120512n,
      1588262426778371797n,
      120512n,
      120512n + (1n << 32n),
      -120512n,
      1588262426778371797n,
      1588262426778371797n ^ (1n << 40n),
      0n,
    ];
    for (let i = 0; i < 3; i++) expect(fastDecode(longs, longs.toBuffer(values))).toEqual(values);
  });
});
