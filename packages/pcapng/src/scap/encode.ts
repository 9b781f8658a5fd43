import { PcapngError } from '../errors.js';
import { concatBytes as concat } from '../write-sync.js';
import { EVENT_HEADER_V1, EVENT_HEADER_V2 } from './batch.js';
import { ScapBlockType } from './block-types.js';
import { dynamicParamType, EVENT_COUNT, EVENT_LARGE, EVENT_TABLE, PT } from './event-table.js';
import type { ScapFdListEntry, ScapFlags, ScapSockAddr, ScapSockTuple } from './params.js';

/** A parameter value the encoder takes: raw bytes (written as they are) or a typed value for its type. */
export type ScapParamInput =
  | Uint8Array
  | number
  | bigint
  | string
  | boolean
  | ScapFlags
  | ScapSockAddr
  | ScapSockTuple
  | ScapFdListEntry[]
  | string[]
  | { dynIndex: number; value: ScapParamInput }
  | null;

/** An event to encode. */
export interface ScapEventSpec {
  /** Event type id (see the event table). */
  type: number;
  /** Timestamp, ns since the epoch. */
  ts: bigint | number;
  /** Thread id (`-1` for none). */
  tid: number | bigint;
  /** Parameters in wire order: raw bytes or typed values (see {@link encodeParamValue}). */
  params: readonly ScapParamInput[];
  /** Write a legacy header without `nparams` (for EV/EVF v1 blocks). Default false. */
  legacyHeader?: boolean;
  /** Force 32-bit parameter lengths (default: the event type's `EF_LARGE_PAYLOAD` flag). */
  largePayload?: boolean;
}

const utf8 = new TextEncoder();

function fail(msg: string): never {
  throw new PcapngError('SCAP_ENCODE', msg);
}

function toBig(v: unknown, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (v !== null && typeof v === 'object' && 'value' in v && typeof (v as ScapFlags).value === 'number')
    return BigInt((v as ScapFlags).value);
  return fail(`${what}: expected an integer, got ${typeof v}`);
}

function intBytes(v: unknown, size: 1 | 2 | 4 | 8, what: string): Uint8Array {
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  const b = toBig(v, what);
  const wrapped = BigInt.asUintN(size * 8, b);
  if (size === 8) dv.setBigUint64(0, wrapped, true);
  else if (size === 4) dv.setUint32(0, Number(wrapped), true);
  else if (size === 2) dv.setUint16(0, Number(wrapped), true);
  else out[0] = Number(wrapped);
  return out;
}

function cstring(s: string): Uint8Array {
  const body = utf8.encode(s);
  const out = new Uint8Array(body.length + 1);
  out.set(body);
  return out;
}

/** Parses dotted IPv4 text to 4 bytes. */
function ipv4Bytes(s: string): Uint8Array {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    fail(`bad IPv4 address ${s}`);
  return Uint8Array.from(parts);
}

/** Parses IPv6 text (with `::` and an optional dotted IPv4 tail) to 16 bytes. */
function ipv6Bytes(s: string): Uint8Array {
  let text = s;
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (m) {
    const v4 = ipv4Bytes(m[2]!);
    text = `${m[1]}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) fail(`bad IPv6 address ${s}`);
  const words = (x: string) =>
    x === '' ? [] : x.split(':').map((w) => (/^[0-9a-fA-F]{1,4}$/.test(w) ? Number.parseInt(w, 16) : -1));
  const h = words(halves[0]!);
  const r = halves.length === 2 ? words(halves[1]!) : [];
  const fill = 8 - h.length - r.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) fail(`bad IPv6 address ${s}`);
  const all = [...h, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...r];
  if (all.some((w) => w < 0)) fail(`bad IPv6 address ${s}`);
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

const u16 = (v: number) => intBytes(v, 2, 'port');
const u64hex = (h: string) => intBytes(BigInt(`0x${h || '0'}`), 8, 'socket pointer');

/**
 * Encodes one typed parameter value as the bytes the drivers write for parameter type `type` (little-endian).
 * `Uint8Array` values are taken as already encoded; `null` is an empty parameter. Strings of char-buffer and
 * path types get their terminating NUL. `PT_DYN` values are `{ dynIndex, value }`, encoded by the sub-type
 * that `dynamicTable` gives the index (64-bit when no table is given).
 * @throws PcapngError `SCAP_ENCODE` when the value does not fit the type.
 */
export function encodeParamValue(type: number, value: ScapParamInput, dynamicTable?: string): Uint8Array {
  if (value === null) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  switch (type) {
    case PT.INT8:
    case PT.UINT8:
    case PT.SIGTYPE:
    case PT.L4PROTO:
    case PT.SOCKFAMILY:
    case PT.FLAGS8:
    case PT.ENUMFLAGS8:
      return intBytes(value, 1, 'int8');
    case PT.INT16:
    case PT.UINT16:
    case PT.SYSCALLID:
    case PT.PORT:
    case PT.FLAGS16:
    case PT.ENUMFLAGS16:
      return intBytes(value, 2, 'int16');
    case PT.INT32:
    case PT.UINT32:
    case PT.UID:
    case PT.GID:
    case PT.SIGSET:
    case PT.BOOL:
    case PT.FLAGS32:
    case PT.ENUMFLAGS32:
    case PT.MODE:
      return intBytes(value, 4, 'int32');
    case PT.INT64:
    case PT.UINT64:
    case PT.ERRNO:
    case PT.FD:
    case PT.PID:
    case PT.RELTIME:
    case PT.ABSTIME:
      return intBytes(value, 8, 'int64');
    case PT.DOUBLE: {
      if (typeof value !== 'number') fail('PT_DOUBLE needs a number');
      const out = new Uint8Array(8);
      new DataView(out.buffer).setFloat64(0, value, true);
      return out;
    }
    case PT.CHARBUF:
    case PT.FSPATH:
    case PT.FSRELPATH:
      if (typeof value !== 'string') fail('char buffer parameters need a string');
      return cstring(value);
    case PT.BYTEBUF:
      if (typeof value === 'string') return utf8.encode(value);
      return fail('byte buffer parameters need a Uint8Array or a string');
    case PT.IPV4ADDR:
      return ipv4Bytes(String(value));
    case PT.IPV6ADDR:
      return ipv6Bytes(String(value));
    case PT.IPADDR:
      return String(value).includes(':') ? ipv6Bytes(String(value)) : ipv4Bytes(String(value));
    case PT.CHARBUFARRAY:
    case PT.CHARBUF_PAIR_ARRAY:
      if (!Array.isArray(value)) fail('string array parameters need an array');
      return concat((value as string[]).map((s) => cstring(s)));
    case PT.FDLIST: {
      if (!Array.isArray(value)) fail('fd lists need an array of { fd, flags }');
      const list = value as ScapFdListEntry[];
      const parts = [u16(list.length)];
      for (const e of list) parts.push(intBytes(e.fd, 8, 'fd'), u16(e.flags));
      return concat(parts);
    }
    case PT.SOCKADDR: {
      const a = value as ScapSockAddr;
      if (a.family === 'inet') return concat([Uint8Array.of(2), ipv4Bytes(a.addr), u16(a.port)]);
      if (a.family === 'inet6') return concat([Uint8Array.of(10), ipv6Bytes(a.addr), u16(a.port)]);
      if (a.family === 'unix') return concat([Uint8Array.of(1), cstring(a.path)]);
      if (typeof a.family === 'number' && 'data' in a) return concat([Uint8Array.of(a.family), a.data]);
      return fail('bad sockaddr value');
    }
    case PT.SOCKTUPLE: {
      const t = value as ScapSockTuple;
      if (t.family === 'inet')
        return concat([Uint8Array.of(2), ipv4Bytes(t.sip), u16(t.sport), ipv4Bytes(t.dip), u16(t.dport)]);
      if (t.family === 'inet6')
        return concat([Uint8Array.of(10), ipv6Bytes(t.sip), u16(t.sport), ipv6Bytes(t.dip), u16(t.dport)]);
      if (t.family === 'unix')
        return concat([Uint8Array.of(1), u64hex(t.source), u64hex(t.dest), cstring(t.path)]);
      if (typeof t.family === 'number' && 'data' in t) return concat([Uint8Array.of(t.family), t.data]);
      return fail('bad socket tuple value');
    }
    case PT.DYN: {
      if (typeof value === 'object' && value !== null && 'dynIndex' in value) {
        const inner = value.value;
        const sub = dynamicTable ? dynamicParamType(dynamicTable, value.dynIndex) : undefined;
        if (sub) return concat([Uint8Array.of(value.dynIndex), encodeParamValue(sub[0], inner)]);
        // The sub-type is unknown here: integers are written as 64-bit, which every numeric sub-type uses.
        const body =
          inner instanceof Uint8Array
            ? inner
            : typeof inner === 'string'
              ? utf8.encode(inner)
              : intBytes(inner, 8, 'dyn');
        return concat([Uint8Array.of(value.dynIndex), body]);
      }
      return fail('PT_DYN parameters need raw bytes or { dynIndex, value }');
    }
    default:
      return fail(`cannot encode a typed value for parameter type ${type}; pass raw bytes`);
  }
}

/**
 * Encodes one event (header, parameter lengths, parameter data), little-endian. Typed parameter values are
 * encoded by the event type's parameter types; `Uint8Array` parameters are copied as they are.
 * @throws PcapngError `SCAP_ENCODE` for values that do not fit, a parameter too long for its length field, or
 *   more parameters than the type has (unknown types take raw bytes only).
 */
export function encodeEvent(spec: ScapEventSpec): Uint8Array {
  const info = spec.type < EVENT_COUNT ? EVENT_TABLE[spec.type] : undefined;
  if (!Number.isInteger(spec.type) || spec.type < 0 || spec.type > 0xffff)
    fail(`bad event type ${spec.type}`);
  if (info && spec.params.length > info.params.length)
    fail(`${info.name} (type ${spec.type}) has ${info.params.length} parameters, got ${spec.params.length}`);
  if (spec.params.length > 32) fail('an event has at most 32 parameters');
  const large = spec.largePayload ?? (spec.type < EVENT_COUNT && EVENT_LARGE[spec.type] === 1);
  const width = large ? 4 : 2;
  const values = spec.params.map((p, i) => {
    if (p instanceof Uint8Array || p === null) return p === null ? new Uint8Array(0) : p;
    const pinfo = info?.params[i];
    if (!pinfo) fail(`parameter ${i} of unknown event type ${spec.type} must be raw bytes`);
    try {
      return encodeParamValue(pinfo.type, p, pinfo.dynamicTable);
    } catch (error) {
      if (error instanceof PcapngError) error.message = `${info?.name}.${pinfo.name}: ${error.message}`;
      throw error;
    }
  });
  const hdr = spec.legacyHeader ? EVENT_HEADER_V1 : EVENT_HEADER_V2;
  let len = hdr + values.length * width;
  for (const v of values) {
    if (v.length > (large ? 0xffffffff : 0xffff))
      fail(`parameter of ${v.length} bytes exceeds its ${width * 8}-bit length`);
    len += v.length;
  }
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt.asUintN(64, toBig(spec.ts, 'ts')), true);
  dv.setBigInt64(8, BigInt.asIntN(64, toBig(spec.tid, 'tid')), true);
  dv.setUint32(16, len, true);
  dv.setUint16(20, spec.type, true);
  if (!spec.legacyHeader) dv.setUint32(22, values.length, true);
  let p = hdr;
  for (const v of values) {
    if (width === 2) dv.setUint16(p, v.length, true);
    else dv.setUint32(p, v.length, true);
    p += width;
  }
  for (const v of values) {
    out.set(v, p);
    p += v.length;
  }
  return out;
}

/** Options of {@link encodeEventBlock}. */
export interface EventBlockOptions {
  /** CPU the event was captured on (default 0). */
  cpu?: number;
  /** EVF dump flags; when given (or when `blockType` is an EVF type) an EVF block is written. */
  dumpFlags?: number;
  /**
   * Block type to write. Default: EV_V2 (0x216), or EV_V2_LARGE (0x221) for large-payload events; EVF_V2 /
   * EVF_V2_LARGE when `dumpFlags` is set.
   */
  blockType?: number;
}

/**
 * Wraps encoded event bytes in a little-endian pcapng event block: header, cpu id, optional dump flags, the
 * event, zero padding to 4 bytes, trailer.
 */
export function encodeEventBlock(event: Uint8Array, options: EventBlockOptions = {}): Uint8Array {
  const type = event.length >= 22 ? event[20]! | (event[21]! << 8) : 0;
  const large = type < EVENT_COUNT && EVENT_LARGE[type] === 1;
  const blockType =
    options.blockType ??
    (options.dumpFlags !== undefined
      ? large
        ? ScapBlockType.EVF_V2_LARGE
        : ScapBlockType.EVF_V2
      : large
        ? ScapBlockType.EV_V2_LARGE
        : ScapBlockType.EV_V2);
  const evf =
    blockType === ScapBlockType.EVF ||
    blockType === ScapBlockType.EVF_V2 ||
    blockType === ScapBlockType.EVF_V2_LARGE;
  const prefix = evf ? 6 : 2;
  const body = prefix + event.length;
  const total = 12 + ((body + 3) & ~3);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, blockType >>> 0, true);
  dv.setUint32(4, total, true);
  dv.setUint16(8, options.cpu ?? 0, true);
  if (evf) dv.setUint32(10, options.dumpFlags ?? 0, true);
  out.set(event, 8 + prefix);
  dv.setUint32(total - 4, total, true);
  return out;
}

/** A plugin event (type 322): plugin id and payload. */
export interface ScapPluginEvent {
  pluginId: number;
  data: Uint8Array;
}

/** An async event (type 402): plugin id, event name and payload. */
export interface ScapAsyncEvent {
  pluginId: number;
  name: string;
  data: Uint8Array;
}

/** Encodes a plugin event (`PPME_PLUGINEVENT_E`, 32-bit parameter lengths). `tid` defaults to -1. */
export function encodePluginEvent(
  e: ScapPluginEvent & { ts: bigint | number; tid?: number | bigint },
): Uint8Array {
  return encodeEvent({ type: 322, ts: e.ts, tid: e.tid ?? -1, params: [e.pluginId, e.data] });
}

/** Encodes an async event (`PPME_ASYNCEVENT_E`, 32-bit parameter lengths). `tid` defaults to -1. */
export function encodeAsyncEvent(
  e: ScapAsyncEvent & { ts: bigint | number; tid?: number | bigint },
): Uint8Array {
  return encodeEvent({ type: 402, ts: e.ts, tid: e.tid ?? -1, params: [e.pluginId, e.name, e.data] });
}
