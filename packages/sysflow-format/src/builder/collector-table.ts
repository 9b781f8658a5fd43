import { xxh3_64 } from './xxh3.js';

/**
 * The hash tables of sf-collector, reproduced for their iteration order: the collector writes the flows
 * of a process (at its exit and at the end of the capture) by walking its per-process flow tables, and
 * finds processes by pid by walking its process table, so which record comes first depends on where each
 * key sits in those tables.
 *
 * The collector's tables are google sparsehash `dense_hash_map`s hashed with XXH3 (`XXH3_64bits`, the
 * current collector) or MurmurHash3 (x86, 32 bit, seed 0, older collectors). {@link DenseHashTable} follows that container's rules: a power-of-two bucket array (32 buckets
 * unless sized at construction), open addressing with triangular probing (`+1, +2, +3…` from
 * `hash & (buckets-1)`), growth when more than half the buckets are in use (deleted ones included),
 * erase leaving a "deleted" marker that a later insert may reuse, a shrink check on the first insert
 * after an erase, rehashing by walking the old table in bucket order, `clear()` down to 4 buckets, and
 * iteration in bucket order.
 */

/** Growth factor: a table holds at most this fraction of its buckets (sparsehash `HT_OCCUPANCY_PCT`). */
const ENLARGE_FACTOR = 0.5;
/** Shrink factor (sparsehash `HT_EMPTY_PCT`, a float): below this fraction, a table shrinks. */
const SHRINK_FACTOR = Math.fround(0.2);
/** Smallest bucket count (sparsehash `HT_MIN_BUCKETS`). */
const MIN_BUCKETS = 4;
/** Bucket count of a table built without a size (sparsehash `HT_DEFAULT_STARTING_BUCKETS`). */
const DEFAULT_BUCKETS = 32;

const EMPTY = 0;
const USED = 1;
const DELETED = 2;

function imul(a: number, b: number): number {
  return Math.imul(a, b);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** MurmurHash3, x86 32-bit variant, of `data` (unsigned result). */
export function murmur3x86_32(data: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const len = data.length;
  const blocks = len & ~3;
  let h = seed | 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = imul(rotl(imul(k, c1), 15), c2);
    h = rotl(h ^ k, 13);
    h = (imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    for (let i = tail - 1; i >= 0; i--) k = (k << 8) | data[blocks + i]!;
    h ^= imul(rotl(imul(k, c1), 15), c2);
  }
  h ^= len;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf8 = new TextEncoder();

/**
 * The hash behind the collector's tables: `murmur3` (`MurmurHasher`, MurmurHash3 x86_32 seed 0, the
 * collector's `src/` tree) or `xxh3` (`XXHasher`, `XXH3_64bits`, the collector's `src/libs/` tree).
 */
export type CollectorHash = 'murmur3' | 'xxh3';

/** Low 32 bits of the collector's `size_t` hash of `bytes`. */
export function collectorHash(kind: CollectorHash, bytes: Uint8Array): number {
  if (kind === 'murmur3') return murmur3x86_32(bytes);
  return Number(xxh3_64(bytes) & 0xffffffffn);
}

/** Recently hashed string keys per hash kind (flow keys repeat for every event on an fd). */
const stringHashes: Record<CollectorHash, Map<string, number>> = { murmur3: new Map(), xxh3: new Map() };
const STRING_HASH_CACHE_SIZE = 8192;

/** The hash of a `std::string` key: its (UTF-8) bytes. */
export function hashString(kind: CollectorHash, s: string): number {
  const cache = stringHashes[kind];
  let h = cache.get(s);
  if (h === undefined) {
    h = collectorHash(kind, utf8.encode(s));
    if (cache.size >= STRING_HASH_CACHE_SIZE) cache.clear();
    cache.set(s, h);
  }
  return h;
}

/** The hash of an `OID` key: the 16 bytes of the struct (`int64 createTS`, `int64 hpid`, little-endian). */
export function hashOID(kind: CollectorHash, createTS: bigint, hpid: bigint): number {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, createTS, true);
  v.setBigInt64(8, hpid, true);
  return collectorHash(kind, b);
}

/**
 * A number as the collector writes it into a file flow key (`utils::itoa(v, 10)`): a C `int` (the value
 * truncated to 32 bits) in decimal, `-` first when negative, and **the empty string for 0** — the
 * collector's loop emits one digit per iteration while the value is non-zero, so it emits none for 0.
 * The flow key of fd 0 (stdin) therefore ends with the thread id, which moves it to another bucket.
 */
export function collectorItoa(v: number): string {
  const n = v | 0;
  return n === 0 ? '' : String(n);
}

/**
 * The collector's file flow key: fd name + container id + thread id + fd, the numbers formatted by
 * {@link collectorItoa}.
 */
export function fileFlowKey(fdName: string, containerId: string, tid: number, fd: number): string {
  return `${fdName}${containerId}${collectorItoa(tid)}${collectorItoa(fd)}`;
}

/** Fields of the collector's network flow key (`NFKey`). */
export interface NFKeyFields {
  tid: number | bigint;
  ip1: number;
  port1: number;
  ip2: number;
  port2: number;
  fd: number;
}

/**
 * The hash of an `NFKey`: the 32 bytes of the struct `{uint64 tid; uint32 ip1; uint16 port1; uint32 ip2;
 * uint16 port2; uint32 fd}` as laid out on x86-64 (ip1 at 8, port1 at 12, ip2 at 16, port2 at 20, fd at
 * 24; the padding is zero: the collector value-initializes the key).
 */
export function hashNFKey(kind: CollectorHash, k: NFKeyFields): number {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt.asUintN(64, BigInt(k.tid)), true);
  v.setUint32(8, k.ip1 >>> 0, true);
  v.setUint16(12, k.port1 & 0xffff, true);
  v.setUint32(16, k.ip2 >>> 0, true);
  v.setUint16(20, k.port2 & 0xffff, true);
  v.setUint32(24, k.fd >>> 0, true);
  return collectorHash(kind, b);
}

/** Misuse of a {@link DenseHashTable} (the C++ container's undefined behaviour, made an error). */
export class CollectorTableError extends Error {
  override readonly name = 'CollectorTableError';
}

/** Options of a {@link DenseHashTable}. */
export interface DenseHashTableOptions<K> {
  /** The table's hash of a key: an unsigned 32-bit value (the low half of the collector's `size_t`). */
  hash: (key: K) => number;
  /** Key identity (the table's `equal_to`): two keys with the same id are the same key. */
  id: (key: K) => string;
  /**
   * The C++ key is a pointer (the process table's `OID*`): sparsehash divides such hashes by
   * `sizeof(void*)` (8) before masking. Default `false`.
   */
  pointerKey?: boolean;
  /** The constructor's `expected_max_items_in_table` (0: the default 32 buckets). */
  expectedMaxItems?: number;
}

/** The smallest power-of-two bucket count, at least 4 and `minWanted`, that holds `n` elements. */
function minBuckets(n: number, minWanted: number): number {
  let sz = MIN_BUCKETS;
  while (sz < minWanted || n >= Math.floor(sz * ENLARGE_FACTOR)) sz *= 2;
  return sz;
}

/**
 * A `google::dense_hash_map` as sf-collector uses it: same bucket positions, same growth, shrink and
 * rehash points, same iteration order. Keys are compared by {@link DenseHashTableOptions.id}.
 */
export class DenseHashTable<K, V> {
  private readonly hashFn: (key: K) => number;
  private readonly idFn: (key: K) => string;
  private readonly shift: number;
  private state: Uint8Array;
  private keys: (K | undefined)[];
  private ids: string[];
  private hashes: Uint32Array;
  private vals: (V | undefined)[];
  /** Buckets not empty (used + deleted): sparsehash `num_elements`. */
  private numElements = 0;
  private numDeleted = 0;
  private enlargeThreshold = 0;
  private shrinkThreshold = 0;
  private considerShrink = false;
  /** Bumped whenever the bucket array is rebuilt (iterators check it). */
  private generation = 0;

  constructor(options: DenseHashTableOptions<K>) {
    this.hashFn = options.hash;
    this.idFn = options.id;
    this.shift = options.pointerKey ? 3 : 0;
    const expected = options.expectedMaxItems ?? 0;
    if (!Number.isSafeInteger(expected) || expected < 0)
      throw new CollectorTableError(`expectedMaxItems must be a non-negative integer, got ${expected}`);
    const n = expected === 0 ? DEFAULT_BUCKETS : minBuckets(expected, 0);
    this.state = new Uint8Array(n);
    this.keys = new Array(n);
    this.ids = new Array(n);
    this.hashes = new Uint32Array(n);
    this.vals = new Array(n);
    this.resetThresholds();
  }

  /** Live entries. */
  get size(): number {
    return this.numElements - this.numDeleted;
  }

  /** Buckets of the table (a power of two). */
  get bucketCount(): number {
    return this.state.length;
  }

  /** Deleted markers currently in the table. */
  get deletedCount(): number {
    return this.numDeleted;
  }

  private resetThresholds(): void {
    const n = this.state.length;
    this.enlargeThreshold = Math.floor(n * ENLARGE_FACTOR);
    this.shrinkThreshold = Math.floor(n * SHRINK_FACTOR);
    this.considerShrink = false;
  }

  private home(h: number): number {
    return (h >>> this.shift) & (this.state.length - 1);
  }

  /** [position of the key or -1, where it would be inserted or -1]. */
  private findPosition(id: string, h: number): [number, number] {
    const mask = this.state.length - 1;
    let b = this.home(h);
    let insertAt = -1;
    let probes = 0;
    for (;;) {
      const s = this.state[b]!;
      if (s === EMPTY) return [-1, insertAt === -1 ? b : insertAt];
      if (s === DELETED) {
        if (insertAt === -1) insertAt = b;
      } else if (this.ids[b] === id) return [b, -1];
      probes++;
      if (probes > mask) throw new CollectorTableError('hash table full: no empty bucket on the probe path');
      b = (b + probes) & mask;
    }
  }

  /** Bucket where `key` is, or where it would be inserted (tr1 `bucket()`). */
  bucket(key: K): number {
    const [at, ins] = this.findPosition(this.idFn(key), this.hashFn(key) >>> 0);
    return at >= 0 ? at : ins;
  }

  has(key: K): boolean {
    return this.findIndex(key) >= 0;
  }

  private findIndex(key: K): number {
    if (this.size === 0) return -1;
    return this.findPosition(this.idFn(key), this.hashFn(key) >>> 0)[0];
  }

  get(key: K): V | undefined {
    const i = this.findIndex(key);
    return i >= 0 ? this.vals[i] : undefined;
  }

  /** `map[key] = value`: sets an existing entry in place, else inserts (growing first if needed). */
  set(key: K, value: V): void {
    const id = this.idFn(key);
    const h = this.hashFn(key) >>> 0;
    const [at, ins] = this.findPosition(id, h);
    if (at >= 0) {
      this.vals[at] = value;
      return;
    }
    if (this.resizeDelta(1)) this.insertNoResize(key, id, h, value);
    else this.insertAt(ins, key, id, h, value);
  }

  /** `map.insert({key, value})`: grows first if needed, then inserts unless the key is there. */
  insert(key: K, value: V): boolean {
    this.resizeDelta(1);
    return this.insertNoResize(key, this.idFn(key), this.hashFn(key) >>> 0, value);
  }

  /** `map.erase(key)`: leaves a deleted marker; the next insert considers shrinking. */
  delete(key: K): boolean {
    const i = this.findIndex(key);
    if (i < 0) return false;
    this.markDeleted(i);
    return true;
  }

  /**
   * `map.clear()`: back to the smallest table (4 buckets), unless it is already empty at that size.
   */
  clear(): void {
    const n = minBuckets(0, 0);
    if (this.numElements === 0 && this.state.length === n) return;
    this.clearToSize(n);
  }

  /** Entries in bucket order. Erasing during the walk is allowed (as with the C++ iterators). */
  *entries(): IterableIterator<[K, V]> {
    const gen = this.generation;
    for (let i = 0; i < this.state.length; i++) {
      if (this.generation !== gen)
        throw new CollectorTableError('table rehashed while being iterated (insert during iteration)');
      if (this.state[i] === USED) yield [this.keys[i] as K, this.vals[i] as V];
    }
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  *keysInOrder(): IterableIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  private markDeleted(i: number): void {
    this.state[i] = DELETED;
    this.keys[i] = undefined;
    this.vals[i] = undefined;
    this.ids[i] = '';
    this.numDeleted++;
    this.considerShrink = true;
  }

  private insertNoResize(key: K, id: string, h: number, value: V): boolean {
    const [at, ins] = this.findPosition(id, h);
    if (at >= 0) return false;
    this.insertAt(ins, key, id, h, value);
    return true;
  }

  private insertAt(i: number, key: K, id: string, h: number, value: V): void {
    if (this.state[i] === DELETED) this.numDeleted--;
    else this.numElements++;
    this.state[i] = USED;
    this.keys[i] = key;
    this.ids[i] = id;
    this.hashes[i] = h;
    this.vals[i] = value;
  }

  /** sparsehash `maybe_shrink`: only tables above 32 buckets shrink, never below 32. */
  private maybeShrink(): boolean {
    let did = false;
    const remain = this.size;
    const n = this.state.length;
    if (this.shrinkThreshold > 0 && remain < this.shrinkThreshold && n > DEFAULT_BUCKETS) {
      let sz = n / 2;
      while (sz > DEFAULT_BUCKETS && remain < sz * SHRINK_FACTOR) sz /= 2;
      this.rehash(sz);
      did = true;
    }
    this.considerShrink = false;
    return did;
  }

  /** sparsehash `resize_delta`: true when the table was rebuilt. */
  private resizeDelta(delta: number): boolean {
    let did = false;
    if (this.considerShrink && this.maybeShrink()) did = true;
    const n = this.state.length;
    if (n >= MIN_BUCKETS && this.numElements + delta <= this.enlargeThreshold) return did;
    let needed = minBuckets(this.numElements + delta, 0);
    if (needed <= n) return did;
    let resizeTo = minBuckets(this.numElements - this.numDeleted + delta, n);
    needed = minBuckets(this.numElements - Math.floor(this.numDeleted / 4) + delta, 0);
    if (resizeTo < needed) {
      const target = Math.floor(resizeTo * 2 * SHRINK_FACTOR);
      if (this.numElements - this.numDeleted + delta >= target) resizeTo *= 2;
    }
    this.rehash(resizeTo);
    return true;
  }

  /** The copy constructor with a minimum size: live entries re-inserted in old bucket order. */
  private rehash(minWanted: number): void {
    const oldState = this.state;
    const oldKeys = this.keys;
    const oldIds = this.ids;
    const oldHashes = this.hashes;
    const oldVals = this.vals;
    this.clearToSize(minBuckets(this.size, minWanted));
    const mask = this.state.length - 1;
    for (let i = 0; i < oldState.length; i++) {
      if (oldState[i] !== USED) continue;
      const h = oldHashes[i]!;
      let b = this.home(h);
      let probes = 0;
      while (this.state[b] !== EMPTY) {
        probes++;
        b = (b + probes) & mask;
      }
      this.state[b] = USED;
      this.keys[b] = oldKeys[i];
      this.ids[b] = oldIds[i]!;
      this.hashes[b] = h;
      this.vals[b] = oldVals[i];
      this.numElements++;
    }
  }

  private clearToSize(n: number): void {
    this.state = new Uint8Array(n);
    this.keys = new Array(n);
    this.ids = new Array(n);
    this.hashes = new Uint32Array(n);
    this.vals = new Array(n);
    this.numElements = 0;
    this.numDeleted = 0;
    this.generation++;
    this.resetThresholds();
  }
}
