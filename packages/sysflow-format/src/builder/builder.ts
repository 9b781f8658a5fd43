/**
 * The SysFlow flow builder: inspector events in, SysFlow records out, following sf-collector's rules
 * (process, file, network and file-event processing, flow export and expiry, entity records before use).
 */
import { createHash } from 'node:crypto';
import type { EventContext, FdInfo, Inspector, ThreadInfo } from '@sysray/inspector';
import { PT, type ScapSockAddr, type ScapSockTuple } from '@sysray/pcapng/scap';
import { CONTAINER_TYPES, SYSFLOW_SCHEMA_VERSION } from '../schema.js';
import type {
  Container,
  ContainerType,
  FileFlow,
  NetworkFlow,
  OID,
  Process,
  File as SFFile,
  SFObjectState,
  SysFlowRecord,
} from '../types.js';
import {
  type CollectorHash,
  DenseHashTable,
  fileFlowKey,
  hashNFKey,
  hashOID,
  hashString,
  type NFKeyFields,
} from './collector-table.js';
import {
  ENTER_OPS,
  EXIT_OPS,
  FILE_EVENT_OPS,
  OP_ACCEPT,
  OP_CLONE,
  OP_CLOSE,
  OP_CONNECT,
  OP_EXEC,
  OP_EXIT,
  OP_LINK,
  OP_MKDIR,
  OP_MMAP,
  OP_OPEN,
  OP_READ_RECV,
  OP_RENAME,
  OP_RMDIR,
  OP_SETUID,
  OP_SYMLINK,
  OP_TRUNCATE,
  OP_WRITE_SEND,
} from './opflags.js';
import { absolutePath, normalizeRelative } from './paths.js';

/** Options of {@link SysFlowBuilder}. */
export interface SysFlowBuilderOptions {
  /** `SFHeader.exporter` (sf-collector's `-e`); default: the capture's host name, else `''`. */
  exporter?: string;
  /** `SFHeader.ip` (the node IP); default `''`. */
  ip?: string;
  /** `SFHeader.filename`; default `''`. */
  filename?: string;
  /** Seconds after which an open flow is exported (and restarted). Default 30, as in the collector. */
  exportInterval?: number;
  /** Seconds without activity after which an open flow is dropped at export time. Default 60. */
  expireInterval?: number;
  /** Write the `SFHeader` record first. Default `true`. */
  header?: boolean;
  /**
   * Hash of the collector's tables, which decides the order of flows written together (at a process
   * exit, at the end of the capture): `xxh3` (default; sf-collector's current `XXHasher`) or `murmur3`
   * (the `MurmurHasher` of older collectors).
   */
  collectorHash?: 'xxh3' | 'murmur3';
}

/** A record sink. */
export type SysFlowEmit = (record: SysFlowRecord) => void;

const AT_FDCWD = -100;
const EINPROGRESS = -115;
/** PPM fcntl commands that duplicate an fd. */
const PPM_F_DUPFD = 1;
const PPM_F_DUPFD_CLOEXEC = 26;
const UNKNOWN_ID = 0xffffffff;
/** Resource type characters the collector records file flows for. */
const FLOW_RESTYPES = new Set(['f', 'd', 'u', 'p']);
const RESTYPE_UNKNOWN = '?'.charCodeAt(0);
const RESTYPE_DIR = 'd'.charCodeAt(0);

interface FileObj {
  key: string;
  rec: SFFile;
  written: boolean;
  refs: number;
}

interface FlowBase {
  exportTime: number;
  lastUpdate: number;
  proc: ProcObj;
}

interface FileFlowObj extends FlowBase {
  kind: 'file';
  flow: FileFlow;
  /** Flow key: fd name + container id + tid + fd. */
  key: string;
  filekey: string;
}

interface NetFlowObj extends FlowBase {
  kind: 'net';
  flow: NetworkFlow;
  key: NFKeyFields;
}

type FlowObj = FileFlowObj | NetFlowObj;

interface ProcObj {
  rec: Process;
  written: boolean;
  /** The collector's `FileFlowTable` of the process (its order is the flush order). */
  fileflows: DenseHashTable<string, FileFlowObj>;
  /** The collector's `NetworkFlowTable` of the process. */
  netflows: DenseHashTable<NFKeyFields, NetFlowObj>;
}

/** Expected size of the collector's process table (`PROC_TABLE_SIZE`). */
const PROC_TABLE_SIZE = 50000;

function newProcessTable(kind: CollectorHash): DenseHashTable<OID, ProcObj> {
  return new DenseHashTable<OID, ProcObj>({
    hash: (o) => hashOID(kind, o.createTS, o.hpid),
    id: oidKey,
    pointerKey: true,
    expectedMaxItems: PROC_TABLE_SIZE,
  });
}

function newFileFlowTable(kind: CollectorHash): DenseHashTable<string, FileFlowObj> {
  return new DenseHashTable<string, FileFlowObj>({ hash: (k) => hashString(kind, k), id: (k) => k });
}

function nfKeyId(k: NFKeyFields): string {
  return `${k.tid}|${k.fd >>> 0}|${k.ip1 >>> 0}|${k.port1}|${k.ip2 >>> 0}|${k.port2}`;
}

function newNetFlowTable(kind: CollectorHash): DenseHashTable<NFKeyFields, NetFlowObj> {
  return new DenseHashTable<NFKeyFields, NetFlowObj>({ hash: (k) => hashNFKey(kind, k), id: nfKeyId });
}

interface ContainerObj {
  rec: Container;
  written: boolean;
}

interface Names {
  uid: number;
  gid: number;
  user: string;
  group: string;
}

function fallbackName(id: number): string {
  return id === 0 ? 'root' : '<NA>';
}

function oidKey(o: OID): string {
  return `${o.createTS}:${o.hpid}`;
}

/** FOID: SHA-1 of the file key (container id + path). */
export function fileOID(containerId: string, path: string): Uint8Array {
  return new Uint8Array(
    createHash('sha1')
      .update(containerId + path)
      .digest(),
  );
}

/** An IPv4 address in dotted form as SysFlow stores it: first octet in the low byte (`s_addr` read LE). */
export function ipv4ToInt(ip: string): number {
  const p = ip.split('.');
  if (p.length !== 4) return 0;
  let n = 0;
  for (let i = 3; i >= 0; i--) n = n * 256 + (Number(p[i]) & 255);
  return n | 0;
}

function toInt32(n: number): number {
  return n | 0;
}

function protoNumber(l4: string): number {
  switch (l4) {
    case 'tcp':
      return 6;
    case 'udp':
      return 17;
    case 'icmp':
      return 1;
    case 'raw':
      return 254;
    default:
      return -1;
  }
}

function containerType(runtime: string): ContainerType {
  switch (runtime) {
    case 'docker':
      return 'CT_DOCKER';
    case 'lxc':
      return 'CT_LXC';
    case 'libvirt_lxc':
      return 'CT_LIBVIRT_LXC';
    case 'mesos':
      return 'CT_MESOS';
    case 'rkt':
      return 'CT_RKT';
    case 'cri':
    case 'containerd':
      return 'CT_CRI';
    case 'cri-o':
      return 'CT_CRIO';
    case 'podman':
    case 'libpod':
      return (CONTAINER_TYPES as readonly string[]).includes('CT_PODMAN')
        ? ('CT_PODMAN' as ContainerType)
        : 'CT_CUSTOM';
    default:
      return 'CT_CUSTOM';
  }
}

/**
 * Builds SysFlow records from inspector events as sf-collector does. Feed it every event in capture order
 * (enter events included: the collector reads `mmap`, `procexit` and the uid of `setuid` from them) with
 * {@link SysFlowBuilder.process}, after the inspector parsed the event; call {@link SysFlowBuilder.finish}
 * at the end of the capture to flush open flows (with `TRUNCATE`).
 */
export class SysFlowBuilder {
  private readonly emit: SysFlowEmit;
  private readonly insp: Inspector;
  private readonly exportInterval: number;
  private readonly expireInterval: number;
  private readonly hashKind: CollectorHash;
  /** The collector's process table (keyed by OID; walked in its bucket order). */
  private readonly procs: DenseHashTable<OID, ProcObj>;
  private readonly files = new Map<string, FileObj>();
  private readonly containers = new Map<string, ContainerObj>();
  /** Open flows ordered by export time (a multiset: equal times keep insertion order). */
  private dfSet: FlowObj[] = [];
  private readonly delQueue: { oid: OID; time: number }[] = [];
  private lastCheck = 0;
  private delProcTime = 0;
  /** Time of the current event, ns. */
  private ts = 0n;
  /** Seconds of the current event. */
  private now = 0;
  private setuidArg = '';
  private headerDone = false;
  private options: SysFlowBuilderOptions;
  /** cwd as the collector's thread table knows it (seeded threads: from the capture's process list). */
  private readonly cwds = new WeakMap<ThreadInfo, string>();
  private readonly nameCache = new WeakMap<ThreadInfo, Names>();
  /** fd names that differ from the inspector's (unix sockets after a failed connect). */
  private readonly fdNames = new WeakMap<FdInfo, string>();
  /**
   * The last socket parameter libsinsp formatted as text (its event object's reused parameter-string
   * buffer): a unix socket connected from a capture whose connect enter event carries only the fd is
   * named with whatever that buffer holds, and keeps that name when the connect fails.
   */
  private lastParamStr = '';
  /** Name given at connect enter, per thread, for the connect exit that follows. */
  private readonly connectEnterName = new Map<number, { fd: number; name: string }>();
  /** Records written. */
  recordsWritten = 0;

  constructor(inspector: Inspector, emit: SysFlowEmit, options: SysFlowBuilderOptions = {}) {
    this.insp = inspector;
    this.emit = (r) => {
      this.recordsWritten++;
      emit(r);
    };
    this.options = options;
    this.exportInterval = options.exportInterval ?? 30;
    this.hashKind = options.collectorHash ?? 'xxh3';
    if (this.hashKind !== 'xxh3' && this.hashKind !== 'murmur3')
      throw new TypeError(
        `SysFlowBuilder: collectorHash must be 'xxh3' or 'murmur3', got ${String(this.hashKind)}`,
      );
    this.procs = newProcessTable(this.hashKind);
    this.expireInterval = options.expireInterval ?? 60;
  }

  /** Writes the `SFHeader` (done automatically before the first record unless `header: false`). */
  writeHeader(): void {
    if (this.headerDone) return;
    this.headerDone = true;
    if (this.options.header === false) return;
    this.emit({
      type: 'SFHeader',
      rec: {
        version: BigInt(SYSFLOW_SCHEMA_VERSION),
        exporter: this.options.exporter ?? this.insp.hostname ?? '',
        ip: this.options.ip ?? '',
        filename: this.options.filename ?? '',
      },
    });
  }

  /**
   * Starts a new output file, as sf-collector does when it rotates its output (`-G`): switch the sink
   * your `emit` callback writes to first, then call `rotate`. It writes a new `SFHeader` (with `filename`,
   * unless the builder was made with `header: false`) and forgets which entities were written, so every
   * container, process (with its ancestors) and file is written again before the first record of the new
   * file that refers to it. Open flows are not cut: one written after the rotation lands in the new file
   * and spans the time since it was opened or last exported. Call it between events, never from `emit`.
   *
   * @param options.filename `SFHeader.filename` of the new file (default: the builder's `filename`).
   */
  rotate(options: { filename?: string } = {}): void {
    for (const p of this.procs.values()) p.written = false;
    for (const f of this.files.values()) f.written = false;
    for (const c of this.containers.values()) c.written = false;
    if (options.filename !== undefined) this.options = { ...this.options, filename: options.filename };
    this.headerDone = false;
    this.writeHeader();
  }

  private cwdOf(t: ThreadInfo): string {
    const c = this.cwds.get(t);
    if (c !== undefined) return c;
    // Threads made up from an event (not in the process list, not cloned from a known parent) have no cwd.
    const v = t.incomplete || (t.cloneTs === 0n && !this.seededTids.has(t.tid)) ? '' : t.cwd;
    this.cwds.set(t, v);
    return v;
  }

  /** Thread ids of the capture's process list. */
  readonly seededTids = new Set<number>();

  /** Handles one event (after the inspector parsed it). */
  process(ctx: EventContext): void {
    this.writeHeader();
    this.ts = ctx.ts;
    this.now = Number(ctx.ts / 1_000_000_000n);
    this.checkForExpiredRecords();
    this.checkForDeletion();
    const ev = ctx.ev;
    const enter = (ctx.type & 1) === 0;
    const name = ev.name;
    const flag = enter ? ENTER_OPS[name] : EXIT_OPS[name];
    const t = ctx.thread;
    if (!t) return;
    if (!enter && (name === 'chdir' || name === 'fchdir') && ctx.res() === 0) {
      for (const o of this.insp.threads.threads.values()) if (o.pid === t.pid) this.cwds.set(o, o.cwd);
      return;
    }
    if (!enter && (name === 'clone' || name === 'fork' || name === 'vfork' || name === 'clone3')) {
      const res = ctx.res() ?? -1;
      if (res > 0) {
        const child = this.insp.threads.get(res);
        if (child && !this.cwds.has(child)) this.cwds.set(child, this.cwdOf(t));
        if (child) this.copyFdNames(t, child);
      } else if (res === 0) {
        const parent = this.insp.threads.get(t.ptid);
        if (!this.cwds.has(t)) this.cwds.set(t, parent ? this.cwdOf(parent) : (ctx.str('cwd') ?? ''));
        if (parent) this.copyFdNames(parent, t);
      }
    }
    if (enter) this.paramStringsEnter(ctx, t, name);
    else this.unixNames(ctx, t, name);
    if (flag === undefined) return;
    if (enter) {
      if (flag === OP_SETUID) {
        this.setuidArg = this.uidText(ctx);
        return;
      }
      if (flag === OP_EXIT) {
        this.onExit(ctx, t);
        return;
      }
      if (flag === OP_MMAP) {
        const fd = ctx.int('fd');
        if (fd === undefined || fd < 0) return;
        const f = t.fds.get(fd);
        if (!f) return;
        this.dataEvent(ctx, t, flag, f, fd);
      }
      return;
    }
    switch (flag) {
      case OP_EXEC:
        if (ctx.res() === 0) this.onExec(ctx, t);
        return;
      case OP_CLONE:
        this.onClone(ctx, t);
        return;
      case OP_SETUID:
        this.onSetuid(ctx, t);
        return;
      case OP_EXIT:
        return;
      default:
        break;
    }
    if ((flag & FILE_EVENT_OPS) !== 0) {
      this.fileEvent(ctx, t, flag);
      return;
    }
    let f = ctx.fd;
    let fd = ctx.fdNum;
    if (flag === OP_OPEN) {
      const r = ctx.int('fd');
      if (r === undefined || r < 0) return;
      fd = r;
      f = t.fds.get(r) ?? (f && f.fd === r ? f : undefined);
    }
    if (!f || fd < 0) return;
    this.dataEvent(ctx, t, flag, f, fd);
  }

  /** Flushes every open flow (with `TRUNCATE`, ending at the last event), as the collector does at exit. */
  finish(): void {
    this.writeHeader();
    for (const p of this.procs.values()) {
      if ((p.netflows.size > 0 || p.fileflows.size > 0) && !p.written) this.writeProcessAndAncestors(p);
      for (const nf of p.netflows.values()) {
        nf.flow.opFlags |= OP_TRUNCATE;
        nf.flow.endTs = this.ts;
        this.emitNetFlow(nf.flow);
      }
      for (const ff of p.fileflows.values()) {
        ff.flow.opFlags |= OP_TRUNCATE;
        ff.flow.endTs = this.ts;
        this.exportFile(ff.filekey);
        this.emitFileFlow(ff.flow);
      }
      p.netflows.clear();
      p.fileflows.clear();
    }
    this.dfSet = [];
  }

  /** Carries fd name overrides over to a copied fd table (fork without `CLONE_FILES`). */
  private copyFdNames(from: ThreadInfo, to: ThreadInfo): void {
    if (from.fds === to.fds) return;
    for (const [n, f] of from.fds.fds) {
      const o = this.fdNames.get(f);
      if (o === undefined) continue;
      const g = to.fds.get(n);
      if (g && !this.fdNames.has(g)) this.fdNames.set(g, o);
    }
  }

  /**
   * Unix socket names as libsinsp keeps them: `source->dest path` once connected or accepted, empty for
   * socketpairs and after a failed connect.
   */
  private unixNames(ctx: EventContext, t: ThreadInfo, name: string): void {
    if (name === 'socketpair') {
      for (const p of ['fd1', 'fd2']) {
        const fd = ctx.int(p);
        const f = fd !== undefined && fd >= 0 ? t.fds.get(fd) : undefined;
        if (f?.kind === 'unix') this.fdNames.set(f, '');
      }
      return;
    }
    const dupfd =
      name === 'fcntl' && (ctx.int('cmd') === PPM_F_DUPFD || ctx.int('cmd') === PPM_F_DUPFD_CLOEXEC);
    if (name === 'dup' || name === 'dup2' || name === 'dup3' || dupfd) {
      const src = ctx.fd;
      const res = ctx.res() ?? -1;
      const o = src ? this.fdNames.get(src) : undefined;
      const dst = res >= 0 ? t.fds.get(res) : undefined;
      if (o !== undefined && dst && dst !== src) this.fdNames.set(dst, o);
      return;
    }
    if (name === 'open' || name === 'openat' || name === 'openat2' || name === 'creat') {
      // A relative path opened by a thread whose cwd libsinsp does not know keeps its relative name.
      const f = ctx.fd;
      if (!f || f.fd < 0 || f.nameRaw === '' || f.nameRaw.startsWith('/')) return;
      const dirfd = ctx.int('dirfd');
      if (dirfd !== undefined && dirfd !== AT_FDCWD) return;
      if (this.cwdOf(this.mainOf(t)) === '') this.fdNames.set(f, normalizeRelative(f.nameRaw));
      return;
    }
    if (name === 'bind') {
      if ((ctx.res() ?? -1) === 0) {
        const addr = sockaddrText(ctx.param('addr'));
        if (addr !== undefined) this.lastParamStr = addr;
      }
      return;
    }
    if (name !== 'connect' && name !== 'accept' && name !== 'accept4') return;
    const f = name === 'connect' ? ctx.fd : t.fds.get(ctx.int('fd') ?? -1);
    const res = ctx.res() ?? 0;
    if (name === 'connect') {
      const entered = this.connectEnterName.get(t.tid);
      this.connectEnterName.delete(t.tid);
      if (res < 0 && res !== EINPROGRESS) {
        // libsinsp leaves the fd as the connect enter event left it.
        if (f?.kind === 'unix') this.fdNames.set(f, entered && entered.fd === f.fd ? entered.name : '');
        return;
      }
    } else if (res < 0) return;
    const text = tupleText(ctx.param('tuple'));
    if (text === undefined) return;
    this.lastParamStr = text;
    if (f?.kind === 'unix') this.fdNames.set(f, text);
  }

  /**
   * Connect and setuid enter events, as libsinsp and the collector format them: a connect enter event
   * that carries only the fd makes libsinsp zero the destination and print the socket's tuple into its
   * parameter buffer (IPv4) or name a unix socket with that buffer as it stands; a longer one names the
   * socket with its address. The collector formats the uid of `setuid`.
   */
  private paramStringsEnter(ctx: EventContext, t: ThreadInfo, name: string): void {
    if (name === 'setuid') {
      const uid = ctx.int('uid');
      if (uid !== undefined) this.lastParamStr = String(uid >>> 0);
      return;
    }
    if (name !== 'connect') return;
    const fd = ctx.int('fd');
    const f = fd !== undefined && fd >= 0 ? t.fds.get(fd) : undefined;
    if (!f || fd === undefined) return;
    if (ctx.ev.nparams >= 2) {
      const addr = sockaddrText(ctx.param('addr'));
      if (addr === undefined) return;
      if (f.kind === 'unix') {
        this.lastParamStr = addr;
        this.connectEnterName.set(t.tid, { fd, name: addr });
      }
      return;
    }
    if (f.kind === 'unix') this.connectEnterName.set(t.tid, { fd, name: this.lastParamStr });
    else if (f.kind === 'ipv4') this.lastParamStr = `${f.cip || '0.0.0.0'}:${f.cport}->0.0.0.0:0`;
  }

  // ---------------------------------------------------------------- time-driven export / deletion

  private checkForExpiredRecords(): void {
    const now = this.now;
    if (this.lastCheck === 0) {
      this.lastCheck = now;
      return;
    }
    if (now - this.lastCheck < 1) return;
    this.lastCheck = now;
    const set = this.dfSet;
    const again: FlowObj[] = [];
    let i = 0;
    for (; i < set.length; i++) {
      const df = set[i]!;
      if (now - df.exportTime < this.exportInterval) break;
      if (now - df.lastUpdate >= this.expireInterval) {
        this.dropFlow(df);
      } else {
        this.exportFlow(df);
        df.exportTime = now;
        again.push(df);
      }
    }
    if (i > 0) {
      this.dfSet = set.slice(i);
      for (const df of again) this.insertFlow(df);
    }
  }

  private dropFlow(df: FlowObj): void {
    if (df.kind === 'file') {
      df.proc.fileflows.delete(df.key);
      const file = this.files.get(df.filekey);
      if (file) file.refs--;
    } else df.proc.netflows.delete(df.key);
  }

  private exportFlow(df: FlowObj): void {
    const f = df.flow;
    f.endTs = this.ts;
    this.exportProcess(df.proc);
    if (df.kind === 'file') {
      this.exportFile(df.filekey);
      this.emitFileFlow(df.flow);
    } else this.emitNetFlow(df.flow);
    f.ts = this.ts;
    f.endTs = 0n;
    f.opFlags = 0;
    f.numRRecvOps = 0n;
    f.numWSendOps = 0n;
    f.numRRecvBytes = 0n;
    f.numWSendBytes = 0n;
  }

  private insertFlow(df: FlowObj): void {
    const set = this.dfSet;
    let lo = 0;
    let hi = set.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (set[mid]!.exportTime <= df.exportTime) lo = mid + 1;
      else hi = mid;
    }
    set.splice(lo, 0, df);
  }

  private removeFromSet(df: FlowObj): void {
    const i = this.dfSet.indexOf(df);
    if (i >= 0) this.dfSet.splice(i, 1);
  }

  private checkForDeletion(): void {
    const now = this.now;
    if (now - this.delProcTime <= 1) return;
    const q = this.delQueue;
    let i = 0;
    while (i < q.length) {
      const d = q[i]!;
      if (now - d.time < 1) break;
      this.procs.delete(d.oid);
      q.splice(i, 1);
      // The collector's loop advances past the element after each erased one.
      i++;
    }
    this.delProcTime = now;
  }

  // ---------------------------------------------------------------- entities

  private mainOf(t: ThreadInfo): ThreadInfo {
    return this.insp.threads.mainThread(t);
  }

  private parentThread(t: ThreadInfo): ThreadInfo | undefined {
    if (t.ptid <= 0) return undefined;
    return this.insp.threads.get(t.ptid);
  }

  private oidOf(main: ThreadInfo): OID {
    return { createTS: main.cloneTs, hpid: BigInt(main.pid) };
  }

  /**
   * User and group names as libsinsp's thread table holds them: looked up when the id was set (threads
   * of the capture's process list are loaded before its user list: only uid/gid 0 get a name, `root`), and
   * kept until the id changes.
   */
  private names(t: ThreadInfo): Names {
    let n = this.nameCache.get(t);
    if (n === undefined) {
      const seeded = this.seededTids.has(t.tid) && t.cloneTs === 0n;
      n = {
        uid: t.uid,
        gid: t.gid,
        user: seeded ? fallbackName(t.uid) : this.lookupUser(t.uid, t.containerId),
        group: seeded ? fallbackName(t.gid) : this.lookupGroup(t.gid, t.containerId),
      };
      this.nameCache.set(t, n);
      return n;
    }
    if (n.uid !== t.uid) {
      n.uid = t.uid;
      n.user = this.lookupUser(t.uid, t.containerId);
    }
    if (n.gid !== t.gid) {
      n.gid = t.gid;
      n.group = this.lookupGroup(t.gid, t.containerId);
    }
    return n;
  }

  private lookupUser(uid: number, container: string): string {
    if (uid === UNKNOWN_ID) return '<NA>';
    return this.insp.users.user(uid, container)?.name ?? fallbackName(uid);
  }

  private lookupGroup(gid: number, container: string): string {
    if (gid === UNKNOWN_ID) return '<NA>';
    return this.insp.users.group(gid, container)?.name ?? fallbackName(gid);
  }

  private uidText(ctx: EventContext): string {
    const uid = ctx.ev.paramIndex('uid') >= 0 ? ctx.int('uid') : undefined;
    if (uid === undefined) return '';
    const u = this.insp.users.user(uid, ctx.thread?.containerId ?? '');
    return u ? u.name : String(uid);
  }

  private exePath(main: ThreadInfo): string {
    const p = main.exepath;
    return p === '' || p === '<NA>' ? main.exe : p;
  }

  private fillProcess(rec: Process, main: ThreadInfo): void {
    rec.exe = this.exePath(main);
    rec.exeArgs = main.args.join(' ');
    rec.uid = toInt32(main.uid);
    rec.gid = toInt32(main.gid);
    const n = this.names(main);
    rec.userName = n.user;
    rec.groupName = n.group;
  }

  private createProcess(t: ThreadInfo, state: SFObjectState): ProcObj {
    const main = this.mainOf(t);
    const oid = this.oidOf(main);
    const rec: Process = {
      state,
      oid,
      poid: null,
      ts: this.ts,
      exe: '',
      exeArgs: '',
      uid: 0,
      userName: '',
      gid: 0,
      groupName: '',
      tty: main.tty !== 0,
      containerId: null,
      entry: main.vpid === 1,
      cwd: this.cwdOf(main),
      env: main.env.slice(),
    };
    const parent = this.parentThread(main);
    if (parent) {
      const pm = this.mainOf(parent);
      rec.poid = this.oidOf(pm);
    } else if (main.ptid !== -1) {
      const pt = this.procByPid(main.ptid);
      if (pt) rec.poid = { ...pt.rec.oid };
    }
    this.fillProcess(rec, main);
    const cont = this.getContainer(t);
    rec.containerId = cont ? cont.rec.id : null;
    return {
      rec,
      written: false,
      fileflows: newFileFlowTable(this.hashKind),
      netflows: newNetFlowTable(this.hashKind),
    };
  }

  private procByPid(pid: number): ProcObj | undefined {
    const hp = BigInt(pid);
    for (const p of this.procs.values()) if (p.rec.oid.hpid === hp) return p;
    return undefined;
  }

  /** The process of thread `t`, written (with its unwritten ancestors, oldest first) if new. */
  private getProcess(t: ThreadInfo, state: SFObjectState): { proc: ProcObj; created: boolean } {
    let mt = this.mainOf(t);
    const found = this.procs.get(this.oidOf(mt));
    if (found?.written) return { proc: found, created: false };
    let proc: ProcObj;
    if (found) {
      proc = found;
      proc.rec.state = 'REUP';
      this.reupContainer(t, proc);
    } else proc = this.createProcess(t, state);
    const chain: ProcObj[] = [proc];
    let ct: ThreadInfo = mt;
    let next = this.parentThread(mt);
    while (next !== undefined && next.tid !== -1) {
      mt = this.mainOf(next);
      if (mt.cloneTs === 0n && mt.pid === 0) {
        ct = mt;
        next = this.parentThread(mt);
        continue;
      }
      const pf = this.procs.get(this.oidOf(mt));
      let parent: ProcObj;
      if (pf) {
        if (pf.written) break;
        parent = pf;
        parent.rec.state = 'REUP';
        this.reupContainer(mt, parent);
      } else parent = this.createProcess(mt, 'REUP');
      chain.push(parent);
      ct = mt;
      next = this.parentThread(mt);
    }
    if (next === undefined && ct.ptid !== -1) {
      let prt = this.procByPid(ct.ptid);
      while (prt) {
        if (!prt.written) chain.push(prt);
        if (!prt.rec.poid) break;
        prt = this.procs.get(prt.rec.poid);
      }
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const p = chain[i]!;
      this.procs.set(p.rec.oid, p);
      this.emitProcess(p.rec);
      p.written = true;
    }
    return { proc, created: !found };
  }

  private writeProcessAndAncestors(p: ProcObj): void {
    const chain = [p];
    const seen = new Set<ProcObj>(chain);
    let poid = p.rec.poid;
    while (poid) {
      const q = this.procs.get(poid);
      if (!q || seen.has(q)) break;
      seen.add(q);
      if (!q.written) chain.push(q);
      poid = q.rec.poid;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const q = chain[i]!;
      if (q.rec.containerId !== null) this.exportContainer(q.rec.containerId);
      this.emitProcess(q.rec);
      q.written = true;
    }
  }

  private exportProcess(p: ProcObj): void {
    // After a rotation the process and its ancestors may all be unwritten in the new file.
    if (!p.written) {
      this.writeProcessAndAncestors(p);
      return;
    }
    if (p.rec.containerId !== null) this.exportContainer(p.rec.containerId);
  }

  private reupContainer(t: ThreadInfo, p: ProcObj): void {
    const c = this.getContainer(t);
    p.rec.containerId = c ? c.rec.id : null;
  }

  private getContainer(t: ThreadInfo): ContainerObj | undefined {
    const id = t.containerId;
    if (!id) return undefined;
    let c = this.containers.get(id);
    if (c?.written) return c;
    if (!c) {
      const info = this.insp.containers.get(id);
      c = {
        written: false,
        rec: {
          id,
          name: info?.name || 'incomplete',
          image: info ? `${info.image}:${info.imageTag}` : 'incomplete',
          imageid: info?.imageId ?? '',
          type: containerType(info?.type ?? ''),
          privileged: info?.privileged ?? false,
          podId: null,
        },
      };
      this.containers.set(id, c);
    }
    this.emit({ type: 'Container', rec: { ...c.rec } });
    c.written = true;
    return c;
  }

  private exportContainer(id: string): void {
    const c = this.containers.get(id);
    if (c && !c.written) {
      this.emit({ type: 'Container', rec: { ...c.rec } });
      c.written = true;
    }
  }

  private getFile(t: ThreadInfo, path: string, restype: number, state: SFObjectState): FileObj {
    const cid = t.containerId;
    const key = cid + path;
    let f = this.files.get(key);
    if (f?.written) return f;
    if (f) f.rec.state = 'REUP';
    else {
      const main = this.mainOf(t);
      const cont = this.getContainer(main);
      f = {
        key,
        written: false,
        refs: 0,
        rec: {
          state,
          oid: fileOID(cid, path),
          ts: this.ts,
          restype,
          path,
          containerId: cont ? cont.rec.id : null,
        },
      };
      this.files.set(key, f);
    }
    this.emitFile(f.rec);
    f.written = true;
    return f;
  }

  private exportFile(key: string): FileObj | undefined {
    const f = this.files.get(key);
    if (f && !f.written) {
      f.rec.state = 'REUP';
      this.emitFile(f.rec);
      f.written = true;
    }
    return f;
  }

  // ---------------------------------------------------------------- emitters (snapshots)

  private emitProcess(p: Process): void {
    this.emit({
      type: 'Process',
      rec: { ...p, oid: { ...p.oid }, poid: p.poid ? { ...p.poid } : null, env: p.env.slice() },
    });
  }

  private emitFile(f: SFFile): void {
    this.emit({ type: 'File', rec: { ...f } });
  }

  private emitFileFlow(f: FileFlow): void {
    this.emit({ type: 'FileFlow', rec: { ...f, procOID: { ...f.procOID } } });
  }

  private emitNetFlow(f: NetworkFlow): void {
    this.emit({ type: 'NetworkFlow', rec: { ...f, procOID: { ...f.procOID } } });
  }

  // ---------------------------------------------------------------- process events

  private processEvent(ctx: EventContext, t: ThreadInfo, proc: ProcObj, flag: number, args: string[]): void {
    this.emit({
      type: 'ProcessEvent',
      rec: {
        procOID: { ...proc.rec.oid },
        ts: this.ts,
        tid: BigInt(t.tid),
        opFlags: flag,
        args,
        ret: toInt32(syscallResult(ctx)),
      },
    });
  }

  private onClone(ctx: EventContext, t: ThreadInfo): void {
    const { proc } = this.getProcess(t, 'CREATED');
    this.processEvent(ctx, t, proc, OP_CLONE, []);
  }

  private onExec(ctx: EventContext, t: ThreadInfo): void {
    const { proc, created } = this.getProcess(t, 'CREATED');
    if (!created) {
      this.updateProcess(proc, t, 'MODIFIED');
      this.emitProcess(proc.rec);
      proc.written = true;
    }
    this.processEvent(ctx, t, proc, OP_EXEC, []);
  }

  private onSetuid(ctx: EventContext, t: ThreadInfo): void {
    const { proc, created } = this.getProcess(t, 'REUP');
    if (!created) {
      this.updateProcess(proc, t, 'MODIFIED');
      this.emitProcess(proc.rec);
      proc.written = true;
    }
    this.processEvent(ctx, t, proc, OP_SETUID, [this.setuidArg]);
  }

  private updateProcess(p: ProcObj, t: ThreadInfo, state: SFObjectState): void {
    p.rec.state = state;
    p.rec.ts = this.ts;
    this.fillProcess(p.rec, this.mainOf(t));
  }

  private onExit(ctx: EventContext, t: ThreadInfo): void {
    const { proc } = this.getProcess(t, 'REUP');
    const isMain = t.tid === t.pid;
    this.removeAndWriteFlows(proc, isMain ? -1 : t.tid);
    this.processEvent(ctx, t, proc, OP_EXIT, []);
    if (isMain) this.delQueue.push({ oid: proc.rec.oid, time: this.now });
  }

  private removeAndWriteFlows(proc: ProcObj, tid: number): void {
    for (const [k, ff] of [...proc.fileflows]) {
      if (!proc.fileflows.has(k)) continue;
      if (tid !== -1 && BigInt(tid) !== ff.flow.tid) continue;
      const file = this.exportFile(ff.filekey);
      ff.flow.endTs = this.ts;
      if (tid !== -1) this.removeAndWriteRelatedFileFlows(proc, ff, ff.flow.endTs);
      ff.flow.opFlags |= OP_TRUNCATE;
      this.emitFileFlow(ff.flow);
      proc.fileflows.delete(k);
      this.removeFromSet(ff);
      if (file) file.refs--;
    }
    for (const [k, nf] of [...proc.netflows]) {
      if (!proc.netflows.has(k)) continue;
      if (tid !== -1 && BigInt(tid) !== nf.flow.tid) continue;
      nf.flow.endTs = this.ts;
      if (tid !== -1) this.removeAndWriteRelatedNetFlows(proc, nf, nf.flow.endTs);
      nf.flow.opFlags |= OP_TRUNCATE;
      this.emitNetFlow(nf.flow);
      proc.netflows.delete(k);
      this.removeFromSet(nf);
    }
    if (tid === -1) {
      // The collector clears both tables once its main thread's flows are written.
      proc.fileflows.clear();
      proc.netflows.clear();
    }
  }

  // ---------------------------------------------------------------- data events

  private dataEvent(ctx: EventContext, t: ThreadInfo, flag: number, f: FdInfo, fd: number): void {
    if (f.kind === 'ipv4' || f.kind === 'ipv6') {
      if (f.kind === 'ipv4') this.netFlowEvent(ctx, t, flag, f, fd);
      return;
    }
    const restype = f.typeChar;
    if (!FLOW_RESTYPES.has(restype)) return;
    const { proc } = this.getProcess(t, 'REUP');
    const fname = this.fdNames.get(f) ?? f.name;
    const file = this.getFile(t, fname, restype.charCodeAt(0), 'REUP');
    const flowkey = fileFlowKey(fname, t.containerId, t.tid, fd);
    const ff = proc.fileflows.get(flowkey);
    if (!ff) {
      const obj: FileFlowObj = {
        kind: 'file',
        exportTime: this.now,
        lastUpdate: this.now,
        proc,
        key: flowkey,
        filekey: file.key,
        flow: {
          procOID: { ...proc.rec.oid },
          ts: this.ts,
          tid: BigInt(t.tid),
          opFlags: flag,
          openFlags: flag === OP_OPEN ? f.openFlags : 0,
          endTs: 0n,
          fileOID: file.rec.oid,
          fd,
          numRRecvOps: 0n,
          numWSendOps: 0n,
          numRRecvBytes: 0n,
          numWSendBytes: 0n,
        },
      };
      this.updateFlow(obj, flag, ctx, f.openFlags);
      if (flag !== OP_CLOSE) {
        proc.fileflows.set(flowkey, obj);
        file.refs++;
        this.insertFlow(obj);
      } else {
        this.removeAndWriteRelatedFileFlows(proc, obj, this.ts);
        obj.flow.endTs = this.ts;
        this.emitFileFlow(obj.flow);
      }
      return;
    }
    this.updateFlow(ff, flag, ctx, f.openFlags);
    if (flag === OP_CLOSE) {
      this.removeAndWriteRelatedFileFlows(proc, ff, this.ts);
      ff.flow.endTs = this.ts;
      this.emitFileFlow(ff.flow);
      this.removeFromSet(ff);
      proc.fileflows.delete(flowkey);
      file.refs--;
    }
  }

  private updateFlow(df: FlowObj, flag: number, ctx: EventContext, openFlags: number): void {
    const f = df.flow;
    f.opFlags |= flag;
    df.lastUpdate = this.now;
    if (flag === OP_OPEN && df.kind === 'file') df.flow.openFlags = openFlags;
    else if (flag === OP_WRITE_SEND) {
      f.numWSendOps++;
      const res = toInt32(syscallResult(ctx));
      if (res > 0) f.numWSendBytes += BigInt(res);
    } else if (flag === OP_READ_RECV) {
      f.numRRecvOps++;
      const res = toInt32(syscallResult(ctx));
      if (res > 0) f.numRRecvBytes += BigInt(res);
    }
  }

  private removeAndWriteRelatedFileFlows(proc: ProcObj, ffo: FileFlowObj, endTs: bigint): void {
    const related: FileFlowObj[] = [];
    for (const [k, o] of [...proc.fileflows]) {
      if (o.flow.tid !== ffo.flow.tid && o.flow.fd === ffo.flow.fd && o.filekey === ffo.filekey) {
        if ((o.flow.opFlags & OP_OPEN) !== 0) related.unshift(o);
        else related.push(o);
        proc.fileflows.delete(k);
      }
    }
    for (const o of related) {
      o.flow.endTs = endTs;
      o.flow.opFlags |= OP_TRUNCATE;
      this.exportFile(o.filekey);
      this.emitFileFlow(o.flow);
      this.removeFromSet(o);
    }
  }

  private netFlowEvent(ctx: EventContext, t: ThreadInfo, flag: number, f: FdInfo, fd: number): void {
    const { proc } = this.getProcess(t, 'REUP');
    const sip = ipv4ToInt(f.cip);
    const dip = ipv4ToInt(f.sip);
    const key: NFKeyFields = { tid: t.tid, ip1: sip, port1: f.cport, ip2: dip, port2: f.sport, fd };
    const nf = proc.netflows.get(key);
    if (!nf) {
      const obj: NetFlowObj = {
        kind: 'net',
        exportTime: this.now,
        lastUpdate: this.now,
        proc,
        key,
        flow: {
          procOID: { ...proc.rec.oid },
          ts: this.ts,
          tid: BigInt(t.tid),
          opFlags: flag,
          endTs: 0n,
          sip,
          sport: f.cport,
          dip,
          dport: f.sport,
          proto: protoNumber(f.l4proto),
          fd,
          numRRecvOps: 0n,
          numWSendOps: 0n,
          numRRecvBytes: 0n,
          numWSendBytes: 0n,
        },
      };
      this.updateFlow(obj, flag, ctx, 0);
      if (flag !== OP_CLOSE) {
        proc.netflows.set(key, obj);
        this.insertFlow(obj);
      } else {
        this.removeAndWriteRelatedNetFlows(proc, obj, this.ts);
        obj.flow.endTs = this.ts;
        this.emitNetFlow(obj.flow);
      }
      return;
    }
    this.updateFlow(nf, flag, ctx, 0);
    if (flag === OP_CLOSE) {
      this.removeAndWriteRelatedNetFlows(proc, nf, this.ts);
      nf.flow.endTs = this.ts;
      this.emitNetFlow(nf.flow);
      this.removeFromSet(nf);
      proc.netflows.delete(key);
    }
  }

  private removeAndWriteRelatedNetFlows(proc: ProcObj, nfo: NetFlowObj, endTs: bigint): void {
    const related: NetFlowObj[] = [];
    const a = nfo.flow;
    for (const [k, o] of [...proc.netflows]) {
      const b = o.flow;
      if (
        b.tid !== a.tid &&
        b.sip === a.sip &&
        b.sport === a.sport &&
        b.dip === a.dip &&
        b.dport === a.dport &&
        b.fd === a.fd
      ) {
        if ((b.opFlags & (OP_ACCEPT | OP_CONNECT)) !== 0) related.unshift(o);
        else related.push(o);
        proc.netflows.delete(k);
      }
    }
    for (const o of related) {
      o.flow.endTs = endTs;
      o.flow.opFlags |= OP_TRUNCATE;
      this.emitNetFlow(o.flow);
      this.removeFromSet(o);
    }
  }

  // ---------------------------------------------------------------- file events

  private dirBase(t: ThreadInfo, dirfd: number | undefined): string | undefined {
    if (dirfd === undefined || dirfd === AT_FDCWD) {
      const c = this.cwdOf(this.mainOf(t));
      return c === '' ? undefined : c;
    }
    const f = t.fds.get(dirfd);
    return f ? f.name : undefined;
  }

  private fileEvent(ctx: EventContext, t: ThreadInfo, flag: number): void {
    const { proc } = this.getProcess(t, 'REUP');
    const type = ctx.ev.name;
    const isAt = type.endsWith('at');
    let file1: FileObj;
    let file2: FileObj | undefined;
    if (flag === OP_LINK || flag === OP_RENAME || flag === OP_SYMLINK) {
      let p1: string;
      let p2: string;
      if (flag === OP_SYMLINK) {
        p1 = ctx.str('target') ?? '';
        p2 = ctx.str('linkpath') ?? '';
        if (isAt) p2 = absolutePath(this.dirBase(t, ctx.int('linkdirfd')), p2);
        else {
          p1 = absolutePath(this.dirBase(t, undefined), p1);
          p2 = absolutePath(this.dirBase(t, undefined), p2);
        }
      } else {
        p1 = ctx.str('oldpath') ?? '';
        p2 = ctx.str('newpath') ?? '';
        if (isAt) {
          const o = flag === OP_RENAME ? ctx.int('olddirfd') : ctx.int('olddir');
          const n = flag === OP_RENAME ? ctx.int('newdirfd') : ctx.int('newdir');
          p1 = absolutePath(this.dirBase(t, o), p1);
          p2 = absolutePath(this.dirBase(t, n), p2);
        } else {
          p1 = absolutePath(this.dirBase(t, undefined), p1);
          p2 = absolutePath(this.dirBase(t, undefined), p2);
        }
      }
      file1 = this.getFile(t, p1, RESTYPE_UNKNOWN, 'REUP');
      file2 = this.getFile(t, p2, RESTYPE_UNKNOWN, 'CREATED');
    } else {
      let name = (type === 'unlinkat' ? ctx.str('name') : ctx.str('path')) ?? '';
      name = absolutePath(this.dirBase(t, isAt ? ctx.int('dirfd') : undefined), name);
      const restype = flag === OP_MKDIR || flag === OP_RMDIR ? RESTYPE_DIR : RESTYPE_UNKNOWN;
      file1 = this.getFile(t, name, restype, 'CREATED');
    }
    this.emit({
      type: 'FileEvent',
      rec: {
        procOID: { ...proc.rec.oid },
        ts: this.ts,
        tid: BigInt(t.tid),
        opFlags: flag,
        fileOID: file1.rec.oid,
        ret: toInt32(syscallResult(ctx)),
        newFileOID: file2 ? file2.rec.oid : null,
      },
    });
  }
}

/**
 * A socket tuple parameter as libsinsp prints it (`sip:sport->dip:dport`, `source->dest path`); IPv6
 * tuples are not rendered (`undefined`).
 */
function tupleText(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const t = v as ScapSockTuple;
  if (t.family === 'unix') return `${t.source}->${t.dest} ${t.path}`;
  if (t.family === 'inet') return `${t.sip}:${t.sport}->${t.dip}:${t.dport}`;
  return undefined;
}

/** A socket address parameter as libsinsp prints it (`ip:port`, a unix path); IPv6: `undefined`. */
function sockaddrText(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const a = v as ScapSockAddr;
  if (a.family === 'unix') return a.path;
  if (a.family === 'inet') return `${a.addr}:${a.port}`;
  return undefined;
}

/** The collector's syscall result: parameter 0 when it is a pid, errno, fd or signed integer; else -1. */
export function syscallResult(ctx: EventContext): number {
  const ev = ctx.ev;
  if (ev.nparams < 1) return -1;
  const info = ev.paramInfo(0);
  if (!info) return -1;
  const t = info.type;
  if (t !== PT.PID && t !== PT.ERRNO && t !== PT.FD && t !== PT.INT64 && t !== PT.INT32) return -1;
  const v = ctx.int(info.name);
  return v ?? -1;
}
