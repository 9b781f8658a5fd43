import { PcapngError } from '../errors.js';
import { FLAG_TABLES } from './event-table.generated.js';
import { dynamicParamType, flagNames, PT } from './event-table.js';

/** A flag or enum parameter: its numeric value and the symbolic names it decodes to. */
export interface ScapFlags {
  /** Raw value as written by the driver (PPM encoding). */
  value: number;
  /** Symbolic names, e.g. `["O_RDWR", "O_CLOEXEC"]`; empty when the table has no name for the value. */
  names: string[];
}

/** A socket address (`PT_SOCKADDR`). */
export type ScapSockAddr =
  | { family: 'inet'; addr: string; port: number }
  | { family: 'inet6'; addr: string; port: number }
  | { family: 'unix'; path: string }
  | { family: number; data: Uint8Array };

/** A connection tuple (`PT_SOCKTUPLE`): IPv4/IPv6 endpoints, or the two kernel socket pointers of a unix socket. */
export type ScapSockTuple =
  | { family: 'inet'; sip: string; sport: number; dip: string; dport: number }
  | { family: 'inet6'; sip: string; sport: number; dip: string; dport: number }
  | { family: 'unix'; source: string; dest: string; path: string }
  | { family: number; data: Uint8Array };

/** One entry of a `PT_FDLIST` (poll/ppoll): fd and its poll flags. */
export interface ScapFdListEntry {
  fd: number;
  flags: number;
}

/**
 * The decoded value of one parameter:
 * - 8/16/32-bit integers, uid/gid, syscall id, signal, port, sigset: `number`;
 * - 64-bit integers, fd, pid, errno, relative and absolute times (ns): `number` when within ±2^53, else `bigint`;
 * - char buffers and paths: `string` (up to the first NUL, UTF-8); byte buffers: a `Uint8Array` view;
 * - flags, enums and modes: {@link ScapFlags}; `PT_BOOL`: `boolean`; `PT_DOUBLE`: `number`;
 * - sockaddr / socktuple / fdlist: {@link ScapSockAddr} / {@link ScapSockTuple} / {@link ScapFdListEntry}[];
 * - IP addresses: dotted or RFC 5952 text; string arrays: `string[]`;
 * - `PT_DYN`: the value of its sub-type; an empty (zero-length) parameter: `null`.
 */
export type ScapParamValue =
  | number
  | bigint
  | string
  | boolean
  | Uint8Array
  | ScapFlags
  | ScapSockAddr
  | ScapSockTuple
  | ScapFdListEntry[]
  | string[]
  | null;

const utf8 = new TextDecoder('utf-8');
const TWO32 = 4294967296;

/** Reads a signed 64-bit integer as a number when safe, else a bigint. */
export function readInt64(view: DataView, off: number, le: boolean): number | bigint {
  const lo = view.getUint32(le ? off : off + 4, le);
  const hi = view.getInt32(le ? off + 4 : off, le);
  if (hi >= -0x200000 && hi < 0x200000) return hi * TWO32 + lo;
  return view.getBigInt64(off, le);
}

/** Reads an unsigned 64-bit integer as a number when safe, else a bigint. */
export function readUint64(view: DataView, off: number, le: boolean): number | bigint {
  const lo = view.getUint32(le ? off : off + 4, le);
  const hi = view.getUint32(le ? off + 4 : off, le);
  if (hi < 0x200000) return hi * TWO32 + lo;
  return view.getBigUint64(off, le);
}

/** Decodes bytes as a NUL-terminated UTF-8 string (ASCII fast path). */
export function decodeCString(bytes: Uint8Array, off: number, len: number): string {
  let end = off;
  const stop = off + len;
  let ascii = true;
  while (end < stop) {
    const c = bytes[end]!;
    if (c === 0) break;
    if (c >= 0x80) ascii = false;
    end++;
  }
  const n = end - off;
  if (n === 0) return '';
  if (ascii && n <= 64) {
    let s = '';
    for (let i = off; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return utf8.decode(bytes.subarray(off, end));
}

/** Dotted-quad text of 4 bytes in network order. */
export function ipv4Text(bytes: Uint8Array, off: number): string {
  return `${bytes[off]}.${bytes[off + 1]}.${bytes[off + 2]}.${bytes[off + 3]}`;
}

/** RFC 5952 text of 16 bytes in network order (IPv4-mapped addresses as `::ffff:a.b.c.d`). */
export function ipv6Text(bytes: Uint8Array, off: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[off + 2 * i]! << 8) | bytes[off + 2 * i + 1]!);
  if (
    words[0] === 0 &&
    words[1] === 0 &&
    words[2] === 0 &&
    words[3] === 0 &&
    words[4] === 0 &&
    words[5] === 0xffff
  ) {
    return `::ffff:${ipv4Text(bytes, off + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

function u64Hex(view: DataView, off: number, le: boolean): string {
  return view.getBigUint64(off, le).toString(16);
}

/** Lowercase hex of a byte range. */
export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return s;
}

const FAMILY_UNIX = 1;
const FAMILY_INET = 2;
const FAMILY_INET6 = 10;

function bad(what: string, offset: number): PcapngError {
  return new PcapngError('SCAP_BAD_EVENT', what, { offset });
}

function needLen(len: number, size: number, typeName: string, base: number, off: number): void {
  if (len !== size)
    throw bad(`parameter of type ${typeName} has length ${len}, expected ${size}`, base + off);
}

/** Decodes a `PT_SOCKADDR` value. */
export function decodeSockAddr(
  view: DataView,
  bytes: Uint8Array,
  off: number,
  len: number,
  le: boolean,
  base = 0,
) {
  if (len < 1) throw bad('empty sockaddr', base + off);
  const fam = bytes[off]!;
  if (fam === FAMILY_INET && len >= 7) {
    return {
      family: 'inet',
      addr: ipv4Text(bytes, off + 1),
      port: view.getUint16(off + 5, le),
    } as ScapSockAddr;
  }
  if (fam === FAMILY_INET6 && len >= 19) {
    return {
      family: 'inet6',
      addr: ipv6Text(bytes, off + 1),
      port: view.getUint16(off + 17, le),
    } as ScapSockAddr;
  }
  if (fam === FAMILY_UNIX)
    return { family: 'unix', path: decodeCString(bytes, off + 1, len - 1) } as ScapSockAddr;
  return { family: fam, data: bytes.subarray(off + 1, off + len) } as ScapSockAddr;
}

/** Decodes a `PT_SOCKTUPLE` value. */
export function decodeSockTuple(
  view: DataView,
  bytes: Uint8Array,
  off: number,
  len: number,
  le: boolean,
  base = 0,
) {
  if (len < 1) throw bad('empty socket tuple', base + off);
  const fam = bytes[off]!;
  if (fam === FAMILY_INET && len >= 13) {
    return {
      family: 'inet',
      sip: ipv4Text(bytes, off + 1),
      sport: view.getUint16(off + 5, le),
      dip: ipv4Text(bytes, off + 7),
      dport: view.getUint16(off + 11, le),
    } as ScapSockTuple;
  }
  if (fam === FAMILY_INET6 && len >= 37) {
    return {
      family: 'inet6',
      sip: ipv6Text(bytes, off + 1),
      sport: view.getUint16(off + 17, le),
      dip: ipv6Text(bytes, off + 19),
      dport: view.getUint16(off + 35, le),
    } as ScapSockTuple;
  }
  if (fam === FAMILY_UNIX && len >= 17) {
    return {
      family: 'unix',
      source: u64Hex(view, off + 1, le),
      dest: u64Hex(view, off + 9, le),
      path: decodeCString(bytes, off + 17, len - 17),
    } as ScapSockTuple;
  }
  return { family: fam, data: bytes.subarray(off + 1, off + len) } as ScapSockTuple;
}

/**
 * Decodes one parameter value of type `type` held in `bytes[off, off + len)`.
 * `info` is the flag-table name (flags/enums), the PT_DYN table name, or undefined. `base` is added to
 * offsets in errors (the absolute file offset of `bytes[0]`).
 * @throws PcapngError `SCAP_BAD_EVENT` when the length does not fit the type.
 */
export function decodeParamValue(
  view: DataView,
  bytes: Uint8Array,
  off: number,
  len: number,
  type: number,
  info: string | undefined,
  le: boolean,
  base = 0,
): ScapParamValue {
  if (
    len === 0 &&
    type !== PT.CHARBUF &&
    type !== PT.FSPATH &&
    type !== PT.FSRELPATH &&
    type !== PT.BYTEBUF
  ) {
    return null;
  }
  switch (type) {
    case PT.INT8:
      needLen(len, 1, 'INT8', base, off);
      return view.getInt8(off);
    case PT.UINT8:
    case PT.SIGTYPE:
    case PT.L4PROTO:
    case PT.SOCKFAMILY:
      needLen(len, 1, 'UINT8', base, off);
      return bytes[off]!;
    case PT.INT16:
      needLen(len, 2, 'INT16', base, off);
      return view.getInt16(off, le);
    case PT.UINT16:
    case PT.SYSCALLID:
    case PT.PORT:
      needLen(len, 2, 'UINT16', base, off);
      return view.getUint16(off, le);
    case PT.INT32:
      needLen(len, 4, 'INT32', base, off);
      return view.getInt32(off, le);
    case PT.UINT32:
    case PT.UID:
    case PT.GID:
    case PT.SIGSET:
      needLen(len, 4, 'UINT32', base, off);
      return view.getUint32(off, le);
    case PT.BOOL:
      needLen(len, 4, 'BOOL', base, off);
      return view.getUint32(off, le) !== 0;
    case PT.INT64:
    case PT.ERRNO:
    case PT.FD:
    case PT.PID:
      needLen(len, 8, 'INT64', base, off);
      return readInt64(view, off, le);
    case PT.UINT64:
    case PT.RELTIME:
    case PT.ABSTIME:
      needLen(len, 8, 'UINT64', base, off);
      return readUint64(view, off, le);
    case PT.DOUBLE:
      needLen(len, 8, 'DOUBLE', base, off);
      return view.getFloat64(off, le);
    case PT.FLAGS8:
    case PT.ENUMFLAGS8: {
      needLen(len, 1, 'FLAGS8', base, off);
      const v = bytes[off]!;
      return { value: v, names: info ? valueNames(info, v, type === PT.ENUMFLAGS8) : [] };
    }
    case PT.FLAGS16:
    case PT.ENUMFLAGS16: {
      needLen(len, 2, 'FLAGS16', base, off);
      const v = view.getUint16(off, le);
      return { value: v, names: info ? valueNames(info, v, type === PT.ENUMFLAGS16) : [] };
    }
    case PT.FLAGS32:
    case PT.ENUMFLAGS32:
    case PT.MODE: {
      needLen(len, 4, 'FLAGS32', base, off);
      const v = view.getUint32(off, le);
      return { value: v, names: info ? valueNames(info, v, type === PT.ENUMFLAGS32) : [] };
    }
    case PT.CHARBUF:
    case PT.FSPATH:
    case PT.FSRELPATH:
      return decodeCString(bytes, off, len);
    case PT.BYTEBUF:
      return bytes.subarray(off, off + len);
    case PT.SOCKADDR:
      return decodeSockAddr(view, bytes, off, len, le, base);
    case PT.SOCKTUPLE:
      return decodeSockTuple(view, bytes, off, len, le, base);
    case PT.FDLIST: {
      if (len < 2) throw bad(`fd list of length ${len}`, base + off);
      const n = view.getUint16(off, le);
      if (2 + n * 10 > len) throw bad(`fd list of ${n} entries overruns its ${len} bytes`, base + off);
      const out: ScapFdListEntry[] = [];
      for (let i = 0, p = off + 2; i < n; i++, p += 10) {
        const fd = readInt64(view, p, le);
        out.push({ fd: typeof fd === 'bigint' ? Number(fd) : fd, flags: view.getUint16(p + 8, le) });
      }
      return out;
    }
    case PT.IPV4ADDR:
      needLen(len, 4, 'IPV4ADDR', base, off);
      return ipv4Text(bytes, off);
    case PT.IPV6ADDR:
      needLen(len, 16, 'IPV6ADDR', base, off);
      return ipv6Text(bytes, off);
    case PT.IPADDR:
      if (len === 4) return ipv4Text(bytes, off);
      if (len === 16) return ipv6Text(bytes, off);
      throw bad(`IP address of length ${len}`, base + off);
    case PT.CHARBUFARRAY:
    case PT.CHARBUF_PAIR_ARRAY: {
      const parts = utf8.decode(bytes.subarray(off, off + len)).split('\0');
      if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
      return parts;
    }
    case PT.DYN: {
      const idx = bytes[off]!;
      const sub = info ? dynamicParamType(info, idx) : undefined;
      if (!sub) return bytes.subarray(off, off + len);
      return decodeParamValue(view, bytes, off + 1, len - 1, sub[0], undefined, le, base);
    }
    default:
      // PT_NONE, PT_IPV4NET, PT_IPV6NET, PT_IPNET and unknown types: the raw bytes.
      return bytes.subarray(off, off + len);
  }
}

/**
 * Symbolic names of a flag or enum parameter value, resolved the way libsinsp renders them: bit-flag types
 * (PT_FLAGS*, PT_MODE) decompose the value (`flagNames`); enum types (PT_ENUMFLAGS*) name every row of the
 * table equal to the value, in table order (`AF_LOCAL|AF_UNIX` for 1), and nothing when no row is, so an
 * unlisted enum value stays a bare number instead of being split into unrelated names.
 */
function valueNames(table: string, value: number, isEnum: boolean): string[] {
  if (!isEnum) return flagNames(table, value);
  const names: string[] = [];
  for (const [name, v] of FLAG_TABLES[table] ?? []) if (v === value) names.push(name);
  return names;
}

/**
 * Linux errno names by number: every value 1..133 of the uapi headers (asm-generic/errno-base.h and
 * errno.h, the numbering x86_64 and the generic ABI use), plus the kernel-internal restart codes 512..516 that
 * can reach a tracer. 41 and 58 have no name of their own (EWOULDBLOCK and EDEADLOCK alias 11 and 35).
 */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  4: 'EINTR',
  5: 'EIO',
  6: 'ENXIO',
  7: 'E2BIG',
  8: 'ENOEXEC',
  9: 'EBADF',
  10: 'ECHILD',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  15: 'ENOTBLK',
  16: 'EBUSY',
  17: 'EEXIST',
  18: 'EXDEV',
  19: 'ENODEV',
  20: 'ENOTDIR',
  21: 'EISDIR',
  22: 'EINVAL',
  23: 'ENFILE',
  24: 'EMFILE',
  25: 'ENOTTY',
  26: 'ETXTBSY',
  27: 'EFBIG',
  28: 'ENOSPC',
  29: 'ESPIPE',
  30: 'EROFS',
  31: 'EMLINK',
  32: 'EPIPE',
  33: 'EDOM',
  34: 'ERANGE',
  35: 'EDEADLK',
  36: 'ENAMETOOLONG',
  37: 'ENOLCK',
  38: 'ENOSYS',
  39: 'ENOTEMPTY',
  40: 'ELOOP',
  42: 'ENOMSG',
  43: 'EIDRM',
  44: 'ECHRNG',
  45: 'EL2NSYNC',
  46: 'EL3HLT',
  47: 'EL3RST',
  48: 'ELNRNG',
  49: 'EUNATCH',
  50: 'ENOCSI',
  51: 'EL2HLT',
  52: 'EBADE',
  53: 'EBADR',
  54: 'EXFULL',
  55: 'ENOANO',
  56: 'EBADRQC',
  57: 'EBADSLT',
  59: 'EBFONT',
  60: 'ENOSTR',
  61: 'ENODATA',
  62: 'ETIME',
  63: 'ENOSR',
  64: 'ENONET',
  65: 'ENOPKG',
  66: 'EREMOTE',
  67: 'ENOLINK',
  68: 'EADV',
  69: 'ESRMNT',
  70: 'ECOMM',
  71: 'EPROTO',
  72: 'EMULTIHOP',
  73: 'EDOTDOT',
  74: 'EBADMSG',
  75: 'EOVERFLOW',
  76: 'ENOTUNIQ',
  77: 'EBADFD',
  78: 'EREMCHG',
  79: 'ELIBACC',
  80: 'ELIBBAD',
  81: 'ELIBSCN',
  82: 'ELIBMAX',
  83: 'ELIBEXEC',
  84: 'EILSEQ',
  85: 'ERESTART',
  86: 'ESTRPIPE',
  87: 'EUSERS',
  88: 'ENOTSOCK',
  89: 'EDESTADDRREQ',
  90: 'EMSGSIZE',
  91: 'EPROTOTYPE',
  92: 'ENOPROTOOPT',
  93: 'EPROTONOSUPPORT',
  94: 'ESOCKTNOSUPPORT',
  95: 'EOPNOTSUPP',
  96: 'EPFNOSUPPORT',
  97: 'EAFNOSUPPORT',
  98: 'EADDRINUSE',
  99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN',
  101: 'ENETUNREACH',
  102: 'ENETRESET',
  103: 'ECONNABORTED',
  104: 'ECONNRESET',
  105: 'ENOBUFS',
  106: 'EISCONN',
  107: 'ENOTCONN',
  108: 'ESHUTDOWN',
  109: 'ETOOMANYREFS',
  110: 'ETIMEDOUT',
  111: 'ECONNREFUSED',
  112: 'EHOSTDOWN',
  113: 'EHOSTUNREACH',
  114: 'EALREADY',
  115: 'EINPROGRESS',
  116: 'ESTALE',
  117: 'EUCLEAN',
  118: 'ENOTNAM',
  119: 'ENAVAIL',
  120: 'EISNAM',
  121: 'EREMOTEIO',
  122: 'EDQUOT',
  123: 'ENOMEDIUM',
  124: 'EMEDIUMTYPE',
  125: 'ECANCELED',
  126: 'ENOKEY',
  127: 'EKEYEXPIRED',
  128: 'EKEYREVOKED',
  129: 'EKEYREJECTED',
  130: 'EOWNERDEAD',
  131: 'ENOTRECOVERABLE',
  132: 'ERFKILL',
  133: 'EHWPOISON',
  512: 'ERESTARTSYS',
  513: 'ERESTARTNOINTR',
  514: 'ERESTARTNOHAND',
  515: 'ENOIOCTLCMD',
  516: 'ERESTART_RESTARTBLOCK',
};

/** Linux signal names by number. */
export const SIGNAL_NAMES: readonly string[] = [
  '',
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGKILL',
  'SIGUSR1',
  'SIGSEGV',
  'SIGUSR2',
  'SIGPIPE',
  'SIGALRM',
  'SIGTERM',
  'SIGSTKFLT',
  'SIGCHLD',
  'SIGCONT',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGWINCH',
  'SIGIO',
  'SIGPWR',
  'SIGSYS',
];
