import type { AvscType } from './avro-types.js';

/**
 * A bounds-checked walk over one encoded value: returns the position after it, or throws
 * {@link MalformedValue}. Run before avsc decodes a block, so corrupt lengths and counts can never make
 * the decoder allocate huge arrays, loop for long, or read past the block.
 */
export type SkipFn = (buf: Uint8Array, pos: number, end: number) => number;

/** Thrown by a {@link SkipFn}: what is wrong and where (position inside the block's data). */
export class MalformedValue extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

/** Position after the varint that {@link varintAt} read last (a module slot: no tuple per read). */
let next = 0;

/**
 * Reads a zigzag varint of at most `maxBytes` bytes at `pos` and returns its value (as a double); the
 * position after it is then {@link varintEnd}. Throws {@link MalformedValue} past `end` or when too long.
 */
export function varintAt(buf: Uint8Array, pos: number, end: number, maxBytes = 10): number {
  let raw = 0;
  let scale = 1;
  for (let i = 0; i < maxBytes; i++) {
    if (pos >= end) throw new MalformedValue('varint runs past the end of the data', pos);
    const b = buf[pos++]!;
    raw += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      next = pos;
      // `raw & 1`: the low bit survives the 32-bit truncation of any integer below 2^53.
      return (raw & 1) === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    scale *= 128;
  }
  throw new MalformedValue(`varint longer than ${maxBytes} bytes`, pos);
}

/** The position after the varint {@link varintAt} read last. */
export function varintEnd(): number {
  return next;
}

/** Reads a zigzag varint of at most `maxBytes` bytes; returns [value (as a double), next position]. */
export function readVarint(buf: Uint8Array, pos: number, end: number, maxBytes = 10): [number, number] {
  const value = varintAt(buf, pos, end, maxBytes);
  return [value, next];
}

function skipBytes(buf: Uint8Array, pos: number, end: number): number {
  const len = varintAt(buf, pos, end);
  const p = next;
  if (len < 0) throw new MalformedValue(`negative length ${len}`, pos);
  if (len > end - p) throw new MalformedValue(`length ${len} runs past the end of the data`, pos);
  return p + len;
}

/** Smallest number of bytes a value of the type takes (0 for null and empty records). */
export function minBytes(type: AvscType, seen = new Set<AvscType>()): number {
  switch (type.typeName) {
    case 'null':
      return 0;
    case 'float':
      return 4;
    case 'double':
      return 8;
    case 'fixed':
      return type.size ?? 0;
    case 'record':
    case 'error': {
      if (seen.has(type)) return 0;
      seen.add(type);
      let n = 0;
      for (const field of type.fields ?? []) n += minBytes(field.type, seen);
      seen.delete(type);
      return n;
    }
    default:
      return 1;
  }
}

/** Largest item count accepted for a block of zero-size items (arrays of nulls, empty records). */
export const MAX_EMPTY_ITEMS = 1 << 20;

/** Compiles a {@link SkipFn} for a (writer) type. Recursive types are supported. */
export function compileSkipper(type: AvscType, cache = new Map<AvscType, SkipFn>()): SkipFn {
  const known = cache.get(type);
  if (known) return known;
  let compiled: SkipFn | undefined;
  const lazy: SkipFn = (buf, pos, end) => compiled!(buf, pos, end);
  cache.set(type, lazy);
  compiled = build(type, cache);
  cache.set(type, compiled);
  return compiled;
}

function build(type: AvscType, cache: Map<AvscType, SkipFn>): SkipFn {
  switch (type.typeName) {
    case 'null':
      return (_buf, pos) => pos;
    case 'boolean':
      return (buf, pos, end) => {
        if (pos >= end) throw new MalformedValue('boolean past the end of the data', pos);
        if (buf[pos]! > 1) throw new MalformedValue(`boolean byte ${buf[pos]} is neither 0 nor 1`, pos);
        return pos + 1;
      };
    case 'int':
      return (buf, pos, end) => {
        varintAt(buf, pos, end, 5);
        return next;
      };
    case 'long':
    case 'abstract:long':
      return (buf, pos, end) => {
        varintAt(buf, pos, end, 10);
        return next;
      };
    case 'float':
    case 'double': {
      const size = type.typeName === 'float' ? 4 : 8;
      return (_buf, pos, end) => {
        if (size > end - pos) throw new MalformedValue(`${type.typeName} past the end of the data`, pos);
        return pos + size;
      };
    }
    case 'string':
    case 'bytes':
      return skipBytes;
    case 'fixed': {
      const size = type.size ?? 0;
      return (_buf, pos, end) => {
        if (size > end - pos) throw new MalformedValue(`fixed(${size}) past the end of the data`, pos);
        return pos + size;
      };
    }
    case 'enum': {
      const count = type.symbols?.length ?? 0;
      return (buf, pos, end) => {
        const index = varintAt(buf, pos, end, 5);
        if (index < 0 || index >= count)
          throw new MalformedValue(`enum index ${index} not in 0..${count - 1}`, pos);
        return next;
      };
    }
    case 'array':
    case 'map': {
      const itemType = (type.typeName === 'array' ? type.itemsType : type.valuesType)!;
      const item = compileSkipper(itemType, cache);
      const isMap = type.typeName === 'map';
      const itemMin = minBytes(itemType) + (isMap ? 1 : 0);
      return (buf, pos, end) => {
        for (;;) {
          const start = pos;
          let n = varintAt(buf, pos, end);
          let p = next;
          if (n === 0) return p;
          if (n < 0) {
            n = -n;
            const size = varintAt(buf, p, end);
            const q = next;
            if (size < 0 || size > end - q) throw new MalformedValue(`block size ${size} out of range`, p);
            p = q;
          }
          if (itemMin > 0 ? n * itemMin > end - p : n > MAX_EMPTY_ITEMS) {
            throw new MalformedValue(`${type.typeName} block of ${n} items cannot fit in the data`, start);
          }
          for (let i = 0; i < n; i++) {
            if (isMap) p = skipBytes(buf, p, end);
            p = item(buf, p, end);
          }
          pos = p;
        }
      };
    }
    case 'union:wrapped':
    case 'union:unwrapped': {
      const branches = (type.types ?? []).map((t) => compileSkipper(t, cache));
      return (buf, pos, end) => {
        const index = varintAt(buf, pos, end);
        const branch = branches[index];
        if (!branch) throw new MalformedValue(`union index ${index} not in 0..${branches.length - 1}`, pos);
        return branch(buf, next, end);
      };
    }
    case 'record':
    case 'error': {
      const fields = (type.fields ?? []).map((field) => compileSkipper(field.type, cache));
      const n = fields.length;
      return (buf, pos, end) => {
        for (let i = 0; i < n; i++) pos = fields[i]!(buf, pos, end);
        return pos;
      };
    }
    default:
      if (type.typeName.startsWith('logical:')) {
        // avsc exposes logical types over their underlying type.
        const underlying = (type as unknown as { underlyingType?: AvscType }).underlyingType;
        if (underlying) return compileSkipper(underlying, cache);
      }
      throw new Error(`unsupported Avro type ${type.typeName}`);
  }
}
