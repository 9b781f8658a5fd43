import {
  formatHardwareAddress,
  formatIPv4,
  formatIPv6,
  parseHardwareAddress,
  parseIPv4,
  parseIPv6,
} from './addresses.js';
import { type OptionLayout, type OptionSpec, optionSpecByName } from './option-codes.js';
import { decodeTextOrBytes, utf8Encoder } from './text.js';
import type { OptionValue, PcapngOption } from './types.js';

/** Byte length each fixed-size layout requires; layouts of variable length are absent. */
const fixedLength: Partial<Record<OptionLayout, number>> = {
  u8: 1,
  u32: 4,
  u64: 8,
  i64: 8,
  ipv4mask: 8,
  ipv6prefix: 17,
  ipv4: 4,
  ipv6: 16,
  mac: 6,
  eui: 8,
  timestamp: 8,
  u32pair: 8,
};

/** Minimum byte length of variable-length layouts. */
const minimumLength: Partial<Record<OptionLayout, number>> = { typed: 1, customString: 4, customBytes: 4 };

/**
 * Whether `length` bytes can hold a value of `layout`. Readers keep options of the wrong size as raw
 * bytes (the file stays readable and round-trips), except where the size matters for timestamps.
 */
export function layoutFits(layout: OptionLayout, length: number): boolean {
  const fixed = fixedLength[layout];
  if (fixed !== undefined) return length === fixed;
  return length >= (minimumLength[layout] ?? 0);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes one option value laid out as `spec` says; wrong-sized values come back as bytes. */
export function decodeOptionValue(spec: OptionSpec, bytes: Uint8Array, littleEndian: boolean): OptionValue {
  if (!layoutFits(spec.layout, bytes.length)) return bytes.slice();
  const dv = view(bytes);
  switch (spec.layout) {
    case 'string':
      return decodeTextOrBytes(bytes);
    case 'u8':
      return bytes[0]!;
    case 'u32':
      return dv.getUint32(0, littleEndian);
    case 'u64':
      return dv.getBigUint64(0, littleEndian);
    case 'i64':
      return dv.getBigInt64(0, littleEndian);
    case 'timestamp':
      return (BigInt(dv.getUint32(0, littleEndian)) << 32n) | BigInt(dv.getUint32(4, littleEndian));
    case 'ipv4mask':
      return { address: formatIPv4(bytes, 0), netmask: formatIPv4(bytes, 4) };
    case 'ipv6prefix':
      return { address: formatIPv6(bytes, 0), prefixLength: bytes[16]! };
    case 'ipv4':
      return formatIPv4(bytes, 0);
    case 'ipv6':
      return formatIPv6(bytes, 0);
    case 'mac':
      return formatHardwareAddress(bytes, 0, 6);
    case 'eui':
      return formatHardwareAddress(bytes, 0, 8);
    case 'typed':
      return { type: bytes[0]!, data: bytes.slice(1) };
    case 'u32pair':
      return { first: dv.getUint32(0, littleEndian), second: dv.getUint32(4, littleEndian) };
    case 'customString':
      return { pen: dv.getUint32(0, littleEndian), data: decodeTextOrBytes(bytes.subarray(4)) };
    case 'customBytes':
      return { pen: dv.getUint32(0, littleEndian), data: bytes.slice(4) };
    default:
      return bytes.slice();
  }
}

function invalid(spec: OptionSpec, value: unknown): Error {
  return new TypeError(
    `option ${spec.name} cannot hold ${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`,
  );
}

function textBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? utf8Encoder.encode(value) : value;
}

function address(spec: OptionSpec, text: unknown, parse: (t: string) => Uint8Array | undefined): Uint8Array {
  const bytes = typeof text === 'string' ? parse(text) : undefined;
  if (!bytes) throw invalid(spec, text);
  return bytes;
}

/**
 * Encodes one option value as `spec` lays it out, in the given byte order. Raw bytes are always
 * accepted (they are written as they are). Throws a `TypeError` for a value of the wrong shape.
 */
export function encodeOptionValue(spec: OptionSpec, value: OptionValue, littleEndian: boolean): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const fixed = fixedLength[spec.layout];
  const out = new Uint8Array(fixed ?? 0);
  const dv = view(out);
  const v = value as never as Record<string, unknown>;
  switch (spec.layout) {
    case 'string':
      if (typeof value !== 'string') throw invalid(spec, value);
      return utf8Encoder.encode(value);
    case 'u8':
      if (typeof value !== 'number') throw invalid(spec, value);
      out[0] = value;
      return out;
    case 'u32':
      if (typeof value !== 'number') throw invalid(spec, value);
      dv.setUint32(0, value, littleEndian);
      return out;
    case 'u64':
    case 'i64':
    case 'timestamp': {
      const n = typeof value === 'number' ? BigInt(value) : value;
      if (typeof n !== 'bigint') throw invalid(spec, value);
      if (spec.layout === 'timestamp') {
        dv.setUint32(0, Number(BigInt.asUintN(64, n) >> 32n), littleEndian);
        dv.setUint32(4, Number(BigInt.asUintN(32, n)), littleEndian);
      } else if (spec.layout === 'i64') dv.setBigInt64(0, n, littleEndian);
      else dv.setBigUint64(0, n, littleEndian);
      return out;
    }
    case 'ipv4mask':
      out.set(address(spec, v.address, parseIPv4), 0);
      out.set(address(spec, v.netmask, parseIPv4), 4);
      return out;
    case 'ipv6prefix':
      out.set(address(spec, v.address, parseIPv6), 0);
      if (typeof v.prefixLength !== 'number') throw invalid(spec, value);
      out[16] = v.prefixLength;
      return out;
    case 'ipv4':
      return address(spec, value, parseIPv4);
    case 'ipv6':
      return address(spec, value, parseIPv6);
    case 'mac':
      return address(spec, value, (t) => parseHardwareAddress(t, 6));
    case 'eui':
      return address(spec, value, (t) => parseHardwareAddress(t, 8));
    case 'typed': {
      if (typeof v.type !== 'number' || !(v.data instanceof Uint8Array || typeof v.data === 'string'))
        throw invalid(spec, value);
      const data = textBytes(v.data as string | Uint8Array);
      const typed = new Uint8Array(1 + data.length);
      typed[0] = v.type;
      typed.set(data, 1);
      return typed;
    }
    case 'u32pair':
      if (typeof v.first !== 'number' || typeof v.second !== 'number') throw invalid(spec, value);
      dv.setUint32(0, v.first, littleEndian);
      dv.setUint32(4, v.second, littleEndian);
      return out;
    case 'customString':
    case 'customBytes': {
      if (typeof v.pen !== 'number' || !(v.data instanceof Uint8Array || typeof v.data === 'string'))
        throw invalid(spec, value);
      const data = textBytes(v.data as string | Uint8Array);
      const custom = new Uint8Array(4 + data.length);
      view(custom).setUint32(0, v.pen, littleEndian);
      custom.set(data, 4);
      return custom;
    }
    default:
      throw invalid(spec, value);
  }
}

/**
 * Builds an option for a block of kind `block` from its name and value, e.g.
 * `makeOption('IDB', 'if_name', 'eth0')`. Throws a `TypeError` for an unknown name.
 */
export function makeOption(block: string, name: string, value: OptionValue): PcapngOption {
  const spec = optionSpecByName(block, name);
  if (!spec) throw new TypeError(`no option called ${name} in a ${block}`);
  return { code: spec.code, name: spec.name, value };
}

/** The value of the first option called `name`, or `undefined`. */
export function getOption(block: { options: PcapngOption[] }, name: string): OptionValue | undefined {
  for (const option of block.options) if (option.name === name) return option.value;
  return undefined;
}

/** The values of every option called `name` (e.g. all `opt_comment`s), in file order. */
export function getOptions(block: { options: PcapngOption[] }, name: string): OptionValue[] {
  return block.options.filter((o) => o.name === name).map((o) => o.value);
}
