/** The inspector: walks events, pairs enter/exit events, keeps the state tables current. */
import type { EventBatch, ScapCaptureInfo, ScapEvent, ScapFdInfo, ScapThreadInfo } from '@sysray/pcapng/scap';
import { EventContext } from './context.js';
import { InspectorError } from './errors.js';
import { P } from './params.js';
import { PAIRED_ENTER, PARSERS, USES_FD, VISIBLE } from './parsers/index.js';
import { assignContainer } from './parsers/process.js';
import type { ParseEnv } from './parsers/types.js';
import { withTrailingSlash } from './paths.js';
import { ContainerTable } from './state/container.js';
import { SwitchClock } from './state/cpu-time.js';
import { DEFAULT_MAX_FDS, FdInfo, type FdKind, FdTable, type L4Proto } from './state/fd.js';
import { ThreadInfo, UNKNOWN_ID } from './state/thread.js';
import { DEFAULT_MAX_THREADS, ThreadTable } from './state/thread-table.js';
import { UserTable } from './state/users.js';

/** Options of {@link Inspector}. */
export interface InspectorOptions {
  /** Bound on the thread table (least recently active threads are evicted). Default 131072. */
  maxThreads?: number;
  /** Bound on fds per process. Default 4096. */
  maxFds?: number;
  /** Show every event, enter events included (default `false`: libsinsp's view, see {@link isVisible}). */
  showAllEvents?: boolean;
  /**
   * Throw an {@link InspectorError} (`BAD_EVENT`) for events the reader flagged as malformed instead of
   * skipping their state update. Default `false`.
   */
  strict?: boolean;
}

/** scap fd types (numbers of `scap_fd_type`) → fd kinds. */
const SCAP_FD_KINDS: Record<number, FdKind> = {
  1: 'file',
  2: 'directory',
  3: 'ipv4',
  4: 'ipv6',
  5: 'ipv4',
  6: 'ipv6',
  7: 'pipe',
  8: 'unix',
  9: 'event',
  11: 'signalfd',
  12: 'eventpoll',
  13: 'inotify',
  14: 'timerfd',
  15: 'netlink',
  16: 'file',
  17: 'bpf',
  18: 'userfaultfd',
  19: 'io_uring',
  20: 'memfd',
  21: 'pidfd',
};
const SCAP_L4: Record<number, L4Proto> = { 2: 'tcp', 3: 'udp', 4: 'icmp', 5: 'raw' };

/** Whether libsinsp shows events of type `type` to filters and outputs. */
export function isVisible(type: number): boolean {
  return VISIBLE[type] === 1;
}

/**
 * libsinsp's state engine: a thread table seeded from the capture's process, fd and user lists and kept
 * current from events, with fd tables per process, users/groups and containers. Feed it events in order
 * with {@link Inspector.process}; it returns the reusable {@link EventContext} for events filters see.
 *
 * @example
 * ```ts
 * const reader = readScap('capture.scap');
 * const insp = new Inspector();
 * for await (const batch of reader) {
 *   insp.seed(reader.info);
 *   for (let i = 0; i < batch.count; i++) {
 *     const ctx = insp.process(batch, i);
 *     if (ctx) console.log(ctx.ev.name, ctx.thread?.comm, ctx.fd?.name);
 *   }
 * }
 * ```
 */
export class Inspector implements ParseEnv {
  /** Threads by tid. */
  readonly threads: ThreadTable;
  /** Containers by id. */
  readonly containers = new ContainerTable();
  /** Users and groups. */
  readonly users = new UserTable();
  /** Host name from the machine info block. */
  hostname = '';
  /** Maximum fds per process. */
  readonly maxFds: number;
  /** Last scheduler switch per CPU (for `thread.exectime`). */
  readonly switches = new SwitchClock();
  /** The reusable context of the current event. */
  readonly ctx: EventContext;
  /** Events processed, and events whose state update failed (malformed parameters). */
  eventsProcessed = 0;
  eventsSkipped = 0;
  private readonly showAll: boolean;
  private readonly strict: boolean;
  private batchGen = 0;
  private lastBatch: EventBatch | undefined;
  private seededThreads = new Set<number>();
  private seededFds = 0;
  private seededUsers = 0;
  private seededGroups = 0;

  constructor(options: InspectorOptions = {}) {
    this.threads = new ThreadTable(options.maxThreads ?? DEFAULT_MAX_THREADS);
    this.maxFds = options.maxFds ?? DEFAULT_MAX_FDS;
    this.showAll = options.showAllEvents ?? false;
    this.strict = options.strict ?? false;
    this.ctx = new EventContext(this);
    this.ctx.strict = this.strict;
  }

  /**
   * Imports what a capture's metadata blocks said (machine info, process list, fd list, user list). Safe
   * to call repeatedly with the same (growing) info: only new entries are imported, and threads already
   * known from events are kept.
   */
  seed(info: ScapCaptureInfo): void {
    if (info.machineInfo && !this.hostname) this.hostname = info.machineInfo.hostname;
    if (info.threads.size > this.seededThreads.size) {
      const added: ThreadInfo[] = [];
      for (const [tid, st] of info.threads) {
        if (this.seededThreads.has(tid)) continue;
        this.seededThreads.add(tid);
        if (this.threads.get(tid)) continue;
        added.push(this.threadFromList(st));
      }
      // Threads of a process share their main thread's fd table.
      for (const t of added) {
        if (t.isMain) continue;
        const main = this.threads.get(t.pid);
        if (main) t.fds = main.fds;
      }
    }
    for (; this.seededFds < info.fds.length; this.seededFds++) this.fdFromList(info.fds[this.seededFds]!);
    for (; this.seededUsers < info.users.length; this.seededUsers++) {
      const u = info.users[this.seededUsers]!;
      this.users.addUser({ uid: u.uid, gid: u.gid, name: u.name, homedir: u.homedir, shell: u.shell });
    }
    for (; this.seededGroups < info.groups.length; this.seededGroups++) {
      const g = info.groups[this.seededGroups]!;
      this.users.addGroup({ gid: g.gid, name: g.name });
    }
  }

  private threadFromList(st: ScapThreadInfo): ThreadInfo {
    const t = new ThreadInfo(st.tid, new FdTable(this.maxFds));
    t.pid = st.pid;
    t.ptid = st.ptid;
    t.sid = st.sid ?? 0;
    t.vpgid = st.vpgid ?? 0;
    t.pgid = st.vpgid ?? 0;
    t.comm = st.comm;
    t.exe = st.exe;
    t.exepath = st.exepath ?? st.exe;
    // The list's argument buffer ends with one more NUL than libsinsp counts as an argument.
    t.args = st.args.length > 0 && st.args[st.args.length - 1] === '' ? st.args.slice(0, -1) : st.args;
    t.env = st.env ?? [];
    t.cwd = withTrailingSlash(st.cwd || '/');
    t.fdlimit = st.fdlimit;
    t.flags = st.flags;
    t.uid = st.uid;
    t.gid = st.gid;
    t.vtid = st.vtid ?? st.tid;
    t.vpid = st.vpid ?? st.pid;
    t.cgroups = st.cgroups ?? [];
    if (st.loginuid !== undefined) t.loginuid = st.loginuid === 0xffffffff ? -1 : st.loginuid;
    t.exeWritable = st.exeWritable ?? false;
    if (st.capInheritable !== undefined) t.capInheritable = BigInt(st.capInheritable);
    if (st.capPermitted !== undefined) t.capPermitted = BigInt(st.capPermitted);
    if (st.capEffective !== undefined) t.capEffective = BigInt(st.capEffective);
    t.vmsize = st.vmsizeKb ?? 0;
    t.vmrss = st.vmrssKb ?? 0;
    t.vmswap = st.vmswapKb ?? 0;
    t.pfmajor = st.pfmajor ?? 0;
    t.pfminor = st.pfminor ?? 0;
    assignContainer(t, this);
    this.threads.add(t);
    return t;
  }

  private fdFromList(sf: ScapFdInfo): void {
    const t = this.threads.get(sf.tid);
    if (!t) return;
    const main = this.threads.mainThread(t);
    const kind = SCAP_FD_KINDS[sf.type] ?? 'unknown';
    const f = new FdInfo(sf.fd, kind);
    f.ino = sf.ino;
    f.openFlags = sf.openFlags ?? 0;
    f.dev = sf.dev ?? 0;
    if (kind === 'ipv4' || kind === 'ipv6') {
      f.l4proto = SCAP_L4[sf.l4proto ?? 0] ?? '';
      if (sf.type === 5 || sf.type === 6) {
        f.role = 'server';
        f.listening = true;
        f.sip = sf.sip ?? '';
        f.sport = sf.sport ?? 0;
        f.name = `${f.sip}:${f.sport}`;
      } else {
        f.role = 'client';
        f.cip = sf.sip ?? '';
        f.cport = sf.sport ?? 0;
        f.sip = sf.dip ?? '';
        f.sport = sf.dport ?? 0;
        f.connected = true;
        f.name = `${f.cip}:${f.cport}->${f.sip}:${f.sport}`;
      }
    } else if (kind === 'unix') {
      f.name = sf.name ?? '';
    } else {
      f.name = sf.name ?? '';
      f.nameRaw = f.name;
    }
    main.fds.set(f);
  }

  /**
   * Parses event `index` of `batch` into the state and returns the reusable context when libsinsp would
   * show the event to filters (exit events and enter-only events), else `undefined`.
   */
  process(batch: EventBatch, index: number): EventContext | undefined {
    const ctx = this.ctx;
    if (batch !== this.lastBatch) this.beginBatch(batch);
    const ev = ctx.ev.load(batch, index);
    const threads = this.threads;
    if (threads.hasExited) threads.purgeExited();
    const type = ev.type;
    const tid = ev.tid;
    this.eventsProcessed++;
    ctx.type = type;
    ctx.tid = tid;
    const num = batch.firstNum + index;
    ctx.num = num;
    ctx.fd = undefined;
    ctx.fdNum = -1;
    ctx.hasEnter = false;
    ctx.nextEvent();
    if (ctx.firstTs === 0n) ctx.firstTs = ctx.ts;
    let thread = tid >= 0 ? threads.get(tid) : undefined;
    const problem = batch.problems[index] !== 0;
    if (problem && this.strict) {
      throw new InspectorError('BAD_EVENT', `event #${ctx.num} is malformed: ${ev.problem}`, {
        eventNum: ctx.num,
        offset: ev.fileOffset,
      });
    }
    const enter = (type & 1) === 0;
    if (!thread && tid >= 0 && !problem) {
      thread = new ThreadInfo(tid, new FdTable(this.maxFds));
      thread.pid = tid;
      thread.uid = UNKNOWN_ID;
      thread.gid = UNKNOWN_ID;
      thread.incomplete = true;
      threads.add(thread);
    }
    ctx.thread = thread;
    if (thread) {
      thread.lastEventNum = num;
      if (enter) {
        if (PAIRED_ENTER[type] === 1) {
          thread.enterType = type;
          thread.enterBatch = batch;
          thread.enterIndex = index;
          thread.enterGen = this.batchGen;
        }
      } else if (thread.enterType === type - 1 && thread.enterBatch) {
        ctx.enter.load(thread.enterBatch, thread.enterIndex);
        ctx.hasEnter = true;
        thread.enterType = -1;
        thread.enterBatch = undefined;
      }
    }
    if (!problem) {
      const parser = PARSERS[type];
      if (parser !== undefined) {
        try {
          parser(ctx, this);
        } catch (error) {
          this.eventsSkipped++;
          if (this.strict) {
            throw new InspectorError(
              'BAD_EVENT',
              `event #${ctx.num} (${ev.name}): ${(error as Error).message}`,
              {
                eventNum: ctx.num,
                offset: ev.fileOffset,
                cause: error,
              },
            );
          }
        }
      } else if (USES_FD[type] === 1 && thread && !enter) {
        const fd = ctx.param(P.fd);
        if (typeof fd === 'number') {
          ctx.fdNum = fd;
          ctx.fd = thread.fds.get(fd);
        }
      }
    } else this.eventsSkipped++;
    if (this.showAll || VISIBLE[type] === 1) return ctx;
    return undefined;
  }

  /**
   * Called when events of a new batch start. Every 16 batches, enter events still waiting for their exit
   * after 8 batches are forgotten, so that threads stuck in a syscall do not keep old batches (and their
   * buffers) alive on endless streams.
   */
  private beginBatch(batch: EventBatch): void {
    this.lastBatch = batch;
    this.batchGen++;
    if ((this.batchGen & 15) !== 0) return;
    const oldest = this.batchGen - 8;
    for (const t of this.threads.threads.values()) {
      if (t.enterBatch !== undefined && t.enterGen < oldest) {
        t.enterBatch = undefined;
        t.enterType = -1;
      }
    }
  }

  /** {@link process} for an event cursor (any `ScapEvent` pointing into a batch). */
  processEvent(ev: ScapEvent): EventContext | undefined {
    return this.process(ev.batch, ev.index);
  }
}
