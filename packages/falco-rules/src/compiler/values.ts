/** Type classes of field types and parsing of literal values against them. */
import type { FieldScalar, FieldType } from '../fields.js';

/** How values of a field type compare. */
export type TypeClass = 'string' | 'number' | 'bool' | 'bytes' | 'ipaddr' | 'ipnet';

/** The comparison class of a field type. */
export function typeClass(t: FieldType): TypeClass {
  switch (t) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'FSRELPATH':
    case 'DYN':
      return 'string';
    case 'BYTEBUF':
      return 'bytes';
    case 'BOOL':
      return 'bool';
    case 'IPADDR':
    case 'IPV4ADDR':
    case 'IPV6ADDR':
      return 'ipaddr';
    case 'IPNET':
    case 'IPV4NET':
    case 'IPV6NET':
      return 'ipnet';
    default:
      return 'number';
  }
}

/** A parsed numeric literal: as a double, and as a bigint when it is an integer. */
export interface NumLiteral {
  num: number;
  big: bigint | undefined;
}

const INT_RE = /^[+-]?[0-9]+$/;
const HEX_RE = /^0[xX][0-9a-fA-F]+$/;
const FLOAT_RE = /^[+-]?[0-9]+\.?[0-9]*([eE][+-]?[0-9]+)?$/;

/** Parses a numeric literal for a field type; `undefined` if it is not one. */
export function parseNumber(text: string, type: FieldType): NumLiteral | undefined {
  if (HEX_RE.test(text)) {
    const big = BigInt(text);
    return { num: Number(big), big };
  }
  if (INT_RE.test(text)) {
    const big = BigInt(text);
    if (type.startsWith('UINT') && big < 0n) return undefined;
    return { num: Number(big), big };
  }
  if ((type === 'DOUBLE' || type === 'DYN') && FLOAT_RE.test(text)) {
    const num = Number(text);
    return Number.isFinite(num) ? { num, big: undefined } : undefined;
  }
  return undefined;
}

/** Parses `true` / `false`. */
export function parseBool(text: string): boolean | undefined {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return undefined;
}

/** Parses an IPv4 or IPv6 address to its bytes; `undefined` if invalid. */
export function parseIp(text: string): Uint8Array | undefined {
  if (text.includes(':')) return parseIpv6(text);
  return parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let head = text;
  let v4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = toGroups(halves[0]!);
  const right = halves.length === 2 ? toGroups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = Number.parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  if (v4) out.set(v4, 12);
  return out;
}

/** An address as a comparable key (IPv4-mapped IPv6 addresses compare equal to IPv4). */
export function ipKey(bytes: Uint8Array): string {
  let b = bytes;
  if (b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff)
    b = b.slice(12);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Reads an extracted IP value (string or bytes) as a key; `undefined` if it is not an address. */
export function ipValueKey(v: FieldScalar): string | undefined {
  if (typeof v === 'string') {
    const b = parseIp(v);
    return b ? ipKey(b) : undefined;
  }
  if (v instanceof Uint8Array && (v.length === 4 || v.length === 16)) return ipKey(v);
  if (typeof v === 'number' && v >= 0 && v <= 0xffffffff) {
    return ipKey(new Uint8Array([(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]));
  }
  return undefined;
}

/** A parsed CIDR network. */
export interface IpNet {
  bytes: Uint8Array;
  prefix: number;
}

/** Parses `10.0.0.0/8` or `fd00::/8` (a bare address is a host network). */
export function parseNet(text: string): IpNet | undefined {
  const slash = text.indexOf('/');
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.length * 8;
  if (slash < 0) return { bytes: addr, prefix: max };
  const p = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
  return { bytes: addr, prefix: Number(p) };
}

/** Whether an address falls within a network. */
export function netContains(net: IpNet, addr: Uint8Array): boolean {
  let a = addr;
  if (a.length !== net.bytes.length) {
    if (a.length === 16 && net.bytes.length === 4 && a[10] === 0xff && a[11] === 0xff) a = a.slice(12);
    else return false;
  }
  let bits = net.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (net.bytes[i]! & mask)) return false;
  }
  return true;
}

/** Bytes of an extracted value seen as a byte buffer (strings as Latin-1/UTF-8 bytes). */
export function asBytes(v: FieldScalar): Uint8Array {
  if (v instanceof Uint8Array) return v;
  return new TextEncoder().encode(typeof v === 'string' ? v : String(v));
}

/** Parses the hex string right of `bcontains` / `bstartswith`. */
export function parseHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Renders any extracted scalar as a string (for string comparisons and outputs). */
export function scalarToString(v: FieldScalar): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) {
    let s = '';
    for (const b of v) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    return s;
  }
  return String(v);
}
