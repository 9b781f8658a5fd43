import { PcapngError } from '../errors.js';
import { ScapBlockType } from './block-types.js';
import {
  type ScapFdInfo,
  ScapFdType,
  type ScapGroupInfo,
  type ScapInterfaceInfo,
  type ScapMachineInfo,
  type ScapThreadInfo,
  type ScapUserInfo,
} from './metadata.js';
import { encodeRawBlock } from './writer.js';

const utf8 = new TextEncoder();

/** A growable little-endian byte builder. */
class Builder {
  private buf = new Uint8Array(256);
  private dv = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.room(2);
    this.dv.setUint16(this.length, v, true);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.room(4);
    this.dv.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }
  i32(v: number): this {
    this.room(4);
    this.dv.setInt32(this.length, v, true);
    this.length += 4;
    return this;
  }
  u64(v: number | bigint): this {
    this.room(8);
    this.dv.setBigUint64(this.length, BigInt.asUintN(64, BigInt(v)), true);
    this.length += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  /** u16 length + bytes. */
  str16(s: string | Uint8Array, what: string): this {
    const b = typeof s === 'string' ? utf8.encode(s) : s;
    if (b.length > 0xffff) throw new PcapngError('SCAP_ENCODE', `${what} of ${b.length} bytes exceeds 65535`);
    return this.u16(b.length).bytes(b);
  }
  /** u16 length + NUL-separated, NUL-terminated list. */
  list16(list: readonly string[], what: string): this {
    return this.str16(list.length ? `${list.join('\0')}\0` : '', what);
  }
  setU32(at: number, v: number): void {
    this.dv.setUint32(at, v >>> 0, true);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function ipv4(s: string | undefined): Uint8Array {
  const parts = (s ?? '0.0.0.0').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new PcapngError('SCAP_ENCODE', `bad IPv4 address ${s}`);
  return Uint8Array.from(parts);
}

function ipv6(s: string | undefined): Uint8Array {
  let text = s ?? '::';
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (m) {
    const v4 = ipv4(m[2]);
    text = `${m[1]}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  const words = (x: string) => (x === '' ? [] : x.split(':').map((w) => Number.parseInt(w, 16)));
  const h = words(halves[0] ?? '');
  const r = halves.length > 1 ? words(halves[1] ?? '') : [];
  const all = halves.length > 1 ? [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r] : h;
  if (all.length !== 8 || all.some((w) => !(w >= 0 && w <= 0xffff)))
    throw new PcapngError('SCAP_ENCODE', `bad IPv6 address ${s}`);
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Encodes a machine info block (MI). */
export function encodeMachineInfoBlock(mi: ScapMachineInfo): Uint8Array {
  const b = new Builder().u32(mi.numCpus).u64(mi.memorySizeBytes).u64(mi.maxPid);
  const host = new Uint8Array(128);
  host.set(utf8.encode(mi.hostname).subarray(0, 127));
  b.bytes(host);
  for (const w of mi.extra) b.u64(w);
  if (mi.tail) b.bytes(mi.tail);
  return encodeRawBlock(ScapBlockType.MI, b.result());
}

/**
 * Encodes threads as a process list block, version 9 (each entry prefixed with its length). The optional trailing
 * fields (`loginuid`, `exeWritable`, capabilities) are written up to the first one that is undefined.
 */
export function encodeProcessListBlock(threads: Iterable<ScapThreadInfo>): Uint8Array {
  const b = new Builder();
  for (const t of threads) {
    const start = b.length;
    b.u32(0)
      .u64(t.tid)
      .u64(t.pid)
      .u64(t.ptid)
      .u64(t.sid ?? -1)
      .u64(t.vpgid ?? -1)
      .str16(t.comm, 'comm')
      .str16(t.exe, 'exe')
      .str16(t.exepath ?? '', 'exepath')
      .list16(t.args, 'args')
      .str16(t.cwd, 'cwd')
      .u64(t.fdlimit)
      .u32(t.flags)
      .u32(t.uid)
      .u32(t.gid)
      .u32(t.vmsizeKb ?? 0)
      .u32(t.vmrssKb ?? 0)
      .u32(t.vmswapKb ?? 0)
      .u64(t.pfmajor ?? 0)
      .u64(t.pfminor ?? 0)
      .list16(t.env ?? [], 'env')
      .u64(t.vtid ?? -1)
      .u64(t.vpid ?? -1)
      .list16(t.cgroups ?? [], 'cgroups')
      .str16(t.root ?? '', 'root');
    // Fields newer captures append: written while present, in order (older v9 entries end before them).
    const tail = [t.loginuid, t.exeWritable, t.capInheritable, t.capPermitted, t.capEffective];
    const n = tail.indexOf(undefined);
    const count = n < 0 ? tail.length : n;
    if (count > 0) b.i32(t.loginuid ?? -1);
    if (count > 1) b.u8(t.exeWritable ? 1 : 0);
    if (count > 2) b.u64(t.capInheritable ?? 0);
    if (count > 3) b.u64(t.capPermitted ?? 0);
    if (count > 4) b.u64(t.capEffective ?? 0);
    if (t.extra) b.bytes(t.extra);
    b.setU32(start, b.length - start);
  }
  return encodeRawBlock(ScapBlockType.PL_V9, b.result());
}

/** Encodes the fds of thread `tid` as an fd list block, version 2 (entries prefixed with their length). */
export function encodeFdListBlock(tid: number, fds: Iterable<ScapFdInfo>): Uint8Array {
  const b = new Builder().u64(tid);
  for (const fd of fds) {
    const start = b.length;
    b.u32(0).u64(fd.fd).u64(fd.ino).u8(fd.type);
    switch (fd.type) {
      case ScapFdType.IPV4_SOCK:
        b.bytes(ipv4(fd.sip))
          .bytes(ipv4(fd.dip))
          .u16(fd.sport ?? 0)
          .u16(fd.dport ?? 0)
          .u8(fd.l4proto ?? 0);
        break;
      case ScapFdType.IPV4_SERVSOCK:
        b.bytes(ipv4(fd.sip))
          .u16(fd.sport ?? 0)
          .u8(fd.l4proto ?? 0);
        break;
      case ScapFdType.IPV6_SOCK:
        b.bytes(ipv6(fd.sip))
          .bytes(ipv6(fd.dip))
          .u16(fd.sport ?? 0)
          .u16(fd.dport ?? 0)
          .u8(fd.l4proto ?? 0);
        break;
      case ScapFdType.IPV6_SERVSOCK:
        b.bytes(ipv6(fd.sip))
          .u16(fd.sport ?? 0)
          .u8(fd.l4proto ?? 0);
        break;
      case ScapFdType.UNIX_SOCK:
        b.u64(BigInt(`0x${fd.source || '0'}`))
          .u64(BigInt(`0x${fd.dest || '0'}`))
          .str16(fd.name ?? '', 'name');
        break;
      case ScapFdType.FILE_V2:
        b.u32(fd.openFlags ?? 0).str16(fd.name ?? '', 'name');
        if (fd.dev !== undefined) b.u32(fd.dev);
        break;
      case ScapFdType.UNKNOWN:
        break;
      default:
        b.str16(fd.name ?? '', 'name');
    }
    if (fd.extra) b.bytes(fd.extra);
    b.setU32(start, b.length - start);
  }
  return encodeRawBlock(ScapBlockType.FDL_V2, b.result());
}

/** Encodes interface addresses as an interface list block, version 2 (entries prefixed with their length). */
export function encodeInterfaceListBlock(interfaces: Iterable<ScapInterfaceInfo>): Uint8Array {
  const b = new Builder();
  for (const i of interfaces) {
    const start = b.length;
    const v6 = i.family === 'ipv6';
    const withSpeed = i.linkspeed !== undefined;
    const name = utf8.encode(i.name);
    b.u32(0)
      .u16(v6 ? (withSpeed ? 2 : 4) : withSpeed ? 1 : 3)
      .u16(name.length);
    const addr = v6 ? ipv6 : ipv4;
    b.bytes(addr(i.addr)).bytes(addr(i.netmask)).bytes(addr(i.bcast));
    if (withSpeed) b.u64(i.linkspeed ?? 0);
    b.bytes(name);
    if (i.extra) b.bytes(i.extra);
    b.setU32(start, b.length - start - 4);
  }
  return encodeRawBlock(ScapBlockType.IL_V2, b.result());
}

/** Encodes users and groups as a user list block, version 2 (entries prefixed with their length). */
export function encodeUserListBlock(
  users: Iterable<ScapUserInfo>,
  groups: Iterable<ScapGroupInfo>,
): Uint8Array {
  const b = new Builder();
  for (const u of users) {
    const start = b.length;
    b.u32(0)
      .u8(0)
      .u32(u.uid)
      .u32(u.gid)
      .str16(u.name, 'name')
      .str16(u.homedir, 'homedir')
      .str16(u.shell, 'shell');
    if (u.extra) b.bytes(u.extra);
    b.setU32(start, b.length - start);
  }
  for (const g of groups) {
    const start = b.length;
    b.u32(0).u8(1).u32(g.gid).str16(g.name, 'name');
    if (g.extra) b.bytes(g.extra);
    b.setU32(start, b.length - start);
  }
  return encodeRawBlock(ScapBlockType.UL_V2, b.result());
}
