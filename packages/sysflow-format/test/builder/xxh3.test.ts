import { describe, expect, it } from 'vitest';
import { xxh3_64 } from '../../src/builder/xxh3.js';

/** Bytes `(i * 7 + 3) & 255` for i < n. */
function pattern(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);
}

// Expected values computed with the reference implementation (python-xxhash 3.x, xxHash 0.8).
const VECTORS: [number, string][] = [
  [0, '2d06800538d394c2'],
  [1, '13e608bc156defed'],
  [2, '1c9074b93943b86c'],
  [3, 'a9088dda485b481c'],
  [4, '6d9253b16c8b1ed3'],
  [5, '998620e10e3a4b37'],
  [8, '60539db630471163'],
  [9, 'feff668361d723a8'],
  [15, '9ec169f4a98231c1'],
  [16, 'b8c859b0f030b585'],
  [17, '714a04408e79b80f'],
  [31, 'ed41ac283d0674b3'],
  [32, '19ff4ee1d6ba1a55'],
  [33, '3e44983ad21679c8'],
  [64, '287eb1fa9e4be2c1'],
  [65, '829218de4d798646'],
  [96, 'f084e7cfbc624743'],
  [97, '1daa83271a8e7b7c'],
  [128, '67425a03650261bf'],
  [129, 'c664bf3311c6abc4'],
  [150, 'e2dc8795fca7eee2'],
  [200, '746cd0025327bf5b'],
  [240, '64556dc6b462a6cf'],
  [241, '8beadd3a8874fe17'],
  [300, 'fd9aa0f0d62e0227'],
  [1024, '9b81661c641c72b1'],
  [1025, '806c2072ed713576'],
  [2100, '1ca133696e7da68d'],
];

describe('xxh3_64', () => {
  for (const [n, hex] of VECTORS) {
    it(`matches the reference for a ${n}-byte input`, () => {
      expect(xxh3_64(pattern(n)).toString(16).padStart(16, '0')).toBe(hex);
    });
  }

  it('hashes a subarray by its own bytes, not the whole buffer', () => {
    const big = new Uint8Array(40);
    big.set(pattern(17), 5);
    expect(xxh3_64(big.subarray(5, 22))).toBe(xxh3_64(pattern(17)));
  });
});
