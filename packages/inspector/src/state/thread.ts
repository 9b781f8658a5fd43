/** One thread of the thread table, as libsinsp's `sinsp_threadinfo` describes it. */
import type { EventBatch } from '@sysray/pcapng/scap';
import type { CpuTicks } from './cpu-time.js';
import { FdTable } from './fd.js';

/** uid/gid of a thread whose credentials are unknown (libsinsp's `0xffffffff`). */
export const UNKNOWN_ID = 0xffffffff;

/**
 * A thread. Process-wide data (exe, args, env, fds) is copied to each thread of a process on clone; the fd
 * table object is shared by threads of one process (`CLONE_FILES`).
 */
export class ThreadInfo {
  /** Thread id. */
  tid: number;
  /** Process id (thread-group id). */
  pid = 0;
  /** Parent's pid/tid. */
  ptid = -1;
  /** Session id. */
  sid = 0;
  /** Process group id. */
  pgid = 0;
  /** Process group id in the thread's pid namespace. */
  vpgid = 0;
  /** Thread / process id in the thread's pid namespace. */
  vtid = 0;
  vpid = 0;
  /** Command name (`comm`, `proc.name`). */
  comm = '';
  /** `argv[0]` (`proc.exe`). */
  exe = '';
  /** Full path of the executable (`proc.exepath`). */
  exepath = '';
  /** Arguments after `argv[0]`. */
  args: string[] = [];
  /** Environment (`NAME=value`). */
  env: string[] = [];
  /** Current working directory, with a trailing `/`. */
  cwd = '/';
  /** Effective user and group ids (`user.uid`, `group.gid`). */
  uid = 0;
  gid = 0;
  /** Audit login uid (`user.loginuid`; `-1` when unset). */
  loginuid = -1;
  /** Controlling terminal (`proc.tty`). */
  tty = 0;
  /** fd limit. */
  fdlimit: number | bigint = 0;
  /** PPM clone/exec flags of the last clone/execve. */
  flags = 0;
  /** cgroups (`subsys=path`). */
  cgroups: string[] = [];
  /** Cumulative CPU ticks at the thread's last `procinfo` event. */
  cpuTicks: CpuTicks | undefined = undefined;
  /** CPU time (ns) summed over the scheduler switches that switched this thread out. */
  totExectime = 0n;
  /** Container id (12 hex characters), or `''` for the host. */
  containerId = '';
  /** Capability sets. */
  capInheritable: bigint = 0n;
  capPermitted: bigint = 0n;
  capEffective: bigint = 0n;
  /** Executable facts from the last execve. */
  exeWritable = false;
  exeUpperLayer = false;
  exeLowerLayer = false;
  exeFromMemfd = false;
  exeIno: number | bigint = 0;
  exeInoCtime: number | bigint = 0;
  exeInoMtime: number | bigint = 0;
  /** Process start (clone) time, ns; 0 when unknown. */
  cloneTs: bigint = 0n;
  /** Time of the pid namespace's init start (ns). */
  pidnsInitStartTs: number | bigint = 0;
  /** Memory counters (kB) and page faults from the last event that carried them. */
  vmsize = 0;
  vmrss = 0;
  vmswap = 0;
  pfmajor: number | bigint = 0;
  pfminor: number | bigint = 0;
  /** Open fds (shared between threads of a process). */
  fds: FdTable;
  /** Last enter event of this thread, for enter/exit pairing (batch, index, type); type -1 when none. */
  enterType = -1;
  enterBatch: EventBatch | undefined = undefined;
  enterIndex = 0;
  /** Batch generation of the stored enter event (see `Inspector.beginBatch`). */
  enterGen = 0;
  /** Number of the thread's last event in the stream (see `EventContext.num`), for eviction. */
  lastEventNum = 0;
  /** Set by procexit: the thread is removed before the next event is parsed. */
  exited = false;
  /** True when the thread was made up from an event without clone/proc-list information. */
  incomplete = false;

  constructor(tid: number, fds?: FdTable) {
    this.tid = tid;
    this.fds = fds ?? new FdTable();
  }

  /** Whether this thread is its process's main thread. */
  get isMain(): boolean {
    return this.tid === this.pid;
  }

  private argsFor: string[] | undefined;
  private argsJoined = '';
  private cmdFor: string | undefined;
  private cmdJoined = '';

  /** `proc.args`: the arguments, space-separated (computed once per argument list). */
  get argsText(): string {
    if (this.argsFor !== this.args) {
      this.argsFor = this.args;
      this.argsJoined = this.args.join(' ');
      this.cmdFor = undefined;
    }
    return this.argsJoined;
  }

  /** `proc.cmdline`: `comm` and arguments, space-separated (libsinsp uses the name, not argv[0]). */
  get cmdline(): string {
    const a = this.argsText;
    if (this.cmdFor !== this.comm) {
      this.cmdFor = this.comm;
      this.cmdJoined = this.args.length === 0 ? this.comm : `${this.comm} ${a}`;
    }
    return this.cmdJoined;
  }

  /** Copies the process-wide data of `src` (clone/fork child). */
  inheritFrom(src: ThreadInfo): void {
    this.comm = src.comm;
    this.exe = src.exe;
    this.exepath = src.exepath;
    this.args = src.args;
    this.env = src.env;
    this.cwd = src.cwd;
    this.uid = src.uid;
    this.gid = src.gid;
    this.loginuid = src.loginuid;
    this.tty = src.tty;
    this.sid = src.sid;
    this.pgid = src.pgid;
    this.vpgid = src.vpgid;
    this.fdlimit = src.fdlimit;
    this.cgroups = src.cgroups;
    this.containerId = src.containerId;
    this.capInheritable = src.capInheritable;
    this.capPermitted = src.capPermitted;
    this.capEffective = src.capEffective;
    this.exeWritable = src.exeWritable;
    this.exeUpperLayer = src.exeUpperLayer;
    this.exeLowerLayer = src.exeLowerLayer;
    this.exeFromMemfd = src.exeFromMemfd;
    this.exeIno = src.exeIno;
    this.exeInoCtime = src.exeInoCtime;
    this.exeInoMtime = src.exeInoMtime;
    this.pidnsInitStartTs = src.pidnsInitStartTs;
  }

  /** A plain-object snapshot (for tests, debugging and JSON). */
  toJSON(): Record<string, unknown> {
    return {
      tid: this.tid,
      pid: this.pid,
      ptid: this.ptid,
      comm: this.comm,
      exe: this.exe,
      exepath: this.exepath,
      args: this.args,
      cwd: this.cwd,
      uid: this.uid,
      gid: this.gid,
      loginuid: this.loginuid,
      containerId: this.containerId,
      fds: this.fds.size,
    };
  }
}
