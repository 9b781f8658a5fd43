/** `proc.*` and `thread.*` fields: the process and thread that produced the event. */
import type { FieldValue } from '@sysray/falco-rules';
import type { EventContext } from '../context.js';
import type { ThreadInfo } from '../state/thread.js';
import { argField, type FieldSpec, field, nonEmpty } from './spec.js';

type Get = (c: EventContext) => FieldValue | undefined;

function main(c: EventContext): ThreadInfo | undefined {
  const t = c.thread;
  return t ? c.tables.threads.mainThread(t) : undefined;
}

function parent(c: EventContext): ThreadInfo | undefined {
  const t = c.thread;
  return t ? c.tables.threads.parent(t) : undefined;
}

/** A field of the process (main thread). */
function p(get: (t: ThreadInfo, c: EventContext) => FieldValue | undefined): Get {
  return (c) => {
    const t = main(c);
    return t ? get(t, c) : undefined;
  };
}

/** A field of the parent process. */
function pp(get: (t: ThreadInfo, c: EventContext) => FieldValue | undefined): Get {
  return (c) => {
    const t = parent(c);
    return t ? get(t, c) : undefined;
  };
}

/** A field of the event's thread. */
function th(get: (t: ThreadInfo, c: EventContext) => FieldValue | undefined): Get {
  return (c) => (c.thread ? get(c.thread, c) : undefined);
}

const name = (t: ThreadInfo) => nonEmpty(t.comm);
const exe = (t: ThreadInfo) => nonEmpty(t.exe);
const exepath = (t: ThreadInfo) => nonEmpty(t.exepath);
const args = (t: ThreadInfo) => t.argsText;
const cmdline = (t: ThreadInfo) => (t.comm === '' && t.args.length === 0 ? undefined : t.cmdline);
const env = (t: ThreadInfo) => t.env.join(' ');

/** A thread whose process id is `pid`, looked up by tid then by scanning (session/group leaders). */
function byPid(c: EventContext, pid: number): ThreadInfo | undefined {
  return c.tables.threads.get(pid);
}

/** `proc.aX[N]` / `proc.aX`: the N-th ancestor (0 = the process), or every ancestor without an index. */
function ancestorField(get: (t: ThreadInfo) => FieldValue | undefined, withSelfByDefault = false) {
  return (arg: string | undefined) => {
    if (arg === undefined) {
      return (c: EventContext): FieldValue | undefined => {
        const t = c.thread;
        if (!t) return undefined;
        const out: (string | number | bigint | boolean)[] = [];
        let cur: ThreadInfo | undefined = withSelfByDefault ? c.tables.threads.mainThread(t) : parent(c);
        let guard = 0;
        while (cur && guard++ < 64) {
          const v = get(cur);
          if (v !== undefined && !Array.isArray(v) && !(v instanceof Uint8Array)) out.push(v as string);
          cur = c.tables.threads.parent(cur);
        }
        return out.length === 0 ? undefined : out;
      };
    }
    const n = /^\d+$/.test(arg) ? Number(arg) : -1;
    if (n < 0) return () => undefined;
    return (c: EventContext): FieldValue | undefined => {
      const t = c.thread;
      if (!t) return undefined;
      const a = c.tables.threads.ancestor(t, n);
      return a ? get(a) : undefined;
    };
  };
}

function envVar(t: ThreadInfo, key: string): string | undefined {
  const prefix = `${key}=`;
  for (const e of t.env) if (e.startsWith(prefix)) return e.slice(prefix.length);
  return undefined;
}

const CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** Capability set as libsinsp prints it: names separated by spaces. */
export function capsText(v: bigint): string {
  const out: string[] = [];
  for (let i = 0; i < CAPS.length; i++) if ((v >> BigInt(i)) & 1n) out.push(CAPS[i]!);
  return out.join(' ');
}

function stdFd(n: number, what: 'name' | 'type'): Get {
  return (c) => {
    const f = c.thread?.fds.get(n);
    if (!f) return undefined;
    return what === 'name' ? f.name : f.type;
  };
}

function duration(t: ThreadInfo, c: EventContext): bigint | undefined {
  return t.cloneTs === 0n ? undefined : c.ts - t.cloneTs;
}

/** The `proc.*` field class. */
export function procFields(): FieldSpec[] {
  return [
    field(
      'proc.pid',
      'INT64',
      'process id',
      th((t) => t.pid),
    ),
    field('proc.exe', 'CHARBUF', 'first command-line argument (argv[0])', p(exe)),
    field('proc.name', 'CHARBUF', 'process name (comm)', (c) => {
      const t = c.thread;
      return t ? nonEmpty(t.comm) : undefined;
    }),
    argField('proc.args', 'CHARBUF', 'command-line arguments', 'optional', () => p(args)),
    argField('proc.env', 'CHARBUF', 'environment, or one variable with an argument', 'optional', (arg) =>
      arg === undefined ? p(env) : p((t) => envVar(t, arg)),
    ),
    field('proc.cmdline', 'CHARBUF', 'name and arguments', p(cmdline)),
    field(
      'proc.cmdnargs',
      'UINT64',
      'number of arguments',
      p((t) => t.args.length),
    ),
    field(
      'proc.cmdlenargs',
      'UINT64',
      'total length of the arguments',
      p((t) => args(t).length),
    ),
    field(
      'proc.exeline',
      'CHARBUF',
      'exe and arguments',
      p((t) => (t.args.length ? `${t.exe} ${args(t)}` : t.exe)),
    ),
    field('proc.exepath', 'CHARBUF', 'full executable path', p(exepath)),
    field(
      'proc.cwd',
      'CHARBUF',
      'current working directory',
      th((t) => t.cwd),
    ),
    field(
      'proc.nthreads',
      'UINT64',
      'threads of the process',
      th((t, c) => c.tables.threads.threadCount(t.pid)),
    ),
    field(
      'proc.nchilds',
      'UINT64',
      'child threads of the process',
      th((t, c) => {
        let n = 0;
        for (const o of c.tables.threads.threads.values()) if (o.ptid === t.pid && o.pid !== t.pid) n++;
        return n;
      }),
    ),
    field(
      'proc.ppid',
      'INT64',
      'parent process id',
      p((t) => t.ptid),
    ),
    field('proc.pname', 'CHARBUF', 'parent name', pp(name)),
    field('proc.pcmdline', 'CHARBUF', 'parent command line', pp(cmdline)),
    field('proc.pexe', 'CHARBUF', "parent's argv[0]", pp(exe)),
    field('proc.pexepath', 'CHARBUF', 'parent executable path', pp(exepath)),
    field(
      'proc.pvpid',
      'INT64',
      'parent vpid',
      pp((t) => t.vpid),
    ),
    argField(
      'proc.apid',
      'INT64',
      'ancestor pid (index: generation)',
      'optional',
      ancestorField((t) => t.pid),
      {
        noRhs: true,
        noTransformer: true,
      },
    ),
    argField('proc.aname', 'CHARBUF', 'ancestor name (index: generation)', 'optional', ancestorField(name), {
      noRhs: true,
      noTransformer: true,
    }),
    argField('proc.aexe', 'CHARBUF', 'ancestor argv[0]', 'optional', ancestorField(exe), {
      noRhs: true,
      noTransformer: true,
    }),
    argField('proc.aexepath', 'CHARBUF', 'ancestor executable path', 'optional', ancestorField(exepath), {
      noRhs: true,
      noTransformer: true,
    }),
    argField('proc.acmdline', 'CHARBUF', 'ancestor command line', 'optional', ancestorField(cmdline), {
      noRhs: true,
      noTransformer: true,
    }),
    argField('proc.aargs', 'CHARBUF', 'ancestor arguments', 'optional', ancestorField(args)),
    argField('proc.aenv', 'CHARBUF', 'ancestor environment', 'optional', ancestorField(env), {
      noRhs: true,
      noTransformer: true,
    }),
    field('proc.loginshellid', 'INT64', 'pid of the oldest shell ancestor', (c) => {
      const t = c.thread;
      if (!t) return undefined;
      let found: number | undefined;
      let cur: ThreadInfo | undefined = c.tables.threads.mainThread(t);
      let guard = 0;
      while (cur && guard++ < 64) {
        if (/sh$/.test(cur.comm)) found = cur.pid;
        cur = c.tables.threads.parent(cur);
      }
      return found ?? 0;
    }),
    field('proc.duration', 'RELTIME', 'ns since the process started', p(duration)),
    field(
      'proc.pid.ts',
      'RELTIME',
      'process start time',
      p((t) => (t.cloneTs === 0n ? undefined : t.cloneTs)),
    ),
    field(
      'proc.ppid.ts',
      'RELTIME',
      'parent start time',
      pp((t) => (t.cloneTs === 0n ? undefined : t.cloneTs)),
    ),
    field('proc.ppid.duration', 'RELTIME', 'ns since the parent started', pp(duration)),
    field(
      'proc.fdopencount',
      'UINT64',
      'open fds',
      th((t) => t.fds.size),
    ),
    field(
      'proc.fdlimit',
      'INT64',
      'fd limit',
      th((t) => t.fdlimit),
    ),
    field(
      'proc.fdusage',
      'DOUBLE',
      'open fds / limit (%)',
      th((t) => (Number(t.fdlimit) > 0 ? (t.fds.size * 100) / Number(t.fdlimit) : 0)),
    ),
    field(
      'proc.vmsize',
      'UINT64',
      'virtual memory (kB)',
      p((t) => t.vmsize),
    ),
    field(
      'proc.vmrss',
      'UINT64',
      'resident memory (kB)',
      p((t) => t.vmrss),
    ),
    field(
      'proc.vmswap',
      'UINT64',
      'swapped memory (kB)',
      p((t) => t.vmswap),
    ),
    field(
      'proc.sid',
      'INT64',
      'session id',
      th((t) => t.sid),
    ),
    field(
      'proc.sname',
      'CHARBUF',
      'session leader name',
      th((t, c) => {
        const s = byPid(c, t.sid);
        return s ? name(s) : undefined;
      }),
    ),
    field(
      'proc.sid.exe',
      'CHARBUF',
      "session leader's argv[0]",
      th((t, c) => {
        const s = byPid(c, t.sid);
        return s ? exe(s) : undefined;
      }),
    ),
    field(
      'proc.sid.exepath',
      'CHARBUF',
      'session leader executable path',
      th((t, c) => {
        const s = byPid(c, t.sid);
        return s ? exepath(s) : undefined;
      }),
    ),
    field(
      'proc.is_sid_leader',
      'BOOL',
      'the process leads its session',
      th((t) => t.sid === t.pid),
    ),
    field(
      'proc.tty',
      'UINT32',
      'controlling terminal (0: none)',
      th((t) => t.tty),
    ),
    field(
      'proc.vpid',
      'INT64',
      'pid in the pid namespace',
      th((t) => t.vpid),
    ),
    field(
      'proc.pgid',
      'INT64',
      'process group id',
      th((t) => t.pgid),
    ),
    field(
      'proc.pgid.name',
      'CHARBUF',
      'process group leader name',
      th((t, c) => {
        const s = byPid(c, t.pgid);
        return s ? name(s) : undefined;
      }),
    ),
    field(
      'proc.pgid.exe',
      'CHARBUF',
      "process group leader's argv[0]",
      th((t, c) => {
        const s = byPid(c, t.pgid);
        return s ? exe(s) : undefined;
      }),
    ),
    field(
      'proc.pgid.exepath',
      'CHARBUF',
      'process group leader path',
      th((t, c) => {
        const s = byPid(c, t.pgid);
        return s ? exepath(s) : undefined;
      }),
    ),
    field(
      'proc.is_pgid_leader',
      'BOOL',
      'the process leads its group',
      th((t) => t.pgid === t.pid),
    ),
    field(
      'proc.vpgid',
      'INT64',
      'process group id in the pid namespace',
      th((t) => t.vpgid),
    ),
    field(
      'proc.vpgid.name',
      'CHARBUF',
      'process group leader name (vpgid)',
      th((t, c) => {
        for (const o of c.tables.threads.threads.values()) if (o.vpid === t.vpgid && o.isMain) return name(o);
        return undefined;
      }),
    ),
    field(
      'proc.vpgid.exe',
      'CHARBUF',
      "process group leader's argv[0] (vpgid)",
      th((t, c) => {
        for (const o of c.tables.threads.threads.values()) if (o.vpid === t.vpgid && o.isMain) return exe(o);
        return undefined;
      }),
    ),
    field(
      'proc.vpgid.exepath',
      'CHARBUF',
      'process group leader path (vpgid)',
      th((t, c) => {
        for (const o of c.tables.threads.threads.values())
          if (o.vpid === t.vpgid && o.isMain) return exepath(o);
        return undefined;
      }),
    ),
    field(
      'proc.is_vpgid_leader',
      'BOOL',
      'the process leads its group (vpgid)',
      th((t) => t.vpgid !== 0 && t.vpid === t.vpgid),
    ),
    field(
      'proc.is_exe_writable',
      'BOOL',
      'the executable is writable by the process',
      p((t) => t.exeWritable),
    ),
    field(
      'proc.is_exe_upper_layer',
      'BOOL',
      'the executable is in an overlayfs upper layer',
      p((t) => t.exeUpperLayer),
    ),
    field(
      'proc.is_exe_lower_layer',
      'BOOL',
      'the executable is in an overlayfs lower layer',
      p((t) => t.exeLowerLayer),
    ),
    field(
      'proc.is_exe_from_memfd',
      'BOOL',
      'the executable is a memfd',
      p((t) => t.exeFromMemfd),
    ),
    field(
      'proc.exe_ino',
      'INT64',
      'inode of the executable',
      p((t) => t.exeIno),
    ),
    field(
      'proc.exe_ino.ctime',
      'ABSTIME',
      'ctime of the executable',
      p((t) => t.exeInoCtime),
    ),
    field(
      'proc.exe_ino.mtime',
      'ABSTIME',
      'mtime of the executable',
      p((t) => t.exeInoMtime),
    ),
    field(
      'proc.exe_ino.ctime_duration_proc_start',
      'ABSTIME',
      'process start − executable ctime',
      p((t) => (t.cloneTs === 0n || !t.exeInoCtime ? undefined : t.cloneTs - BigInt(t.exeInoCtime))),
    ),
    field(
      'proc.exe_ino.ctime_duration_pidns_start',
      'ABSTIME',
      'pid namespace start − executable ctime',
      p((t) =>
        !t.pidnsInitStartTs || !t.exeInoCtime
          ? undefined
          : BigInt(t.pidnsInitStartTs) - BigInt(t.exeInoCtime),
      ),
    ),
    field(
      'proc.pidns_init_start_ts',
      'UINT64',
      'start time of the pid namespace init',
      p((t) => t.pidnsInitStartTs),
    ),
    field('proc.stdin.type', 'CHARBUF', 'type of fd 0', stdFd(0, 'type')),
    field('proc.stdout.type', 'CHARBUF', 'type of fd 1', stdFd(1, 'type')),
    field('proc.stderr.type', 'CHARBUF', 'type of fd 2', stdFd(2, 'type')),
    field('proc.stdin.name', 'CHARBUF', 'name of fd 0', stdFd(0, 'name')),
    field('proc.stdout.name', 'CHARBUF', 'name of fd 1', stdFd(1, 'name')),
    field('proc.stderr.name', 'CHARBUF', 'name of fd 2', stdFd(2, 'name')),
  ];
}

/** The `thread.*` field class. */
export function threadFields(): FieldSpec[] {
  return [
    field(
      'thread.tid',
      'INT64',
      'thread id',
      th((t) => t.tid),
    ),
    field(
      'thread.vtid',
      'INT64',
      'thread id in the pid namespace',
      th((t) => t.vtid),
    ),
    field(
      'thread.ismain',
      'BOOL',
      'the thread is the main thread',
      th((t) => t.isMain),
    ),
    field(
      'thread.cap_permitted',
      'CHARBUF',
      'permitted capabilities',
      th((t) => capsText(t.capPermitted)),
    ),
    field(
      'thread.cap_inheritable',
      'CHARBUF',
      'inheritable capabilities',
      th((t) => capsText(t.capInheritable)),
    ),
    field(
      'thread.cap_effective',
      'CHARBUF',
      'effective capabilities',
      th((t) => capsText(t.capEffective)),
    ),
    field(
      'thread.cgroups',
      'CHARBUF',
      'cgroups (subsys=path …)',
      th((t) => t.cgroups.join(' ')),
    ),
    argField('thread.cgroup', 'CHARBUF', 'cgroup of a subsystem', 'required', (arg) =>
      th((t) => {
        for (const cg of t.cgroups) {
          const eq = cg.indexOf('=');
          if (
            eq >= 0 &&
            cg
              .slice(0, eq)
              .split(',')
              .includes(arg ?? '')
          )
            return cg.slice(eq + 1);
        }
        return undefined;
      }),
    ),
    field('thread.exectime', 'RELTIME', 'CPU time (ns) of the thread a switch event switches out', (c) =>
      c.cpuNum === c.num ? c.exectime : undefined,
    ),
    field(
      'thread.totexectime',
      'RELTIME',
      'CPU time (ns) of the thread over the switch events so far',
      (c) => (c.cpuNum === c.num && c.exectime !== undefined ? c.thread?.totExectime : undefined),
    ),
    field('thread.cpu', 'DOUBLE', 'CPU used since the last procinfo event (% of a CPU over ~1 s)', (c) =>
      c.cpuNum === c.num ? c.cpuUsage?.total : undefined,
    ),
    field('thread.cpu.user', 'DOUBLE', 'user CPU (thread.cpu for user time)', (c) =>
      c.cpuNum === c.num ? c.cpuUsage?.user : undefined,
    ),
    field('thread.cpu.system', 'DOUBLE', 'system CPU (thread.cpu for system time)', (c) =>
      c.cpuNum === c.num ? c.cpuUsage?.system : undefined,
    ),
    field(
      'thread.vmsize',
      'UINT64',
      'virtual memory (kB)',
      th((t) => t.vmsize),
    ),
    field(
      'thread.vmrss',
      'UINT64',
      'resident memory (kB)',
      th((t) => t.vmrss),
    ),
    field(
      'thread.pfmajor',
      'UINT64',
      'major page faults',
      th((t) => t.pfmajor),
    ),
    field(
      'thread.pfminor',
      'UINT64',
      'minor page faults',
      th((t) => t.pfminor),
    ),
  ];
}
