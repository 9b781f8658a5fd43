import { PT, type ScapParamInfo } from './event-table.js';
import {
  bytesToHex,
  ERRNO_NAMES,
  type ScapFdListEntry,
  type ScapFlags,
  type ScapParamValue,
  type ScapSockAddr,
  type ScapSockTuple,
  SIGNAL_NAMES,
} from './params.js';

const PF_HEX = 2;
const PF_OCT = 6;

function isFlags(v: object): v is ScapFlags {
  return 'value' in v && 'names' in v;
}

/** Printable form of a byte buffer as sysdig shows it by default: printable ASCII kept, others as `.`. */
export function printableBytes(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return s;
}

function endpoint(addr: string, port: number, v6: boolean): string {
  return v6 ? `${addr}:${port}` : `${addr}:${port}`;
}

function numberText(v: number | bigint, fmt: number): string {
  if (fmt === PF_HEX)
    return (typeof v === 'bigint' ? BigInt.asUintN(64, v) : v < 0 ? BigInt.asUintN(64, BigInt(v)) : v)
      .toString(16)
      .toUpperCase();
  if (fmt === PF_OCT) return v === 0 || v === 0n ? '0' : `0${v.toString(8)}`;
  return v.toString();
}

/**
 * Text of a decoded parameter value as `sysdig -r` prints it in `evt.info`: errno results as `-2(ENOENT)`,
 * flags as `decimal(NAME|NAME)`, hex formats as uppercase hex, octal with a leading 0, signals as `9(SIGKILL)`, byte buffers printable, addresses as `ip:port`,
 * tuples as `sip:sport->dip:dport`, relative times as `ns(seconds s)`.
 */
export function paramText(value: ScapParamValue, info: ScapParamInfo | undefined, raw?: Uint8Array): string {
  if (value === null) return raw && raw.length > 0 ? printableBytes(raw) : '';
  const type = info?.type ?? PT.BYTEBUF;
  const fmt = info?.fmt ?? 0;
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (type === PT.ERRNO && value < 0) {
      const name = ERRNO_NAMES[Number(-value)];
      return name ? `${value}(${name})` : value.toString();
    }
    if (type === PT.SIGTYPE) {
      const name = SIGNAL_NAMES[Number(value)];
      return name ? `${value}(${name})` : value.toString();
    }
    if (type === PT.RELTIME) return `${value}(${(Number(value) / 1e9).toString()}s)`;
    if (type === PT.FD && value === -100) return '-100(AT_FDCWD)';
    return numberText(value, fmt);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Uint8Array) return printableBytes(value);
  if (Array.isArray(value)) {
    if (type === PT.FDLIST)
      return (value as ScapFdListEntry[]).map((e) => `${e.fd}:${e.flags.toString(16)}`).join(' ');
    return (value as string[]).join(',');
  }
  if (isFlags(value)) {
    // sysdig prints flag values in decimal whatever their print format, then the names.
    const num = value.value.toString();
    return value.names.length > 0 ? `${num}(${value.names.join('|')})` : num;
  }
  if (type === PT.SOCKTUPLE) {
    const t = value as ScapSockTuple;
    if (t.family === 'inet' || t.family === 'inet6') {
      const v6 = t.family === 'inet6';
      return `${endpoint(t.sip, t.sport, v6)}->${endpoint(t.dip, t.dport, v6)}`;
    }
    if (t.family === 'unix') return `${t.source}->${t.dest} ${t.path}`;
    return bytesToHex(t.data);
  }
  const a = value as ScapSockAddr;
  if (a.family === 'inet' || a.family === 'inet6') return endpoint(a.addr, a.port, a.family === 'inet6');
  if (a.family === 'unix') return a.path;
  return bytesToHex((a as { data: Uint8Array }).data);
}

/**
 * JSON-ready form of a decoded parameter value: byte buffers as lowercase hex, bigints (beyond ±2^53) as
 * decimal strings, everything else as is (flags as `{ value, names }`, addresses as objects).
 */
export function paramJson(value: ScapParamValue): unknown {
  if (value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return bytesToHex(value);
  if (
    typeof value === 'object' &&
    !Array.isArray(value) &&
    'data' in value &&
    value.data instanceof Uint8Array
  ) {
    return { family: value.family, data: bytesToHex(value.data) };
  }
  return value;
}
