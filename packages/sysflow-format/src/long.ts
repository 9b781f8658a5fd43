import avro from 'avsc';

const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;

/** True when `value` is a bigint that fits Avro's `long` (signed 64-bit). */
export function isInt64(value: unknown): value is bigint {
  return typeof value === 'bigint' && value >= MIN_INT64 && value <= MAX_INT64;
}

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`not a 64-bit integer: ${String(value)}`);
}

/** Decodes the zigzag varint bytes of one Avro long. */
function fromVarint(buf: Buffer): bigint {
  const n = buf.length;
  if (n <= 7) {
    // Up to 49 bits: exact in a double.
    let v = 0;
    let scale = 1;
    for (let i = 0; i < n; i++) {
      v += (buf[i]! & 0x7f) * scale;
      scale *= 128;
    }
    return BigInt(v % 2 === 0 ? v / 2 : -(v + 1) / 2);
  }
  let v = 0n;
  let shift = 0n;
  for (let i = 0; i < n; i++) {
    v |= BigInt(buf[i]! & 0x7f) << shift;
    shift += 7n;
  }
  v = BigInt.asUintN(64, v);
  return (v >> 1n) ^ -(v & 1n);
}

/** Encodes one Avro long as zigzag varint bytes. */
function toVarint(value: bigint): Buffer {
  let z = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

/**
 * Avro `long` as a JavaScript `bigint`, for every long in the SysFlow schema (timestamps are int64
 * nanoseconds, far past `Number.MAX_SAFE_INTEGER`). Works on avsc's raw zigzag varint bytes (no
 * repacking); defaults and JSON accept numbers, decimal strings or bigints.
 */
export const bigintLongType: avro.types.LongType = avro.types.LongType.__with(
  {
    fromBuffer: fromVarint,
    toBuffer: toVarint,
    fromJSON: (value: unknown): bigint => toBigInt(value),
    toJSON: (value: bigint): number | string => {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value.toString();
    },
    isValid: (value: unknown): boolean => isInt64(value),
    compare: (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0),
  },
  true,
);
