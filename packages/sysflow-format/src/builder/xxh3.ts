/**
 * XXH3 64-bit (xxHash ≥ 0.8, seed 0, default secret): the hash sf-collector's tables use
 * (`XXH3_64bits`). Written over BigInt: keys are short (flow keys, 16-byte OIDs, 32-byte NFKeys).
 */

const M64 = (1n << 64n) - 1n;
const P32_1 = 0x9e3779b1n;
const P32_2 = 0x85ebca77n;
const P32_3 = 0xc2b2ae3dn;
const P64_1 = 0x9e3779b185ebca87n;
const P64_2 = 0xc2b2ae3d27d4eb4fn;
const P64_3 = 0x165667b19e3779f9n;
const P64_4 = 0x85ebca77c2b2ae63n;
const P64_5 = 0x27d4eb2f165667c5n;
const PRIME_MX1 = 0x165667919e3779f9n;
const PRIME_MX2 = 0x9fb21c651e98df25n;

/** The default 192-byte secret (`XXH3_kSecret`). */
const SECRET = Uint8Array.from(
  (
    'b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f' +
    'cb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c' +
    '3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8' +
    'a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364' +
    'eac5ac8334d3ebc3c581a0fffa1363eb170ddd51b7f0da49d316552629d4689e' +
    '2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e'
  )
    .match(/../g)!
    .map((h) => Number.parseInt(h, 16)),
);
const SECRET_VIEW = new DataView(SECRET.buffer);

function le64(v: DataView, off: number): bigint {
  return v.getBigUint64(off, true);
}

function le32(v: DataView, off: number): bigint {
  return BigInt(v.getUint32(off, true));
}

function mul(a: bigint, b: bigint): bigint {
  return (a * b) & M64;
}

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64;
}

function swap64(x: bigint): bigint {
  let r = 0n;
  for (let i = 0; i < 8; i++) {
    r = (r << 8n) | (x & 0xffn);
    x >>= 8n;
  }
  return r;
}

function fold(a: bigint, b: bigint): bigint {
  const p = a * b;
  return (p & M64) ^ (p >> 64n);
}

function avalanche64(h: bigint): bigint {
  h ^= h >> 33n;
  h = mul(h, P64_2);
  h ^= h >> 29n;
  h = mul(h, P64_3);
  return h ^ (h >> 32n);
}

function avalanche3(h: bigint): bigint {
  h ^= h >> 37n;
  h = mul(h, PRIME_MX1);
  return h ^ (h >> 32n);
}

function rrmxmx(h: bigint, len: number): bigint {
  h ^= rotl64(h, 49n) ^ rotl64(h, 24n);
  h = mul(h, PRIME_MX2);
  h ^= ((h >> 35n) + BigInt(len)) & M64;
  h = mul(h, PRIME_MX2);
  return h ^ (h >> 28n);
}

function mix16(v: DataView, off: number, s: number): bigint {
  return fold(le64(v, off) ^ le64(SECRET_VIEW, s), le64(v, off + 8) ^ le64(SECRET_VIEW, s + 8));
}

function short(v: DataView, len: number): bigint {
  if (len > 8) {
    const lo = le64(v, 0) ^ (le64(SECRET_VIEW, 24) ^ le64(SECRET_VIEW, 32));
    const hi = le64(v, len - 8) ^ (le64(SECRET_VIEW, 40) ^ le64(SECRET_VIEW, 48));
    return avalanche3((BigInt(len) + swap64(lo) + hi + fold(lo, hi)) & M64);
  }
  if (len >= 4) {
    const in64 = le32(v, len - 4) + (le32(v, 0) << 32n);
    return rrmxmx(in64 ^ (le64(SECRET_VIEW, 8) ^ le64(SECRET_VIEW, 16)), len);
  }
  if (len > 0) {
    const c1 = BigInt(v.getUint8(0));
    const c2 = BigInt(v.getUint8(len >> 1));
    const c3 = BigInt(v.getUint8(len - 1));
    const combined = (c1 << 16n) | (c2 << 24n) | c3 | (BigInt(len) << 8n);
    return avalanche64(combined ^ (le32(SECRET_VIEW, 0) ^ le32(SECRET_VIEW, 4)));
  }
  return avalanche64(le64(SECRET_VIEW, 56) ^ le64(SECRET_VIEW, 64));
}

function upTo128(v: DataView, len: number): bigint {
  let acc = mul(BigInt(len), P64_1);
  if (len > 32) {
    if (len > 64) {
      if (len > 96) {
        acc += mix16(v, 48, 96) + mix16(v, len - 64, 112);
      }
      acc += mix16(v, 32, 64) + mix16(v, len - 48, 80);
    }
    acc += mix16(v, 16, 32) + mix16(v, len - 32, 48);
  }
  acc += mix16(v, 0, 0) + mix16(v, len - 16, 16);
  return avalanche3(acc & M64);
}

function upTo240(v: DataView, len: number): bigint {
  let acc = mul(BigInt(len), P64_1);
  for (let i = 0; i < 8; i++) acc += mix16(v, 16 * i, 16 * i);
  acc = avalanche3(acc & M64);
  let end = mix16(v, len - 16, 136 - 17);
  const rounds = Math.floor(len / 16);
  for (let i = 8; i < rounds; i++) end += mix16(v, 16 * i, 16 * (i - 8) + 3);
  return avalanche3((acc + end) & M64);
}

function accumulate(acc: bigint[], v: DataView, off: number, s: number): void {
  for (let i = 0; i < 8; i++) {
    const data = le64(v, off + 8 * i);
    const key = data ^ le64(SECRET_VIEW, s + 8 * i);
    acc[i ^ 1] = (acc[i ^ 1]! + data) & M64;
    acc[i] = (acc[i]! + (key & 0xffffffffn) * (key >> 32n)) & M64;
  }
}

function scramble(acc: bigint[]): void {
  const s = SECRET.length - 64;
  for (let i = 0; i < 8; i++) {
    let a = acc[i]!;
    a ^= a >> 47n;
    a ^= le64(SECRET_VIEW, s + 8 * i);
    acc[i] = mul(a, P32_1);
  }
}

function long(v: DataView, len: number): bigint {
  const acc = [P32_3, P64_1, P64_2, P64_3, P64_4, P32_2, P64_5, P32_1];
  const stripesPerBlock = (SECRET.length - 64) / 8;
  const blockLen = 64 * stripesPerBlock;
  const blocks = Math.floor((len - 1) / blockLen);
  for (let b = 0; b < blocks; b++) {
    for (let n = 0; n < stripesPerBlock; n++) accumulate(acc, v, b * blockLen + n * 64, n * 8);
    scramble(acc);
  }
  const stripes = Math.floor((len - 1 - blockLen * blocks) / 64);
  for (let n = 0; n < stripes; n++) accumulate(acc, v, blocks * blockLen + n * 64, n * 8);
  accumulate(acc, v, len - 64, SECRET.length - 64 - 7);
  let r = mul(BigInt(len), P64_1);
  for (let i = 0; i < 4; i++) {
    r += fold(
      acc[2 * i]! ^ le64(SECRET_VIEW, 11 + 16 * i),
      acc[2 * i + 1]! ^ le64(SECRET_VIEW, 11 + 16 * i + 8),
    );
  }
  return avalanche3(r & M64);
}

/** `XXH3_64bits(data)`: the unsigned 64-bit hash. */
export function xxh3_64(data: Uint8Array): bigint {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const len = data.length;
  if (len <= 16) return short(v, len);
  if (len <= 128) return upTo128(v, len);
  if (len <= 240) return upTo240(v, len);
  return long(v, len);
}
