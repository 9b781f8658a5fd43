/** One open file descriptor, as libsinsp's `sinsp_fdinfo` describes it. */
import { type PathParts, pathParts } from '../paths.js';

/** fd kinds, with libsinsp's `fd.typechar` and `fd.type` text. */
export const FD_KINDS = {
  file: { char: 'f', type: 'file' },
  directory: { char: 'd', type: 'directory' },
  ipv4: { char: '4', type: 'ipv4' },
  ipv6: { char: '6', type: 'ipv6' },
  unix: { char: 'u', type: 'unix' },
  pipe: { char: 'p', type: 'pipe' },
  event: { char: 'e', type: 'event' },
  signalfd: { char: 's', type: 'signalfd' },
  eventpoll: { char: 'l', type: 'eventpoll' },
  inotify: { char: 'i', type: 'inotify' },
  timerfd: { char: 't', type: 'timerfd' },
  netlink: { char: 'n', type: 'netlink' },
  bpf: { char: 'b', type: 'bpf' },
  userfaultfd: { char: 'u', type: 'userfaultfd' },
  io_uring: { char: 'r', type: 'io_uring' },
  memfd: { char: 'm', type: 'memfd' },
  pidfd: { char: 'P', type: 'pidfd' },
  unknown: { char: 'o', type: 'unknown' },
} as const;

/** An fd kind (see {@link FD_KINDS}). */
export type FdKind = keyof typeof FD_KINDS;

/** Layer-4 protocol of a socket fd. */
export type L4Proto = 'tcp' | 'udp' | 'icmp' | 'raw' | '';

/** Role of a socket in its connection. */
export type SocketRole = 'client' | 'server' | '';

/**
 * An open fd. Sockets carry their tuple (`sip:sport -> dip:dport`, client → server, as libsinsp keeps it);
 * files their path. Instances are owned by an {@link FdTable}.
 */
export class FdInfo {
  /** fd number. */
  fd: number;
  /** What the fd refers to. */
  kind: FdKind;
  /** Name as libsinsp shows it in `fd.name` (path, `sip:sport->dip:dport`, unix path, …). */
  name = '';
  /** Name as the syscall gave it (`fd.nameraw`), before path resolution. */
  nameRaw = '';
  /** PPM open flags (`O_*` as the drivers encode them). */
  openFlags = 0;
  /** Device and inode, when known. */
  dev = 0;
  ino: number | bigint = 0;
  /** Client endpoint of a socket (`fd.cip`, `fd.cport`). */
  cip = '';
  cport = 0;
  /** Server endpoint of a socket (`fd.sip`, `fd.sport`); the bound address of a server socket. */
  sip = '';
  sport = 0;
  /** Layer-4 protocol of a socket. */
  l4proto: L4Proto = '';
  /** Role of the process in the connection (`server` for accepted and bound sockets). */
  role: SocketRole = '';
  /** Socket has a peer (connect/accept succeeded). */
  connected = false;
  /** Socket is listening (`listen`) or was accepted from. */
  listening = false;
  /** Name changed by the event being parsed (`fd.name_changed`): set by connect/bind on an existing fd. */
  nameChanged = false;
  /** Socket family name for `fd.sockfamily`: `ip` or `unix`; `''` for other fds. */
  get sockFamily(): string {
    return this.kind === 'ipv4' || this.kind === 'ipv6' ? 'ip' : this.kind === 'unix' ? 'unix' : '';
  }

  /** Local endpoint (`fd.lip`, `fd.lport`). */
  get lip(): string {
    return this.role === 'server' ? this.sip : this.cip;
  }
  get lport(): number {
    return this.role === 'server' ? this.sport : this.cport;
  }
  /** Remote endpoint (`fd.rip`, `fd.rport`). */
  get rip(): string {
    return this.role === 'server' ? this.cip : this.sip;
  }
  get rport(): number {
    return this.role === 'server' ? this.cport : this.sport;
  }

  constructor(fd: number, kind: FdKind) {
    this.fd = fd;
    this.kind = kind;
  }

  private parts: PathParts | undefined;
  private partsFor: string | undefined;

  /** Directory of the fd's name (`fd.directory`). */
  get directory(): string {
    return this.split().dir;
  }

  /** Last component of the fd's name (`fd.filename`). */
  get filename(): string {
    return this.split().file;
  }

  private split(): PathParts {
    const parts = this.parts;
    if (parts !== undefined && this.partsFor === this.name) return parts;
    this.partsFor = this.name;
    this.parts = pathParts(this.name);
    return this.parts;
  }

  /** `fd.typechar`. */
  get typeChar(): string {
    return FD_KINDS[this.kind].char;
  }

  /** `fd.type`. */
  get type(): string {
    return FD_KINDS[this.kind].type;
  }

  /** Whether this fd is an IP socket. */
  get isIp(): boolean {
    return this.kind === 'ipv4' || this.kind === 'ipv6';
  }

  /** A copy (dup, fork): same open file description data, new number. */
  clone(fd: number = this.fd): FdInfo {
    const c = new FdInfo(fd, this.kind);
    c.name = this.name;
    c.nameRaw = this.nameRaw;
    c.openFlags = this.openFlags;
    c.dev = this.dev;
    c.ino = this.ino;
    c.cip = this.cip;
    c.cport = this.cport;
    c.sip = this.sip;
    c.sport = this.sport;
    c.l4proto = this.l4proto;
    c.role = this.role;
    c.connected = this.connected;
    c.listening = this.listening;
    return c;
  }
}

/** Default bound on fds kept per process (libsinsp's default fd table limit is 4096). */
export const DEFAULT_MAX_FDS = 4096;

/** The fds of one process (shared by its threads, as with `CLONE_FILES`). */
export class FdTable {
  /** fds by number. */
  readonly fds = new Map<number, FdInfo>();

  constructor(readonly maxFds: number = DEFAULT_MAX_FDS) {}

  /** The fd numbered `fd`, if open. */
  get(fd: number): FdInfo | undefined {
    return this.fds.get(fd);
  }

  /** Records `info` under its number, replacing any previous fd. Over the bound, new fds are dropped. */
  set(info: FdInfo): FdInfo {
    if (this.fds.size >= this.maxFds && !this.fds.has(info.fd)) return info;
    this.fds.set(info.fd, info);
    return info;
  }

  /** Forgets fd `fd`; returns what was there. */
  remove(fd: number): FdInfo | undefined {
    const f = this.fds.get(fd);
    if (f) this.fds.delete(fd);
    return f;
  }

  /** Number of open fds. */
  get size(): number {
    return this.fds.size;
  }

  /** A deep copy (fork without `CLONE_FILES`). */
  clone(): FdTable {
    const t = new FdTable(this.maxFds);
    for (const [n, f] of this.fds) t.fds.set(n, f.clone());
    return t;
  }
}
