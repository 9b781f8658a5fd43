import { PcapngError } from '../errors.js';
import { PROCLIST_VERSION, ScapBlockType } from './block-types.js';
import { decodeCString, ipv4Text, ipv6Text, readInt64, readUint64 } from './params.js';

/** Machine info block (MI): the host the capture was taken on. */
export interface ScapMachineInfo {
  numCpus: number;
  memorySizeBytes: number | bigint;
  maxPid: number | bigint;
  hostname: string;
  /** 64-bit words after the hostname (boot time, flags, … in newer captures), as written. */
  extra: (number | bigint)[];
  /** Trailing bytes after the last whole 64-bit word, if any. */
  tail?: Uint8Array;
}

/** Bytes of a length-prefixed list entry (PL v9, FDL v2, IL v2, UL v2) after the fields this reader knows. */
export interface ScapEntryExtra {
  /** Unparsed trailing bytes of the entry (fields newer than this reader), kept so the entry re-encodes as read. */
  extra?: Uint8Array;
}

/** One thread of a process list block (PL, versions 1-9). Fields a version lacks are absent. */
export interface ScapThreadInfo extends ScapEntryExtra {
  tid: number;
  pid: number;
  ptid: number;
  sid?: number;
  vpgid?: number;
  comm: string;
  exe: string;
  exepath?: string;
  /** Arguments (the NUL-separated list, split). */
  args: string[];
  cwd: string;
  fdlimit: number | bigint;
  flags: number;
  uid: number;
  gid: number;
  vmsizeKb?: number;
  vmrssKb?: number;
  vmswapKb?: number;
  pfmajor?: number | bigint;
  pfminor?: number | bigint;
  env?: string[];
  vtid?: number;
  vpid?: number;
  cgroups?: string[];
  root?: string;
  loginuid?: number;
  exeWritable?: boolean;
  capInheritable?: number | bigint;
  capPermitted?: number | bigint;
  capEffective?: number | bigint;
}

/** libscap fd types (`scap_fd_type`), by name. */
export const ScapFdType = {
  UNKNOWN: 0,
  FILE: 1,
  DIRECTORY: 2,
  IPV4_SOCK: 3,
  IPV6_SOCK: 4,
  IPV4_SERVSOCK: 5,
  IPV6_SERVSOCK: 6,
  FIFO: 7,
  UNIX_SOCK: 8,
  EVENT: 9,
  UNSUPPORTED: 10,
  SIGNALFD: 11,
  EVENTPOLL: 12,
  INOTIFY: 13,
  TIMERFD: 14,
  NETLINK: 15,
  FILE_V2: 16,
  BPF: 17,
  USERFAULTFD: 18,
  IOURING: 19,
  MEMFD: 20,
  PIDFD: 21,
} as const;

/** One open fd of a thread, from an fd list block (FDL). Fields depend on `type`. */
export interface ScapFdInfo extends ScapEntryExtra {
  tid: number;
  fd: number;
  ino: number | bigint;
  /** {@link ScapFdType} value. */
  type: number;
  /** File name / path (files, pipes, unix sockets, …). */
  name?: string;
  openFlags?: number;
  dev?: number;
  sip?: string;
  dip?: string;
  sport?: number;
  dport?: number;
  l4proto?: number;
  /** Kernel socket pointers of a unix socket, hex. */
  source?: string;
  dest?: string;
}

/** One address of an interface list block (IL). */
export interface ScapInterfaceInfo extends ScapEntryExtra {
  family: 'ipv4' | 'ipv6';
  name: string;
  addr: string;
  netmask: string;
  bcast: string;
  /** Link speed, when the entry records it. */
  linkspeed?: number | bigint;
}

/** A user of a user list block (UL). */
export interface ScapUserInfo extends ScapEntryExtra {
  uid: number;
  gid: number;
  name: string;
  homedir: string;
  shell: string;
}

/** A group of a user list block (UL). */
export interface ScapGroupInfo extends ScapEntryExtra {
  gid: number;
  name: string;
}

const utf8 = new TextDecoder();

/** A little reader over one block body that turns overruns into `SCAP_BAD_BLOCK` errors at their offset. */
class BodyReader {
  pos: number;
  constructor(
    readonly view: DataView,
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    readonly le: boolean,
    readonly base: number,
    readonly what: string,
  ) {
    this.pos = start;
  }
  fail(msg: string, at = this.pos): never {
    throw new PcapngError('SCAP_BAD_BLOCK', `${this.what}: ${msg}`, { offset: this.base + at });
  }
  need(n: number, field: string): void {
    if (this.pos + n > this.end) this.fail(`${field} runs past the end of the block`);
  }
  u8(f: string): number {
    this.need(1, f);
    return this.bytes[this.pos++]!;
  }
  u16(f: string): number {
    this.need(2, f);
    const v = this.view.getUint16(this.pos, this.le);
    this.pos += 2;
    return v;
  }
  u32(f: string): number {
    this.need(4, f);
    const v = this.view.getUint32(this.pos, this.le);
    this.pos += 4;
    return v;
  }
  i32(f: string): number {
    this.need(4, f);
    const v = this.view.getInt32(this.pos, this.le);
    this.pos += 4;
    return v;
  }
  i64(f: string): number | bigint {
    this.need(8, f);
    const v = readInt64(this.view, this.pos, this.le);
    this.pos += 8;
    return v;
  }
  u64(f: string): number | bigint {
    this.need(8, f);
    const v = readUint64(this.view, this.pos, this.le);
    this.pos += 8;
    return v;
  }
  int(f: string): number {
    return Number(this.i64(f));
  }
  str16(f: string): string {
    const n = this.u16(`${f} length`);
    this.need(n, f);
    const s = decodeCString(this.bytes, this.pos, n);
    this.pos += n;
    return s;
  }
  list16(f: string): string[] {
    const n = this.u16(`${f} length`);
    this.need(n, f);
    const parts = utf8.decode(this.bytes.subarray(this.pos, this.pos + n)).split('\0');
    this.pos += n;
    if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    return parts;
  }
  hex64(f: string): string {
    this.need(8, f);
    const v = this.view.getBigUint64(this.pos, this.le).toString(16);
    this.pos += 8;
    return v;
  }
  raw(n: number, f: string): Uint8Array {
    this.need(n, f);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/** Where a block body lies: `bytes[bodyOffset, bodyOffset + bodyLength)`; `base` = absolute offset of bytes[0]. */
export interface BodyRef {
  view: DataView;
  bytes: Uint8Array;
  bodyOffset: number;
  bodyLength: number;
  littleEndian: boolean;
  base: number;
}

/** Parses a machine info block body. */
export function parseMachineInfo(b: BodyRef): ScapMachineInfo {
  const r = new BodyReader(
    b.view,
    b.bytes,
    b.bodyOffset,
    b.bodyOffset + b.bodyLength,
    b.littleEndian,
    b.base,
    'machine info',
  );
  const numCpus = r.u32('num_cpus');
  const memorySizeBytes = r.u64('memory_size_bytes');
  const maxPid = r.u64('max_pid');
  const hostname = decodeCString(b.bytes, r.pos, Math.min(128, r.end - r.pos));
  r.raw(128, 'hostname');
  const extra: (number | bigint)[] = [];
  while (r.end - r.pos >= 8) extra.push(r.u64('extra'));
  const info: ScapMachineInfo = { numCpus, memorySizeBytes, maxPid, hostname, extra };
  if (r.end > r.pos) info.tail = r.raw(r.end - r.pos, 'tail');
  return info;
}

/** Parses a process list block body of `blockType` (any version). */
export function parseProcessList(b: BodyRef, blockType: number): ScapThreadInfo[] {
  const version = PROCLIST_VERSION.get(blockType >>> 0);
  if (version === undefined)
    throw new PcapngError('SCAP_BAD_BLOCK', `not a process list block type 0x${blockType.toString(16)}`);
  const end = b.bodyOffset + b.bodyLength;
  const r = new BodyReader(
    b.view,
    b.bytes,
    b.bodyOffset,
    end,
    b.littleEndian,
    b.base,
    `process list v${version}`,
  );
  const out: ScapThreadInfo[] = [];
  while (end - r.pos >= 4) {
    const start = r.pos;
    let subLen = 0;
    if (version >= 9) {
      subLen = r.u32('entry length');
      if (subLen < 4 || start + subLen > end) r.fail(`entry length ${subLen} does not fit the block`, start);
    }
    const entryEnd = subLen ? start + subLen : end;
    const t: ScapThreadInfo = {
      tid: r.int('tid'),
      pid: r.int('pid'),
      ptid: r.int('ptid'),
      comm: '',
      exe: '',
      args: [],
      cwd: '',
      fdlimit: 0,
      flags: 0,
      uid: 0,
      gid: 0,
    };
    if (version >= 6) t.sid = r.int('sid');
    if (version >= 8) t.vpgid = r.int('vpgid');
    t.comm = r.str16('comm');
    t.exe = r.str16('exe');
    if (version >= 7) t.exepath = r.str16('exepath');
    t.args = r.list16('args');
    t.cwd = r.str16('cwd');
    t.fdlimit = r.u64('fdlimit');
    t.flags = r.u32('flags');
    t.uid = r.u32('uid');
    t.gid = r.u32('gid');
    if (version >= 2) {
      t.vmsizeKb = r.u32('vmsize_kb');
      t.vmrssKb = r.u32('vmrss_kb');
      t.vmswapKb = r.u32('vmswap_kb');
      t.pfmajor = r.u64('pfmajor');
      t.pfminor = r.u64('pfminor');
      if (version >= 3) t.env = r.list16('env');
      if (version >= 4) {
        t.vtid = r.int('vtid');
        t.vpid = r.int('vpid');
        t.cgroups = r.list16('cgroups');
        if (version >= 5) t.root = r.str16('root');
      }
    }
    if (subLen) {
      if (r.pos > entryEnd) r.fail(`entry of ${subLen} bytes is shorter than its fields`, start);
      if (r.pos + 4 <= entryEnd) t.loginuid = r.i32('loginuid');
      if (r.pos + 1 <= entryEnd) t.exeWritable = r.u8('exe_writable') !== 0;
      if (r.pos + 8 <= entryEnd) t.capInheritable = r.u64('cap_inheritable');
      if (r.pos + 8 <= entryEnd) t.capPermitted = r.u64('cap_permitted');
      if (r.pos + 8 <= entryEnd) t.capEffective = r.u64('cap_effective');
      if (r.pos < entryEnd) t.extra = r.raw(entryEnd - r.pos, 'extra');
    }
    out.push(t);
  }
  return out;
}

/** Parses an fd list block body (FDL v1/v2): the fds of one thread. */
export function parseFdList(b: BodyRef, blockType: number): ScapFdInfo[] {
  const end = b.bodyOffset + b.bodyLength;
  const v2 = blockType >>> 0 === ScapBlockType.FDL_V2;
  const r = new BodyReader(b.view, b.bytes, b.bodyOffset, end, b.littleEndian, b.base, 'fd list');
  const tid = r.int('tid');
  const out: ScapFdInfo[] = [];
  while (end - r.pos >= 4) {
    const start = r.pos;
    const subLen = v2 ? r.u32('entry length') : 0;
    if (v2 && (subLen < 4 || start + subLen > end))
      r.fail(`entry length ${subLen} does not fit the block`, start);
    const fd: ScapFdInfo = { tid, fd: r.int('fd'), ino: r.u64('ino'), type: r.u8('type') };
    switch (fd.type) {
      case ScapFdType.IPV4_SOCK:
        fd.sip = ipv4Text(r.raw(4, 'sip'), 0);
        fd.dip = ipv4Text(r.raw(4, 'dip'), 0);
        fd.sport = r.u16('sport');
        fd.dport = r.u16('dport');
        fd.l4proto = r.u8('l4proto');
        break;
      case ScapFdType.IPV4_SERVSOCK:
        fd.sip = ipv4Text(r.raw(4, 'ip'), 0);
        fd.sport = r.u16('port');
        fd.l4proto = r.u8('l4proto');
        break;
      case ScapFdType.IPV6_SOCK:
        fd.sip = ipv6Text(r.raw(16, 'sip'), 0);
        fd.dip = ipv6Text(r.raw(16, 'dip'), 0);
        fd.sport = r.u16('sport');
        fd.dport = r.u16('dport');
        fd.l4proto = r.u8('l4proto');
        break;
      case ScapFdType.IPV6_SERVSOCK:
        fd.sip = ipv6Text(r.raw(16, 'ip'), 0);
        fd.sport = r.u16('port');
        fd.l4proto = r.u8('l4proto');
        break;
      case ScapFdType.UNIX_SOCK:
        fd.source = r.hex64('source');
        fd.dest = r.hex64('dest');
        fd.name = r.str16('name');
        break;
      case ScapFdType.FILE_V2:
        fd.openFlags = r.u32('open_flags');
        fd.name = r.str16('name');
        if (subLen && r.pos + 4 <= start + subLen) fd.dev = r.u32('dev');
        break;
      case ScapFdType.UNKNOWN:
        break;
      default:
        if (fd.type <= ScapFdType.PIDFD) fd.name = r.str16('name');
        else if (!subLen) r.fail(`unknown fd type ${fd.type}`, start);
    }
    if (subLen) {
      if (r.pos > start + subLen) r.fail(`entry of ${subLen} bytes is shorter than its fields`, start);
      if (r.pos < start + subLen) fd.extra = r.raw(start + subLen - r.pos, 'extra');
    }
    out.push(fd);
  }
  return out;
}

/** Parses an interface list block body (IL v1/v2). */
export function parseInterfaceList(b: BodyRef, blockType: number): ScapInterfaceInfo[] {
  const end = b.bodyOffset + b.bodyLength;
  const v2 = blockType >>> 0 === ScapBlockType.IL_V2;
  const r = new BodyReader(b.view, b.bytes, b.bodyOffset, end, b.littleEndian, b.base, 'interface list');
  const out: ScapInterfaceInfo[] = [];
  while (end - r.pos >= 4) {
    const start = r.pos;
    const size = v2 ? r.u32('entry length') : 0;
    if (v2 && start + 4 + size > end) r.fail(`entry length ${size} does not fit the block`, start);
    const type = r.u16('type');
    const nameLen = r.u16('name length');
    const v6 = type === 2 || type === 4;
    if (type < 1 || type > 4) r.fail(`unknown interface entry type ${type}`, start);
    const alen = v6 ? 16 : 4;
    const text = v6 ? ipv6Text : ipv4Text;
    const info: ScapInterfaceInfo = {
      family: v6 ? 'ipv6' : 'ipv4',
      name: '',
      addr: text(r.raw(alen, 'addr'), 0),
      netmask: text(r.raw(alen, 'netmask'), 0),
      bcast: text(r.raw(alen, 'bcast'), 0),
    };
    if (type <= 2) info.linkspeed = r.u64('linkspeed');
    r.need(nameLen, 'name');
    info.name = decodeCString(b.bytes, r.pos, nameLen);
    r.pos += nameLen;
    if (v2) {
      if (r.pos > start + 4 + size) r.fail(`entry of ${size} bytes is shorter than its fields`, start);
      if (r.pos < start + 4 + size) info.extra = r.raw(start + 4 + size - r.pos, 'extra');
    }
    out.push(info);
  }
  return out;
}

/** Parses a user list block body (UL v1/v2). */
export function parseUserList(
  b: BodyRef,
  blockType: number,
): { users: ScapUserInfo[]; groups: ScapGroupInfo[] } {
  const end = b.bodyOffset + b.bodyLength;
  const v2 = blockType >>> 0 === ScapBlockType.UL_V2;
  const r = new BodyReader(b.view, b.bytes, b.bodyOffset, end, b.littleEndian, b.base, 'user list');
  const users: ScapUserInfo[] = [];
  const groups: ScapGroupInfo[] = [];
  while (end - r.pos >= 4) {
    const start = r.pos;
    const subLen = v2 ? r.u32('entry length') : 0;
    if (v2 && (subLen < 4 || start + subLen > end))
      r.fail(`entry length ${subLen} does not fit the block`, start);
    const kind = r.u8('type');
    let entry: ScapEntryExtra;
    if (kind === 0) {
      const user: ScapUserInfo = {
        uid: r.u32('uid'),
        gid: r.u32('gid'),
        name: r.str16('name'),
        homedir: r.str16('homedir'),
        shell: r.str16('shell'),
      };
      users.push(user);
      entry = user;
    } else {
      const group: ScapGroupInfo = { gid: r.u32('gid'), name: r.str16('name') };
      groups.push(group);
      entry = group;
    }
    if (subLen) {
      if (r.pos > start + subLen) r.fail(`entry of ${subLen} bytes is shorter than its fields`, start);
      if (r.pos < start + subLen) entry.extra = r.raw(start + subLen - r.pos, 'extra');
    }
  }
  return { users, groups };
}
