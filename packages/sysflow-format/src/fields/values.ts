/**
 * Value conversions of the `sf.*` attributes: operation and open flags by name, file type
 * characters, paths split the way Go's `filepath` does, and socket "paths" with their endpoints.
 */
import type { SysFlowType } from '../types.js';

/** Operation flag names in the order sf-processor lists them; `SEND`/`RECV` replace `WRITE`/`READ` on network flows. */
const OP_NAMES: readonly (readonly [bit: number, name: string])[] = [
  [1 << 15, 'MKDIR'],
  [1 << 16, 'RMDIR'],
  [1 << 17, 'LINK'],
  [1 << 19, 'SYMLINK'],
  [1 << 18, 'UNLINK'],
  [1 << 20, 'RENAME'],
  [1 << 0, 'CLONE'],
  [1 << 1, 'EXEC'],
  [1 << 2, 'EXIT'],
  [1 << 3, 'SETUID'],
  [1 << 7, 'OPEN'],
  [1 << 5, 'ACCEPT'],
  [1 << 6, 'CONNECT'],
  [1 << 10, 'CLOSE'],
  [1 << 9, 'WRITE'],
  [1 << 8, 'READ'],
  [1 << 4, 'SETNS'],
  [1 << 13, 'MMAP'],
  [1 << 12, 'SHUTDOWN'],
  [1 << 11, 'TRUNCATE'],
  [1 << 14, 'DIGEST'],
];

const WRITE_SEND = 1 << 9;
const READ_RECV = 1 << 8;

const opCache = new Map<number, readonly string[]>();
const opCacheNet = new Map<number, readonly string[]>();

/**
 * The names of the operation bits of a record (`sf.opflags`): `MKDIR RMDIR LINK SYMLINK UNLINK
 * RENAME CLONE EXEC EXIT SETUID OPEN ACCEPT CONNECT CLOSE WRITE READ SETNS MMAP SHUTDOWN TRUNCATE
 * DIGEST`, with `SEND`/`RECV` instead of `WRITE`/`READ` on network flows. The arrays are cached and
 * frozen: do not modify them.
 */
export function opFlagNames(opFlags: number, type?: SysFlowType): readonly string[] {
  const net = type === 'NetworkFlow';
  const cache = net ? opCacheNet : opCache;
  const hit = cache.get(opFlags);
  if (hit) return hit;
  const out: string[] = [];
  for (const [bit, name] of OP_NAMES) {
    if ((opFlags & bit) === 0) continue;
    if (net && bit === WRITE_SEND) out.push('SEND');
    else if (net && bit === READ_RECV) out.push('RECV');
    else out.push(name);
  }
  const frozen = Object.freeze(out);
  if (cache.size < 4096) cache.set(opFlags, frozen);
  return frozen;
}

/** SysFlow's open-flag bits (`FileFlow.openFlags`), in the order their names are listed. */
const OPEN_NAMES: readonly (readonly [mask: number, name: string])[] = [
  [1 << 0, 'RDONLY'],
  [1 << 1, 'WRONLY'],
  [3, 'RDWR'],
  [1 << 2, 'CREAT'],
  [1 << 5, 'EXCL'],
  [1 << 8, 'TRUNC'],
  [1 << 3, 'APPEND'],
  [1 << 6, 'NONBLOCK'],
  [1 << 4, 'DSYNC'],
  [1 << 9, 'DIRECT'],
  [1 << 11, 'LARGEFILE'],
  [1 << 10, 'DIRECTORY'],
  [1 << 12, 'CLOEXEC'],
  [1 << 7, 'SYNC'],
];

const openCache = new Map<number, readonly string[]>();

/**
 * The names of SysFlow open flags (`sf.file.openflags`): `NONE` for 0, else every set mask of
 * `RDONLY WRONLY RDWR CREAT EXCL TRUNC APPEND NONBLOCK DSYNC DIRECT LARGEFILE DIRECTORY CLOEXEC SYNC`
 * (`RDWR` is both bits, so a read-write open lists `RDONLY`, `WRONLY` and `RDWR`). Cached and frozen.
 */
export function openFlagNames(flags: number): readonly string[] {
  const hit = openCache.get(flags);
  if (hit) return hit;
  const out: string[] = [];
  if (flags === 0) out.push('NONE');
  for (const [mask, name] of OPEN_NAMES) if ((flags & mask) === mask) out.push(name);
  const frozen = Object.freeze(out);
  if (openCache.size < 4096) openCache.set(flags, frozen);
  return frozen;
}

/** Open for reading: the `RDONLY` bit (read-only or read-write). */
export function isOpenRead(flags: number): boolean {
  return (flags & 1) !== 0;
}

/** Open for writing: the `WRONLY` bit (write-only or read-write). */
export function isOpenWrite(flags: number): boolean {
  return (flags & 2) !== 0;
}

/** Removes `.` and `..` components and duplicate slashes, like Go's `filepath.Clean`. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.charCodeAt(0) === 47;
  const parts = p.split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** The last element of a path, like Go's `filepath.Base`: `.` for `""`, `/` for `/`. */
export function baseName(p: string): string {
  if (p === '') return '.';
  let end = p.length;
  while (end > 0 && p.charCodeAt(end - 1) === 47) end--;
  if (end === 0) return '/';
  const slash = p.lastIndexOf('/', end - 1);
  return p.slice(slash + 1, end);
}

/** Everything but the last element, cleaned, like Go's `filepath.Dir`: `.` without a slash. */
export function dirName(p: string): string {
  const slash = p.lastIndexOf('/');
  return cleanPath(p.slice(0, slash + 1));
}

const SOCK_RE = /^([0-9a-fA-F]+)->([0-9a-fA-F]+) (\S+)/;

/**
 * Splits a socket file path the collector writes as `<hex>-><hex> <path>` into the path and the
 * `<hex>-><hex>` endpoint pair (`sf.file.path`, `sf.file.symlink`); other paths are returned whole
 * with an empty pair.
 */
export function splitSocketPath(raw: string): { path: string; link: string } {
  const arrow = raw.indexOf('->');
  if (arrow < 0) return { path: raw, link: '' };
  const m = SOCK_RE.exec(raw);
  if (!m) return { path: raw, link: '' };
  const hex = (s: string) => BigInt(`0x${s}`).toString(16);
  return { path: m[3]!, link: `${hex(m[1]!)}->${hex(m[2]!)}` };
}

/** The container runtime without its `CT_` prefix (`DOCKER`, `CRIO`, …), as `sf.container.type` shows it. */
export function containerTypeName(type: string): string {
  return type.startsWith('CT_') ? type.slice(3) : type;
}

/** IANA protocol number → `tcp`, `udp`, `icmp`, `raw`, else `''` (`sf.net.protoname`). */
export function protoName(proto: number): string {
  switch (proto) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 1:
      return 'icmp';
    case 254:
      return 'raw';
    default:
      return '';
  }
}
