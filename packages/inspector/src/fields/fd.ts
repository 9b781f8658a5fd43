/** `fd.*` and `fdlist.*` fields: the fd an event uses. */
import type { FieldValue } from '@sysray/falco-rules';
import type { EventContext } from '../context.js';
import { P } from '../params.js';
import type { FdInfo } from '../state/fd.js';
import { argField, type FieldSpec, field, nonEmpty } from './spec.js';

type Get = (c: EventContext) => FieldValue | undefined;

function f(get: (fd: FdInfo, c: EventContext) => FieldValue | undefined): Get {
  return (c) => (c.fd ? get(c.fd, c) : undefined);
}

/** A socket-only value: `undefined` for other fds and unset endpoints. */
function sock(get: (fd: FdInfo) => string | number): Get {
  return (c) => {
    const d = c.fd;
    if (!d?.isIp) return undefined;
    const v = get(d);
    return v === '' ? undefined : v;
  };
}

function proto(d: FdInfo): string | undefined {
  return d.isIp && d.l4proto !== '' ? d.l4proto : undefined;
}

function isFileLike(d: FdInfo): boolean {
  return d.kind === 'file' || d.kind === 'directory' || d.kind === 'memfd';
}

/** The `fd.*` and `fdlist.*` field classes. */
export function fdFields(): FieldSpec[] {
  return [
    field('fd.num', 'INT64', 'fd number', (c) => (c.fd ? c.fd.fd : c.fdNum >= 0 ? c.fdNum : undefined)),
    field(
      'fd.type',
      'CHARBUF',
      'fd type (file, ipv4, unix, …)',
      f((d) => d.type),
    ),
    field('fd.typechar', 'CHARBUF', 'fd type as one character', (c) => {
      const d = c.fd;
      return d ? d.typeChar : undefined;
    }),
    field('fd.name', 'CHARBUF', 'fd name: path, connection tuple, …', (c) => {
      const d = c.fd;
      return d ? d.name : undefined;
    }),
    field('fd.nameraw', 'CHARBUF', 'fd name as given by the syscall', (c) => {
      const d = c.fd;
      return d ? (d.nameRaw !== '' ? d.nameRaw : d.name) : undefined;
    }),
    field('fd.directory', 'CHARBUF', 'directory of a file fd', (c) => {
      const d = c.fd;
      return d && isFileLike(d) ? d.directory : undefined;
    }),
    field('fd.filename', 'CHARBUF', 'file name of a file fd', (c) => {
      const d = c.fd;
      return d && isFileLike(d) ? d.filename : undefined;
    }),
    field(
      'fd.containername',
      'CHARBUF',
      'container id + fd name',
      f((d, c) => `${c.thread?.containerId || 'host'}:${d.name}`),
    ),
    field(
      'fd.containerdirectory',
      'CHARBUF',
      'container id + directory',
      f((d, c) => `${c.thread?.containerId || 'host'}:${d.directory}`),
    ),
    field('fd.ip', 'IPADDR', 'client or server IP', (c) => (c.fd?.isIp ? ipList(c.fd) : undefined), {
      filterOnly: true,
      noRhs: true,
      noTransformer: true,
    }),
    field(
      'fd.cip',
      'IPADDR',
      'client IP',
      sock((d) => d.cip),
    ),
    field(
      'fd.sip',
      'IPADDR',
      'server IP',
      sock((d) => d.sip),
    ),
    field(
      'fd.lip',
      'IPADDR',
      'local IP',
      sock((d) => d.lip),
    ),
    field(
      'fd.rip',
      'IPADDR',
      'remote IP',
      sock((d) => d.rip),
    ),
    field(
      'fd.port',
      'PORT',
      'client or server port',
      (c) => (c.fd?.isIp ? [c.fd.cport, c.fd.sport] : undefined),
      {
        filterOnly: true,
        noRhs: true,
        noTransformer: true,
      },
    ),
    field(
      'fd.cport',
      'PORT',
      'client port',
      sock((d) => d.cport),
    ),
    field(
      'fd.sport',
      'PORT',
      'server port',
      sock((d) => d.sport),
    ),
    field(
      'fd.lport',
      'PORT',
      'local port',
      sock((d) => d.lport),
    ),
    field(
      'fd.rport',
      'PORT',
      'remote port',
      sock((d) => d.rport),
    ),
    field('fd.l4proto', 'CHARBUF', 'IP protocol (tcp, udp, icmp, raw)', f(proto)),
    field('fd.proto', 'PORT', 'protocol of either side', f(proto), {
      filterOnly: true,
      noRhs: true,
      noTransformer: true,
    }),
    field('fd.cproto', 'CHARBUF', 'client protocol', f(proto)),
    field('fd.sproto', 'CHARBUF', 'server protocol', f(proto)),
    field('fd.lproto', 'CHARBUF', 'local protocol', f(proto)),
    field('fd.rproto', 'CHARBUF', 'remote protocol', f(proto)),
    field(
      'fd.sockfamily',
      'CHARBUF',
      "socket family: 'ip' or 'unix'",
      f((d) => nonEmpty(d.sockFamily)),
    ),
    field(
      'fd.is_server',
      'BOOL',
      'the process is the server of the connection',
      f((d) => d.role === 'server'),
    ),
    field(
      'fd.connected',
      'BOOL',
      'the socket is connected',
      f((d) => d.connected),
    ),
    field(
      'fd.name_changed',
      'BOOL',
      'the event changed the fd name',
      f((d) => d.nameChanged),
    ),
    field(
      'fd.uid',
      'CHARBUF',
      'unique fd id (tid + fd)',
      f((d, c) => `${c.thread?.pid ?? 0}${d.fd}`),
    ),
    field(
      'fd.dev',
      'INT32',
      'device of a file fd',
      f((d) => d.dev),
    ),
    field(
      'fd.dev.major',
      'INT32',
      'major device number',
      f((d) => (d.dev >>> 20) & 0xfff),
    ),
    field(
      'fd.dev.minor',
      'INT32',
      'minor device number',
      f((d) => d.dev & 0xfffff),
    ),
    field(
      'fd.ino',
      'INT64',
      'inode of a file fd',
      f((d) => d.ino),
    ),
    field('fd.is_upper_layer', 'BOOL', 'the file is in an overlayfs upper layer', () => false),
    field('fd.is_lower_layer', 'BOOL', 'the file is in an overlayfs lower layer', () => false),
    field('fd.net', 'IPNET', 'client or server network', (c) => (c.fd?.isIp ? ipList(c.fd) : undefined), {
      filterOnly: true,
      noRhs: true,
      noTransformer: true,
    }),
    field(
      'fd.cnet',
      'IPNET',
      'client network',
      sockNet((d) => d.cip),
      { filterOnly: true, noRhs: true, noTransformer: true },
    ),
    field(
      'fd.snet',
      'IPNET',
      'server network',
      sockNet((d) => d.sip),
      { filterOnly: true, noRhs: true, noTransformer: true },
    ),
    field(
      'fd.lnet',
      'IPNET',
      'local network',
      sockNet((d) => d.lip),
      { filterOnly: true, noRhs: true, noTransformer: true },
    ),
    field(
      'fd.rnet',
      'IPNET',
      'remote network',
      sockNet((d) => d.rip),
      { filterOnly: true, noRhs: true, noTransformer: true },
    ),
    field('fd.cip.name', 'CHARBUF', 'DNS name of the client IP (not resolved: none)', () => undefined, {
      noRhs: true,
      noTransformer: true,
    }),
    field('fd.sip.name', 'CHARBUF', 'DNS name of the server IP (not resolved: none)', () => undefined, {
      noRhs: true,
      noTransformer: true,
    }),
    field('fd.lip.name', 'CHARBUF', 'DNS name of the local IP (not resolved: none)', () => undefined, {
      noRhs: true,
      noTransformer: true,
    }),
    field('fd.rip.name', 'CHARBUF', 'DNS name of the remote IP (not resolved: none)', () => undefined, {
      noRhs: true,
      noTransformer: true,
    }),
    argField(
      'fd.types',
      'CHARBUF',
      'types of the fds of the process (or of fd N)',
      'optional',
      (arg) => (c) => {
        const t = c.thread;
        if (!t) return undefined;
        if (arg !== undefined) {
          const d = t.fds.get(Number(arg));
          return d ? [d.type] : undefined;
        }
        const set = new Set<string>();
        for (const d of t.fds.fds.values()) set.add(d.type);
        return [...set];
      },
      { isList: true, noRhs: true },
    ),
    field('fdlist.nums', 'CHARBUF', 'fd numbers of poll events', (c) => fdlist(c, (e) => String(e.fd))),
    field('fdlist.names', 'CHARBUF', 'fd names of poll events', (c) => fdlist(c, (_e, d) => d?.name ?? '')),
    field('fdlist.cips', 'CHARBUF', 'client IPs of poll events', (c) => fdlist(c, (_, d) => d?.cip ?? '')),
    field('fdlist.sips', 'CHARBUF', 'server IPs of poll events', (c) => fdlist(c, (_, d) => d?.sip ?? '')),
    field('fdlist.cports', 'CHARBUF', 'client ports of poll events', (c) =>
      fdlist(c, (_, d) => String(d?.cport ?? '')),
    ),
    field('fdlist.sports', 'CHARBUF', 'server ports of poll events', (c) =>
      fdlist(c, (_, d) => String(d?.sport ?? '')),
    ),
  ];
}

const IP_CACHE = new Map<string, Uint8Array>();

/**
 * An address as bytes (4 or 16), cached: filter-only address fields hand the compiler bytes so that
 * comparisons against literals and networks do not parse text on every event.
 */
function ipBytes(text: string): Uint8Array | undefined {
  let b = IP_CACHE.get(text);
  if (b) return b;
  b = parseIpText(text);
  if (!b) return undefined;
  if (IP_CACHE.size > 4096) IP_CACHE.clear();
  IP_CACHE.set(text, b);
  return b;
}

function parseIpText(text: string): Uint8Array | undefined {
  if (text.includes(':')) {
    const halves = text.split('::');
    if (halves.length > 2) return undefined;
    const words = (x: string) => (x === '' ? [] : x.split(':'));
    const h = words(halves[0]!);
    const r = halves.length === 2 ? words(halves[1]!) : [];
    const tail: number[] = [];
    const last = r.length > 0 ? r[r.length - 1]! : h[h.length - 1];
    if (last?.includes('.')) {
      const v4 = parseIpText(last);
      if (!v4) return undefined;
      (r.length > 0 ? r : h).pop();
      tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    }
    const fill = 8 - h.length - r.length - tail.length;
    if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
    const all = [
      ...h.map((w) => Number.parseInt(w, 16)),
      ...new Array<number>(halves.length === 2 ? fill : 0).fill(0),
      ...r.map((w) => Number.parseInt(w, 16)),
      ...tail,
    ];
    if (all.some((w) => !(w >= 0 && w <= 0xffff))) return undefined;
    const out = new Uint8Array(16);
    all.forEach((w, i) => {
      out[2 * i] = w >> 8;
      out[2 * i + 1] = w & 0xff;
    });
    return out;
  }
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(parts[i]);
    if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** A filter-only address field: bytes of one endpoint. */
function sockNet(get: (fd: FdInfo) => string): Get {
  return (c) => {
    const d = c.fd;
    if (!d?.isIp) return undefined;
    const v = get(d);
    return v === '' ? undefined : ipBytes(v);
  };
}

function ipList(d: FdInfo): Uint8Array[] {
  const out: Uint8Array[] = [];
  const a = d.cip ? ipBytes(d.cip) : undefined;
  if (a) out.push(a);
  const b = d.sip ? ipBytes(d.sip) : undefined;
  if (b) out.push(b);
  return out;
}

function fdlist(
  c: EventContext,
  get: (e: { fd: number }, d: FdInfo | undefined) => string,
): string | undefined {
  const v = c.param(P.fds);
  if (!Array.isArray(v)) return undefined;
  return (v as { fd: number }[]).map((e) => get(e, c.thread?.fds.get(e.fd))).join(',');
}
