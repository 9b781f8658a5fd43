import { describe, expect, it } from 'vitest';
import {
  CollectorTableError,
  collectorHash,
  collectorItoa,
  DenseHashTable,
  fileFlowKey,
  hashNFKey,
  hashOID,
  hashString,
  murmur3x86_32,
} from '../../src/builder/collector-table.js';
import { xxh3_64 } from '../../src/builder/xxh3.js';

const enc = new TextEncoder();

/** A table whose keys are `"<hash>:<tag>"`: the hash is the number before the colon. */
function table(options: { expectedMaxItems?: number; pointerKey?: boolean } = {}) {
  return new DenseHashTable<string, string>({
    hash: (k) => Number(k.split(':')[0]),
    id: (k) => k,
    ...options,
  });
}

function keys(t: DenseHashTable<string, string>): string[] {
  return [...t.keysInOrder()];
}

describe('murmur3x86_32 (the MurmurHasher of older collectors)', () => {
  // Reference values of MurmurHash3_x86_32 (python mmh3, unsigned).
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['abc', 0, 0xb3dd93fa],
    ['hello', 0, 0x248bfa47],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
  ])('hash of %j with seed %i is the reference value', (s, seed, want) => {
    expect(murmur3x86_32(enc.encode(s), seed)).toBe(want);
  });

  it('hashes bytes above 0x7f as unsigned', () => {
    expect(murmur3x86_32(Uint8Array.of(0xff, 0xfe, 0xfd), 0x9747b28c)).toBe(0x3831db5a);
  });
});

describe('key hashes', () => {
  it('xxh3 keys hash to the low 32 bits of XXH3_64bits', () => {
    const k = '/dev/pts/0c010f5a085491205121';
    expect(hashString('xxh3', k)).toBe(Number(xxh3_64(enc.encode(k)) & 0xffffffffn));
    expect(hashString('murmur3', k)).toBe(murmur3x86_32(enc.encode(k)));
  });

  it('OID keys hash the 16 little-endian bytes createTS, hpid', () => {
    const b = new Uint8Array(16);
    new DataView(b.buffer).setBigInt64(0, 1554493624367885405n, true);
    new DataView(b.buffer).setBigInt64(8, 8084n, true);
    expect(hashOID('xxh3', 1554493624367885405n, 8084n)).toBe(collectorHash('xxh3', b));
  });

  it('NFKey keys hash the 32-byte x86-64 struct layout with zero padding', () => {
    const b = new Uint8Array(32);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, 13824n, true);
    v.setUint32(8, 0x0100007f, true);
    v.setUint16(12, 40556, true);
    v.setUint32(16, 0x0100007f, true);
    v.setUint16(20, 80, true);
    v.setUint32(24, 3, true);
    const k = { tid: 13824, ip1: 0x0100007f, port1: 40556, ip2: 0x0100007f, port2: 80, fd: 3 };
    expect(hashNFKey('murmur3', k)).toBe(murmur3x86_32(b));
    expect(hashNFKey('xxh3', k)).toBe(collectorHash('xxh3', b));
  });
});

describe('file flow keys (fd name + container id + tid + fd, as the collector formats them)', () => {
  it('formats numbers in decimal, with a minus sign when negative', () => {
    expect(collectorItoa(120512)).toBe('120512');
    expect(collectorItoa(7)).toBe('7');
    expect(collectorItoa(-12)).toBe('-12');
  });

  it("formats 0 as the empty string (the collector's itoa writes no digit for 0)", () => {
    expect(collectorItoa(0)).toBe('');
    expect(fileFlowKey('/dev/pts/0', 'c010f5a08549', 120512, 0)).toBe('/dev/pts/0c010f5a08549120512');
    expect(fileFlowKey('/dev/pts/0', 'c010f5a08549', 120512, 1)).toBe('/dev/pts/0c010f5a085491205121');
  });

  it('truncates to a 32-bit C int', () => {
    expect(collectorItoa(2 ** 32 + 5)).toBe('5');
    expect(collectorItoa(2 ** 31)).toBe('-2147483648');
    expect(fileFlowKey('/tmp/x', '', 2 ** 32, 3)).toBe('/tmp/x3');
  });

  it('the empty fd digit moves fd 0 to another bucket (alpine_alpine: before the fd 1 flows)', () => {
    const t = new DenseHashTable<string, number>({ hash: (k) => hashString('xxh3', k), id: (k) => k });
    const stdin = fileFlowKey('/dev/pts/0', 'c010f5a08549', 120512, 0);
    const redirected = fileFlowKey('/tmp/test', 'c010f5a08549', 120512, 1);
    const stdout = fileFlowKey('/dev/pts/0', 'c010f5a08549', 120512, 1);
    t.set(stdin, 0);
    t.set(stdout, 1);
    t.set(redirected, 2);
    expect([...t.values()]).toEqual([0, 2, 1]);
    // With a "0" digit the stdin flow would sit after the redirected one.
    const u = new DenseHashTable<string, number>({ hash: (k) => hashString('xxh3', k), id: (k) => k });
    u.set(`${stdin}0`, 0);
    u.set(stdout, 1);
    u.set(redirected, 2);
    expect([...u.values()]).toEqual([2, 0, 1]);
  });
});

describe('DenseHashTable (google dense_hash_map semantics)', () => {
  it('starts with 32 buckets and iterates in bucket order (hash & 31), not insertion order', () => {
    const t = table();
    for (const k of ['40:a', '3:b', '31:c', '64:d']) t.set(k, k);
    expect(t.bucketCount).toBe(32);
    // 40 & 31 = 8, 3, 31, 64 & 31 = 0
    expect(keys(t)).toEqual(['64:d', '3:b', '40:a', '31:c']);
  });

  it('sizes a table built for N items to the smallest power of two holding N at half load', () => {
    expect(table({ expectedMaxItems: 50000 }).bucketCount).toBe(131072);
    expect(table({ expectedMaxItems: 16 }).bucketCount).toBe(64);
    expect(table({ expectedMaxItems: 15 }).bucketCount).toBe(32);
  });

  it('resolves collisions with triangular probing: +1, +2, +3 … from the home bucket', () => {
    const t = table();
    for (const tag of ['a', 'b', 'c', 'd']) t.set(`5:${tag}`, tag);
    expect(['a', 'b', 'c', 'd'].map((tag) => t.bucket(`5:${tag}`))).toEqual([5, 6, 8, 11]);
    // wraps around the end of the table
    for (const tag of ['a', 'b', 'c']) t.set(`30:${tag}`, tag);
    expect(['a', 'b', 'c'].map((tag) => t.bucket(`30:${tag}`))).toEqual([30, 31, 1]);
  });

  it('setting an existing key keeps its bucket', () => {
    const t = table();
    t.set('7:a', 'x');
    t.set('7:b', 'y');
    t.set('7:a', 'z');
    expect(t.get('7:a')).toBe('z');
    expect(t.bucket('7:a')).toBe(7);
    expect(t.size).toBe(2);
  });

  it('erase leaves a deleted marker that the next insert on its probe path takes over', () => {
    const t = table();
    t.set('9:a', 'a');
    t.set('9:b', 'b'); // bucket 10
    t.set('9:c', 'c'); // bucket 12
    t.delete('9:a');
    expect(t.deletedCount).toBe(1);
    expect(t.has('9:b')).toBe(true); // still found past the marker
    t.set('9:d', 'd'); // first deleted bucket on the path: 9
    expect(t.bucket('9:d')).toBe(9);
    expect(keys(t)).toEqual(['9:d', '9:b', '9:c']);
    expect(t.deletedCount).toBe(0);
  });

  it('grows to 64 buckets when an insert would put more than 16 used buckets in 32', () => {
    const t = table();
    for (let i = 0; i < 16; i++) t.set(`${i}:x`, 'v');
    expect(t.bucketCount).toBe(32);
    t.set('100:x', 'v');
    expect(t.bucketCount).toBe(64);
    expect(t.bucket('100:x')).toBe(100 & 63);
  });

  it('rehashes by walking the old table in bucket order (earlier buckets win collisions)', () => {
    const t = table();
    // 33 and 1 collide in 32 buckets (home 1); 65 lands in 64 buckets on 1 as well.
    t.set('1:a', 'a');
    t.set('33:b', 'b'); // bucket 2 in the 32-bucket table
    for (let i = 0; i < 14; i++) t.set(`${10 + i}:f`, 'f'); // fill buckets 10..23
    t.set('65:c', 'c'); // 17th element: grows to 64 first
    expect(t.bucketCount).toBe(64);
    expect(t.bucket('1:a')).toBe(1);
    expect(t.bucket('33:b')).toBe(33);
    expect(t.bucket('65:c')).toBe(2); // 1 is taken by 1:a, next probe 2
  });

  it('deleted markers count toward growth; a rebuild then drops them without growing', () => {
    const t = table();
    for (let i = 0; i < 16; i++) t.set(`${i}:x`, 'v');
    for (let i = 0; i < 10; i++) t.delete(`${i}:x`);
    expect(t.bucketCount).toBe(32);
    t.set('20:y', 'v'); // 16 used buckets + 1 > 16: rebuilt at 32 buckets, markers gone
    expect(t.bucketCount).toBe(32);
    expect(t.deletedCount).toBe(0);
    expect(t.size).toBe(7);
  });

  it('shrinks (never below 32 buckets) on the first insert after an erase, not on the erase', () => {
    const t = table();
    for (let i = 0; i < 40; i++) t.set(`${i}:x`, 'v');
    expect(t.bucketCount).toBe(128);
    for (let i = 0; i < 36; i++) t.delete(`${i}:x`);
    expect(t.bucketCount).toBe(128);
    t.set('1000:y', 'v');
    expect(t.bucketCount).toBe(32);
    expect(t.size).toBe(5);
    expect(keys(t)).toEqual(['36:x', '37:x', '38:x', '39:x', '1000:y']); // buckets 4..8
  });

  it('clear() goes down to 4 buckets, which then grow 4 → 8 → 16', () => {
    const t = table();
    t.set('3:a', 'a');
    t.clear();
    expect(t.bucketCount).toBe(4);
    expect(t.size).toBe(0);
    t.set('5:a', 'a');
    t.set('6:a', 'a');
    expect(t.bucketCount).toBe(4);
    t.set('7:a', 'a');
    expect(t.bucketCount).toBe(8);
    expect(keys(t)).toEqual(['5:a', '6:a', '7:a']);
  });

  it('pointer keys (the process table) divide the hash by 8 before masking', () => {
    const t = table({ pointerKey: true });
    t.set('8:a', 'a'); // 8 / 8 = 1
    t.set('16:b', 'b'); // 2
    t.set('7:c', 'c'); // 0
    expect(keys(t)).toEqual(['7:c', '8:a', '16:b']);
  });

  it('allows erasing while iterating (the walk skips the new markers)', () => {
    const t = table();
    for (const k of ['1:a', '2:b', '3:c', '4:d']) t.set(k, k);
    const seen: string[] = [];
    for (const [k] of t) {
      seen.push(k);
      if (k === '1:a') t.delete('3:c');
      t.delete(k);
    }
    expect(seen).toEqual(['1:a', '2:b', '4:d']);
    expect(t.size).toBe(0);
  });

  it('rejects an insert that rebuilds the table during a walk, and bad sizes', () => {
    const t = table();
    for (let i = 0; i < 16; i++) t.set(`${i}:x`, 'v');
    expect(() => {
      for (const [k] of t) t.set(`${k}-more`.replace(':', '0:'), 'v');
    }).toThrow(CollectorTableError);
    expect(() => table({ expectedMaxItems: -1 })).toThrow(CollectorTableError);
  });
});
