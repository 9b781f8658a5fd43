/**
 * Decoders generated once per record type: straight-line JavaScript that reads a record from its Avro
 * bytes into the same value avsc's `Type.decode` returns for our parsed schemas (longs as `bigint`,
 * `["null", X]` unions unwrapped, enums as symbols, bytes and fixed as `Buffer` copies, maps as plain
 * objects), without avsc's per-long `Buffer` slices and tap objects.
 *
 * Repeated values cost little: recent strings, arrays of strings (environments) and longs are kept in
 * small direct-mapped caches and reused when the same bytes come again. Only immutable values are shared
 * (strings, bigints); a cached array of strings is handed out as a new array every time.
 *
 * Every read is bounds-checked against the cursor's end, and lengths, counts, union and enum indexes are
 * validated as the block walk ({@link compileSkipper}) validates them: malformed data throws
 * {@link MalformedValue} with the position, never reads past the data or allocates from a corrupt count.
 */
import type { AvscType } from './avro-types.js';
import { MAX_EMPTY_ITEMS, MalformedValue, minBytes, varintAt, varintEnd } from './validate.js';

/** Read position, shared by a generated decoder and its helpers (one per decoder, reused). */
export interface DecodeCursor {
  /** Next byte to read. */
  p: number;
  /** End of the data (exclusive). */
  e: number;
}

/** A generated decoder: the value at `c.p`, leaving `c.p` after it. */
export type FastDecodeFn = (d: Buffer, c: DecodeCursor) => unknown;

/**
 * Zigzag varint as a double (exact up to 2^53; ints and lengths). Varints of up to four bytes (values
 * below 2^27 in magnitude: lengths, counts, most ints) in integer arithmetic; longer ones, and any within
 * four bytes of the end, by the block walk's bounds-checked reader.
 */
function rNum(d: Buffer, c: DecodeCursor): number {
  const p = c.p;
  if (c.e - p >= 4) {
    let b = d[p]!;
    if (b < 0x80) {
      c.p = p + 1;
      return (b >>> 1) ^ -(b & 1);
    }
    let raw = b & 0x7f;
    b = d[p + 1]!;
    raw |= (b & 0x7f) << 7;
    if (b < 0x80) {
      c.p = p + 2;
      return (raw >>> 1) ^ -(raw & 1);
    }
    b = d[p + 2]!;
    raw |= (b & 0x7f) << 14;
    if (b < 0x80) {
      c.p = p + 3;
      return (raw >>> 1) ^ -(raw & 1);
    }
    b = d[p + 3]!;
    raw |= (b & 0x7f) << 21;
    if (b < 0x80) {
      c.p = p + 4;
      return (raw >>> 1) ^ -(raw & 1);
    }
  }
  const v = varintAt(d, p, c.e);
  c.p = varintEnd();
  return v;
}

/** A length (strings, bytes): not negative and within the data. */
function rLen(d: Buffer, c: DecodeCursor): number {
  const at = c.p;
  const len = rNum(d, c);
  if (len < 0) throw new MalformedValue(`negative length ${len}`, at);
  if (len > c.e - c.p) throw new MalformedValue(`length ${len} runs past the end of the data`, at);
  return len;
}

/** One-byte longs (zigzag 0..127 → 0, -1, 1, … -64), made once. */
const SMALL_LONGS: readonly bigint[] = Array.from({ length: 128 }, (_, z) =>
  BigInt(z % 2 === 0 ? z / 2 : -(z + 1) / 2),
);
/** Two 32-bit halves viewed as one signed 64-bit integer: one `bigint` allocation per long. */
const halves = new Uint32Array(2);
const asInt64 = new BigInt64Array(halves.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = littleEndian ? 0 : 1;
const HI = 1 - LO;

/**
 * Recently decoded longs, direct-mapped by their two halves (bigints are immutable: sharing one between
 * records is invisible). Slot 0..n starts as 0 ↔ `0n`, itself a valid entry.
 */
const LONG_CACHE_BITS = 10;
const LONG_CACHE_SHIFT = 32 - LONG_CACHE_BITS;
const longLo = new Int32Array(1 << LONG_CACHE_BITS);
const longHi = new Int32Array(1 << LONG_CACHE_BITS);
const longVal: bigint[] = new Array<bigint>(1 << LONG_CACHE_BITS).fill(0n);

/** Zigzag varint as a `bigint` (Avro long, all 64 bits). */
function rLong(d: Buffer, c: DecodeCursor): bigint {
  let p = c.p;
  if (c.e - p < 10) return rLongNearEnd(d, c);
  let b = d[p++]!;
  if ((b & 0x80) === 0) {
    c.p = p;
    return SMALL_LONGS[b]!;
  }
  // The raw 64-bit value as two 32-bit halves: bytes 0-3 fill bits 0-27, byte 4 bits 28-34, bytes 5-9 the rest.
  let lo = b & 0x7f;
  let hi = 0;
  b = d[p++]!;
  lo |= (b & 0x7f) << 7;
  if (b & 0x80) {
    b = d[p++]!;
    lo |= (b & 0x7f) << 14;
    if (b & 0x80) {
      b = d[p++]!;
      lo |= (b & 0x7f) << 21;
      if (b & 0x80) {
        b = d[p++]!;
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >>> 4;
        let shift = 3;
        while (b & 0x80) {
          if (shift > 31) throw new MalformedValue('varint longer than 10 bytes', c.p);
          b = d[p++]!;
          hi |= (b & 0x7f) << shift;
          shift += 7;
        }
      }
    }
  }
  c.p = p;
  // Zigzag: shift the 64-bit value right by one, then flip every bit when the low bit was set.
  const negative = lo & 1;
  lo = (lo >>> 1) | ((hi & 1) << 31);
  hi = hi >>> 1;
  if (negative) {
    lo = ~lo;
    hi = ~hi;
  }
  // Pids, thread ids and process creation times repeat from record to record: reuse their bigint.
  const slot = (Math.imul(lo ^ Math.imul(hi, 0x2c1b3c6d), 0x9e3779b1) >>> LONG_CACHE_SHIFT) | 0;
  if (longLo[slot] === lo && longHi[slot] === hi) return longVal[slot]!;
  halves[LO] = lo;
  halves[HI] = hi;
  const v = asInt64[0]!;
  longLo[slot] = lo;
  longHi[slot] = hi;
  longVal[slot] = v;
  return v;
}

/** {@link rLong} within 10 bytes of the end of the data: every byte checked. */
function rLongNearEnd(d: Buffer, c: DecodeCursor): bigint {
  const start = c.p;
  let v = 0n;
  let shift = 0n;
  let p = start;
  for (;;) {
    if (p >= c.e) throw new MalformedValue('varint runs past the end of the data', start);
    if (p - start === 10) throw new MalformedValue('varint longer than 10 bytes', start);
    const b = d[p++]!;
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7n;
  }
  c.p = p;
  v = BigInt.asUintN(64, v);
  return BigInt.asIntN(64, (v >> 1n) ^ -(v & 1n));
}

/**
 * Recently decoded ASCII strings, direct-mapped by a hash of their bytes: SysFlow strings repeat (paths,
 * executables, user names, container ids, environment entries), and a string found here, once its
 * bytes are compared, is returned as is (strings are immutable) instead of being decoded again.
 * Non-ASCII strings are not kept.
 */
const STR_CACHE_BITS = 12;
const STR_CACHE_MASK = (1 << STR_CACHE_BITS) - 1;
/** Longest string kept in the cache. */
const STR_CACHE_MAX = 256;
const strVal: string[] = new Array<string>(1 << STR_CACHE_BITS).fill('');
const strHash = new Int32Array(1 << STR_CACHE_BITS);

/**
 * Recently decoded long strings (long environment entries such as `LS_COLORS`), with their bytes: found
 * by their length and first and last bytes, checked with a native compare of all their bytes.
 */
const LONG_STR_BITS = 8;
/** Longest string kept (bounds the cache: 256 strings of at most 16 KiB). */
const LONG_STR_MAX = 16 * 1024;
const longStrVal: string[] = new Array<string>(1 << LONG_STR_BITS).fill('');
const longStrBytes: (Buffer | undefined)[] = new Array<Buffer | undefined>(1 << LONG_STR_BITS);

function longStr(d: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len > LONG_STR_MAX) return d.toString('utf8', start, end);
  let h = Math.imul(0x811c9dc5 ^ len, 0x01000193);
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ d[start + i]! ^ (d[end - 1 - i]! << 8), 0x01000193);
  const slot = (h ^ (h >>> LONG_STR_BITS) ^ (h >>> 24)) & ((1 << LONG_STR_BITS) - 1);
  const bytes = longStrBytes[slot];
  if (bytes !== undefined && bytes.length === len && d.compare(bytes, 0, len, start, end) === 0)
    return longStrVal[slot]!;
  const s = d.toString('utf8', start, end);
  longStrVal[slot] = s;
  longStrBytes[slot] = Buffer.from(d.subarray(start, end));
  return s;
}

/** Avro string: a cached copy of a recent ASCII string with the same bytes, else decoded (UTF-8). */
function rStr(d: Buffer, c: DecodeCursor): string {
  const len = rLen(d, c);
  const start = c.p;
  const end = start + len;
  c.p = end;
  if (len === 0) return '';
  if (len > STR_CACHE_MAX) return longStr(d, start, end);
  // FNV-1a over the length and the bytes (for longer strings: the first and last 8 and the middle one);
  // a hit is confirmed byte by byte below.
  let h = Math.imul(0x811c9dc5 ^ len, 0x01000193);
  if (len <= 16) {
    for (let i = start; i < end; i++) h = Math.imul(h ^ d[i]!, 0x01000193);
  } else {
    for (let i = 0; i < 8; i++) h = Math.imul(h ^ d[start + i]! ^ (d[end - 1 - i]! << 8), 0x01000193);
    h = Math.imul(h ^ d[start + (len >> 1)]!, 0x01000193);
  }
  const slot = (h ^ (h >>> STR_CACHE_BITS)) & STR_CACHE_MASK;
  if (strHash[slot] === h) {
    const cached = strVal[slot]!;
    if (cached.length === len) {
      let i = 0;
      while (i < len && cached.charCodeAt(i) === d[start + i]) i++;
      if (i === len) return cached;
    }
  }
  const s = d.toString('utf8', start, end);
  // Kept when every byte made one character: ASCII (or bytes that are not UTF-8, which become U+FFFD
  // and so never match bytes again).
  if (s.length === len) {
    strVal[slot] = s;
    strHash[slot] = h;
  }
  return s;
}

/**
 * Recently decoded arrays of strings (a process's environment, repeated in every record of the process
 * and of its children), two per slot, found by a hash of their first 32 bytes and checked with a native
 * compare of all their bytes: the Avro encoding of an array delimits itself, so bytes equal to a whole
 * earlier encoding are that same array. A hit returns a new array of the same (immutable) strings.
 */
const STR_ARRAY_BITS = 7;
const STR_ARRAY_PREFIX = 32;
/** Arrays encoded in fewer bytes are decoded string by string (the string cache is enough). */
const STR_ARRAY_MIN = 64;
/** Largest encoded array kept (bounds the cache: 256 entries of at most 16 KiB). */
const STR_ARRAY_MAX = 16 * 1024;
const strArrayVal: string[][] = new Array<string[]>(2 << STR_ARRAY_BITS).fill([]);
const strArrayBytes: (Buffer | undefined)[] = new Array<Buffer | undefined>(2 << STR_ARRAY_BITS);

/** The items of an Avro array of strings at `c.p` (block by block), decoded one by one. */
function rStrItems(d: Buffer, c: DecodeCursor): string[] {
  const out: string[] = [];
  for (let n = rCount(d, c, 1); n !== 0; n = rCount(d, c, 1)) {
    for (let i = 0; i < n; i++) out.push(rStr(d, c));
  }
  return out;
}

/** Whether `d[start..]` begins with exactly the bytes of `bytes` (within the data). */
function startsWith(d: Buffer, c: DecodeCursor, start: number, bytes: Buffer | undefined): boolean {
  if (bytes === undefined) return false;
  const end = start + bytes.length;
  return end <= c.e && d.compare(bytes, 0, bytes.length, start, end) === 0;
}

/** Avro array of strings: a copy of a recent array with the same bytes, else decoded. */
function rStrArray(d: Buffer, c: DecodeCursor): string[] {
  const start = c.p;
  if (start < c.e && d[start] === 0) {
    c.p = start + 1;
    return [];
  }
  const stop = Math.min(c.e, start + STR_ARRAY_PREFIX);
  let h = 0x811c9dc5;
  for (let i = start; i < stop; i++) h = Math.imul(h ^ d[i]!, 0x01000193);
  const slot = ((h ^ (h >>> STR_ARRAY_BITS) ^ (h >>> 24)) & ((1 << STR_ARRAY_BITS) - 1)) << 1;
  for (let way = slot; way < slot + 2; way++) {
    const bytes = strArrayBytes[way];
    if (startsWith(d, c, start, bytes)) {
      c.p = start + bytes!.length;
      return strArrayVal[way]!.slice();
    }
  }
  const out = rStrItems(d, c);
  const size = c.p - start;
  if (size >= STR_ARRAY_MIN && size <= STR_ARRAY_MAX) {
    strArrayVal[slot + 1] = strArrayVal[slot]!;
    strArrayBytes[slot + 1] = strArrayBytes[slot];
    strArrayVal[slot] = out.slice();
    strArrayBytes[slot] = Buffer.from(d.subarray(start, c.p));
  }
  return out;
}

/** `size` bytes as a new `Buffer`. */
function rFixed(d: Buffer, c: DecodeCursor, size: number): Buffer {
  const p = c.p;
  if (size > c.e - p) throw new MalformedValue(`${size} bytes past the end of the data`, p);
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = d[p + i]!;
  c.p = p + size;
  return out;
}

/** Avro bytes: a length, then the bytes, as a new `Buffer`. */
function rBytes(d: Buffer, c: DecodeCursor): Buffer {
  return rFixed(d, c, rLen(d, c));
}

/**
 * Item count of the next array or map block (skipping the byte size that negative counts carry), checked
 * against the data left: `itemMin` is the fewest bytes an item takes.
 */
function rCount(d: Buffer, c: DecodeCursor, itemMin: number): number {
  const at = c.p;
  let n = rNum(d, c);
  if (n < 0) {
    n = -n;
    const sizeAt = c.p;
    const size = rNum(d, c);
    if (size < 0 || size > c.e - c.p) throw new MalformedValue(`block size ${size} out of range`, sizeAt);
  }
  if (itemMin > 0 ? n * itemMin > c.e - c.p : n > MAX_EMPTY_ITEMS) {
    throw new MalformedValue(`block of ${n} items cannot fit in the data`, at);
  }
  return n;
}

/** An index below `count` (union branches, enum symbols). */
function rIndex(d: Buffer, c: DecodeCursor, count: number, what: string): number {
  const at = c.p;
  const i = rNum(d, c);
  if (i < 0 || i >= count || !Number.isInteger(i)) {
    throw new MalformedValue(`${what} index ${i} not in 0..${count - 1}`, at);
  }
  return i;
}

function rBool(d: Buffer, c: DecodeCursor): boolean {
  const p = c.p;
  if (p >= c.e) throw new MalformedValue('boolean past the end of the data', p);
  const b = d[p]!;
  if (b > 1) throw new MalformedValue(`boolean byte ${b} is neither 0 nor 1`, p);
  c.p = p + 1;
  return b === 1;
}

function rFloat(d: Buffer, c: DecodeCursor): number {
  if (4 > c.e - c.p) throw new MalformedValue('float past the end of the data', c.p);
  const v = d.readFloatLE(c.p);
  c.p += 4;
  return v;
}

function rDouble(d: Buffer, c: DecodeCursor): number {
  if (8 > c.e - c.p) throw new MalformedValue('double past the end of the data', c.p);
  const v = d.readDoubleLE(c.p);
  c.p += 8;
  return v;
}

const HELPERS = { rNum, rLong, rStr, rStrArray, rFixed, rBytes, rCount, rIndex, rBool, rFloat, rDouble };

/** Builds the source of one decoder function per record, array, map and union it meets. */
class Generator {
  private readonly functions: string[] = [];
  private readonly constants: unknown[] = [];
  private readonly named = new Map<AvscType, string>();

  /** The name of a function decoding `type` (generated once per type object). */
  fn(type: AvscType): string {
    const known = this.named.get(type);
    if (known) return known;
    const name = `f${this.named.size}`;
    this.named.set(type, name);
    const body = this.body(type);
    this.functions.push(`function ${name}(d, c) { ${body} }`);
    return name;
  }

  private constant(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  private body(type: AvscType): string {
    switch (type.typeName) {
      case 'record':
      case 'error':
        return `return ${this.recordExpr(type)};`;
      case 'array': {
        if (type.itemsType!.typeName === 'string') return 'return h.rStrArray(d, c);';
        const min = minBytes(type.itemsType!);
        return `const out = []; for (let n = h.rCount(d, c, ${min}); n !== 0; n = h.rCount(d, c, ${min})) { for (let i = 0; i < n; i++) out.push(${this.expr(type.itemsType!)}); } return out;`;
      }
      case 'map': {
        const min = minBytes(type.valuesType!) + 1;
        return `const out = {}; for (let n = h.rCount(d, c, ${min}); n !== 0; n = h.rCount(d, c, ${min})) { for (let i = 0; i < n; i++) { const key = h.rStr(d, c); out[key] = ${this.expr(type.valuesType!)}; } } return out;`;
      }
      default:
        return `return ${this.expr(type)};`;
    }
  }

  private recordExpr(type: AvscType): string {
    const parts = (type.fields ?? []).map((f) => `${JSON.stringify(f.name)}: ${this.expr(f.type)}`);
    return `{ ${parts.join(', ')} }`;
  }

  /** An expression reading one value of `type`. */
  expr(type: AvscType): string {
    switch (type.typeName) {
      case 'null':
        return 'null';
      case 'boolean':
        return 'h.rBool(d, c)';
      case 'int':
        return 'h.rNum(d, c)';
      case 'long':
      case 'abstract:long':
        return 'h.rLong(d, c)';
      case 'float':
        return 'h.rFloat(d, c)';
      case 'double':
        return 'h.rDouble(d, c)';
      case 'string':
        return 'h.rStr(d, c)';
      case 'bytes':
        return 'h.rBytes(d, c)';
      case 'fixed':
        return `h.rFixed(d, c, ${type.size ?? 0})`;
      case 'enum':
        return `${this.constant(type.symbols ?? [])}[h.rIndex(d, c, ${type.symbols?.length ?? 0}, 'enum')]`;
      case 'union:unwrapped':
      case 'union:wrapped':
        return this.unionExpr(type);
      case 'record':
      case 'error':
      case 'array':
      case 'map':
        return `${this.fn(type)}(d, c)`;
      default:
        throw new Error(`no generated decoder for Avro type ${type.typeName}`);
    }
  }

  private unionExpr(type: AvscType): string {
    const branches = type.types ?? [];
    const wrapped = type.typeName === 'union:wrapped';
    const value = (b: AvscType): string => {
      if (b.typeName === 'null' || !wrapped) return this.expr(b);
      const key = (b as unknown as { branchName(): string }).branchName();
      return `{ ${JSON.stringify(key)}: ${this.expr(b)} }`;
    };
    if (branches.length === 2)
      return `(h.rNum(d, c) === 0 ? ${value(branches[0]!)} : ${value(branches[1]!)})`;
    const name = `u${this.functions.length}_${this.named.size}`;
    const cases = branches.map((b, i) => `case ${i}: return ${value(b)};`).join(' ');
    this.functions.push(
      `function ${name}(d, c) { switch (h.rIndex(d, c, ${branches.length}, 'union')) { ${cases} } }`,
    );
    return `${name}(d, c)`;
  }

  /** Compiles everything generated into one closure over the helpers and constants. */
  finish(entry: string): FastDecodeFn {
    const source = `${this.functions.join('\n')}\nreturn ${entry};`;
    return new Function('h', 'k', source)(HELPERS, this.constants) as FastDecodeFn;
  }
}

/**
 * A generated decoder for values of `type` (an avsc type parsed by {@link parseSchema}), or `undefined`
 * when the type holds something the generator does not handle (the caller keeps avsc's decoder then).
 */
export function compileFastDecoder(type: AvscType): FastDecodeFn | undefined {
  try {
    const gen = new Generator();
    return gen.finish(gen.fn(type));
  } catch {
    return undefined;
  }
}
