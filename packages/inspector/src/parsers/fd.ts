/** Parsers of the fd family: open/creat, close, dup/fcntl, sockets, pipes and the other fd-creating calls. */
import type { ScapSockAddr, ScapSockTuple } from '@sysray/pcapng/scap';
import { type EventContext, type ParamName, paramName } from '../context.js';
import { P } from '../params.js';
import { resolvePath } from '../paths.js';
import { FdInfo, type FdKind, type L4Proto } from '../state/fd.js';
import type { ThreadInfo } from '../state/thread.js';
import type { EventParser } from './types.js';

/** PPM open flags. */
export const PPM_O_DIRECTORY = 1024;
const AT_FDCWD = -100;
const EINPROGRESS = -115;

/** The directory a `*at` call resolves a relative path against (`dirfd` or the cwd). */
export function atDirectory(t: ThreadInfo | undefined, dirfd: number | undefined): string {
  if (!t) return '/';
  if (dirfd === undefined || dirfd === AT_FDCWD) return t.cwd;
  const f = t.fds.get(dirfd);
  return f?.name ? f.name : t.cwd;
}

function addFd(ctx: EventContext, fd: number, kind: FdKind): FdInfo | undefined {
  const t = ctx.thread;
  const info = new FdInfo(fd, kind);
  if (t) t.fds.set(info);
  ctx.fd = info;
  ctx.fdNum = fd;
  return info;
}

/** Uses the fd named by parameter `name` (exit first, else enter). */
function useFd(ctx: EventContext, name: ParamName = P.fd): FdInfo | undefined {
  const fd = ctx.int(name);
  if (fd === undefined) return undefined;
  ctx.fdNum = fd;
  const f = fd >= 0 ? ctx.thread?.fds.get(fd) : undefined;
  ctx.fd = f;
  return f;
}

/** Any event that carries an `fd` parameter: points the context at that fd. */
export const parseUsesFd: EventParser = (ctx) => {
  useFd(ctx);
};

/** open / openat / openat2 / creat / open_by_handle_at exit. */
export const parseOpen: EventParser = (ctx) => {
  const fd = ctx.int(P.fd);
  const raw = ctx.str(P.name) ?? ctx.str(P.path) ?? '';
  const dirfd = ctx.int(P.dirfd);
  const name = resolvePath(atDirectory(ctx.thread, dirfd), raw);
  const flags = ctx.int(P.flags) ?? 0;
  const ok = fd !== undefined && fd >= 0;
  const info = new FdInfo(ok ? fd : -1, (flags & PPM_O_DIRECTORY) !== 0 ? 'directory' : 'file');
  info.name = name;
  info.nameRaw = raw;
  info.openFlags = flags;
  info.dev = ctx.int(P.dev) ?? 0;
  const ino = ctx.param(P.ino);
  if (typeof ino === 'number' || typeof ino === 'bigint') info.ino = ino;
  ctx.fd = info;
  ctx.fdNum = info.fd;
  // A failed open leaves no fd, but its name stays visible to the event's fields (`fd.num` is -1).
  if (ok && ctx.thread) ctx.thread.fds.set(info);
};

/** close exit: the fd is removed; the event still shows it. */
export const parseClose: EventParser = (ctx) => {
  const f = useFd(ctx);
  const res = ctx.res();
  if (f && res === 0 && ctx.thread) ctx.thread.fds.remove(f.fd);
};

function dupTo(ctx: EventContext, oldfd: number | undefined, newfd: number | undefined): void {
  const t = ctx.thread;
  if (!t || oldfd === undefined) return;
  const src = t.fds.get(oldfd);
  ctx.fdNum = oldfd;
  ctx.fd = src;
  if (newfd === undefined || newfd < 0 || !src) return;
  const copy = src.clone(newfd);
  t.fds.set(copy);
}

/** dup / dup2 / dup3 exit. */
export const parseDup: EventParser = (ctx) => {
  dupTo(ctx, ctx.int(P.oldfd) ?? ctx.int(P.fd), ctx.res());
};

/** fcntl exit: `F_DUPFD` / `F_DUPFD_CLOEXEC` duplicate the fd. */
export const parseFcntl: EventParser = (ctx) => {
  const cmd = ctx.int(P.cmd);
  if (cmd === 1 || cmd === 26) dupTo(ctx, ctx.int(P.fd), ctx.res());
  else useFd(ctx);
};

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;

function l4(type: number, proto: number): L4Proto {
  const t = type & 0xf;
  if (t === 1) return 'tcp';
  if (t === 2) return proto === 1 || proto === 58 ? 'icmp' : 'udp';
  if (t === 3) return proto === 1 || proto === 58 ? 'icmp' : 'raw';
  return '';
}

/** socket exit. */
export const parseSocket: EventParser = (ctx) => {
  const fd = ctx.int(P.fd);
  if (fd === undefined || fd < 0) return;
  const domain = ctx.int(P.domain) ?? 0;
  const type = ctx.int(P.type) ?? 0;
  const proto = ctx.int(P.proto) ?? 0;
  const kind: FdKind =
    domain === AF_INET
      ? 'ipv4'
      : domain === AF_INET6
        ? 'ipv6'
        : domain === AF_UNIX
          ? 'unix'
          : domain === AF_NETLINK
            ? 'netlink'
            : 'unknown';
  const info = addFd(ctx, fd, kind);
  if (info && (kind === 'ipv4' || kind === 'ipv6')) info.l4proto = l4(type, proto);
};

/** socketpair exit: two connected unix sockets. */
export const parseSocketpair: EventParser = (ctx) => {
  if ((ctx.res() ?? -1) < 0) return;
  const fd1 = ctx.int(P.fd1);
  const fd2 = ctx.int(P.fd2);
  const src = ctx.param(P.source);
  const peer = ctx.param(P.peer);
  const hex = (v: unknown) => (typeof v === 'number' || typeof v === 'bigint' ? BigInt(v).toString(16) : '0');
  for (const [fd, a, b] of [
    [fd1, src, peer],
    [fd2, peer, src],
  ] as const) {
    if (fd === undefined || fd < 0) continue;
    const info = addFd(ctx, fd, 'unix');
    if (info) {
      info.name = `${hex(a)}->${hex(b)}`;
      info.connected = true;
    }
  }
  ctx.fdNum = fd1 ?? -1;
  ctx.fd = fd1 !== undefined ? ctx.thread?.fds.get(fd1) : undefined;
};

/** Strips IPv4-mapped IPv6 addresses to IPv4 (libsinsp treats them as IPv4 sockets). */
function v4mapped(a: string): string | undefined {
  return a.startsWith('::ffff:') && a.indexOf('.') > 0 ? a.slice(7) : undefined;
}

function applyTuple(info: FdInfo, t: ScapSockTuple, clientIsSource: boolean): void {
  if (t.family === 'inet' || t.family === 'inet6') {
    let sa = t.sip;
    let da = t.dip;
    if (t.family === 'inet6') {
      const s4 = v4mapped(sa);
      const d4 = v4mapped(da);
      if (s4 !== undefined && d4 !== undefined) {
        sa = s4;
        da = d4;
        info.kind = 'ipv4';
      } else info.kind = 'ipv6';
    } else info.kind = 'ipv4';
    if (clientIsSource) {
      info.cip = sa;
      info.cport = t.sport;
      info.sip = da;
      info.sport = t.dport;
    } else {
      info.cip = da;
      info.cport = t.dport;
      info.sip = sa;
      info.sport = t.sport;
    }
    if (info.l4proto === '') info.l4proto = 'tcp';
    info.name = `${info.cip}:${info.cport}->${info.sip}:${info.sport}`;
  } else if (t.family === 'unix') {
    info.kind = 'unix';
    info.name = t.path !== '' ? t.path : `${t.source}->${t.dest}`;
  }
}

/** connect exit. */
export const parseConnect: EventParser = (ctx) => {
  const fd = ctx.int(P.fd);
  if (fd === undefined) return;
  ctx.fdNum = fd;
  const t = ctx.thread;
  let info = fd >= 0 ? t?.fds.get(fd) : undefined;
  const res = ctx.res() ?? 0;
  const tuple = ctx.param(P.tuple) as ScapSockTuple | null | undefined;
  const hasTuple =
    !!tuple && typeof tuple === 'object' && 'family' in tuple && typeof tuple.family === 'string';
  // The address parameter only matters when the tuple is missing (older captures, failed calls).
  const addr = hasTuple ? undefined : (ctx.param(P.addr) as ScapSockAddr | null | undefined);
  if (!info && fd >= 0 && t) {
    // An fd we never saw created (opened before the capture): make it up from the connection.
    const fam = hasTuple ? tuple.family : addr?.family;
    info = new FdInfo(fd, fam === 'inet6' ? 'ipv6' : fam === 'unix' ? 'unix' : 'ipv4');
    t.fds.set(info);
  }
  ctx.fd = info;
  if (!info) return;
  const before = info.name;
  if (hasTuple) {
    info.role = 'client';
    applyTuple(info, tuple, true);
  } else if (addr && typeof addr === 'object' && 'family' in addr) {
    info.role = 'client';
    if (addr.family === 'inet' || addr.family === 'inet6') {
      info.sip = addr.addr;
      info.sport = addr.port;
      info.name = `${info.cip || (addr.family === 'inet' ? '0.0.0.0' : '::')}:${info.cport}->${addr.addr}:${addr.port}`;
    } else if (addr.family === 'unix') info.name = addr.path;
  }
  info.connected = res === 0 || res === EINPROGRESS;
  info.nameChanged = info.name !== before;
};

/** accept / accept4 exit: a new connected socket. */
export const parseAccept: EventParser = (ctx) => {
  const fd = ctx.int(P.fd);
  if (fd === undefined || fd < 0) return;
  const tuple = ctx.param(P.tuple) as ScapSockTuple | null | undefined;
  const info = addFd(ctx, fd, 'ipv4');
  if (!info) return;
  info.role = 'server';
  info.connected = true;
  if (tuple && typeof tuple === 'object' && 'family' in tuple) applyTuple(info, tuple, true);
};

/** bind exit: the socket's local (server) address. */
export const parseBind: EventParser = (ctx) => {
  const f = useFd(ctx);
  if (!f || ctx.res() !== 0) return;
  const addr = ctx.param(P.addr) as ScapSockAddr | null | undefined;
  if (!addr || typeof addr !== 'object' || !('family' in addr)) return;
  const before = f.name;
  if (addr.family === 'inet' || addr.family === 'inet6') {
    f.kind = addr.family === 'inet' ? 'ipv4' : 'ipv6';
    f.role = 'server';
    f.sip = addr.addr;
    f.sport = addr.port;
    f.name = `${addr.addr}:${addr.port}`;
  } else if (addr.family === 'unix') {
    f.kind = 'unix';
    f.name = addr.path;
  }
  f.nameChanged = f.name !== before;
};

/** listen exit. */
export const parseListen: EventParser = (ctx) => {
  const f = useFd(ctx);
  if (!f || ctx.res() !== 0) return;
  f.listening = true;
  f.role = 'server';
};

const PIPE_FDS = [P.fd2, P.fd1];

/** pipe / pipe2 exit. */
export const parsePipe: EventParser = (ctx) => {
  if ((ctx.res() ?? -1) < 0) return;
  const ino = ctx.param(P.ino);
  for (const which of PIPE_FDS) {
    const fd = ctx.int(which);
    if (fd === undefined || fd < 0) continue;
    const info = addFd(ctx, fd, 'pipe');
    if (info && (typeof ino === 'number' || typeof ino === 'bigint')) info.ino = ino;
  }
};

/** Exit events whose result is a new fd of a fixed kind (eventfd, signalfd, inotify, timerfd, …). */
export function fdCreator(kind: FdKind, resultParam = 'res'): EventParser {
  const result = paramName(resultParam);
  return (ctx) => {
    const fd = ctx.int(result);
    if (fd === undefined || fd < 0) return;
    addFd(ctx, fd, kind);
  };
}

/** memfd_create exit: a memory file named `memfd:<name>`. */
export const parseMemfd: EventParser = (ctx) => {
  const fd = ctx.int(P.fd);
  if (fd === undefined || fd < 0) return;
  const info = addFd(ctx, fd, 'memfd');
  if (info) {
    const name = ctx.str(P.name) ?? '';
    info.name = `memfd:${name}`;
    info.nameRaw = name;
  }
};
