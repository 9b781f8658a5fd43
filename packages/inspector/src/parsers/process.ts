/** Parsers of the process family: clone/fork/vfork/clone3, execve/execveat, procexit, credentials, cwd. */
import type { EventContext } from '../context.js';
import { P } from '../params.js';
import { resolvePath, withTrailingSlash } from '../paths.js';
import { bareContainer, containerIdFromCgroups } from '../state/container.js';
import { type FdInfo, FdTable } from '../state/fd.js';
import { ThreadInfo, UNKNOWN_ID } from '../state/thread.js';
import { type EventParser, type ParseEnv, toBig } from './types.js';

/** PPM clone flags. */
const CLONE_FILES = 1;
const CLONE_THREAD = 8192;

/** PPM execve flags. */
const EXE_WRITABLE = 1;
const EXE_UPPER_LAYER = 2;
const EXE_FROM_MEMFD = 4;
const EXE_LOWER_LAYER = 8;

/** PPM `O_CLOEXEC`. */
const PPM_O_CLOEXEC = 4096;

/** Sets `t.containerId` from its cgroups and registers the container. */
export function assignContainer(t: ThreadInfo, env: ParseEnv): void {
  const c = containerIdFromCgroups(t.cgroups);
  if (c) {
    t.containerId = c.id;
    if (!env.containers.get(c.id)) env.containers.add(bareContainer(c.id, c.fullId, c.runtime));
  } else {
    t.containerId = '';
  }
}

/** Fills process data common to clone and execve exit events (the calling process as the kernel saw it). */
function applyCommon(t: ThreadInfo, ctx: EventContext, env: ParseEnv): void {
  const exe = ctx.str(P.exe);
  if (exe !== undefined) t.exe = exe;
  const args = ctx.strList(P.args);
  if (args) t.args = args;
  const comm = ctx.str(P.comm);
  if (comm !== undefined && comm !== '') t.comm = comm;
  else if (exe !== undefined) t.comm = exe.slice(exe.lastIndexOf('/') + 1);
  const cwd = ctx.str(P.cwd);
  if (cwd !== undefined && cwd !== '') t.cwd = withTrailingSlash(cwd);
  const fdlimit = ctx.param(P.fdlimit);
  if (typeof fdlimit === 'number' || typeof fdlimit === 'bigint') t.fdlimit = fdlimit;
  const cg = ctx.strList(P.cgroups);
  if (cg) {
    t.cgroups = cg;
    assignContainer(t, env);
  }
  const vmsize = ctx.int(P.vm_size);
  if (vmsize !== undefined) t.vmsize = vmsize;
  const vmrss = ctx.int(P.vm_rss);
  if (vmrss !== undefined) t.vmrss = vmrss;
  const vmswap = ctx.int(P.vm_swap);
  if (vmswap !== undefined) t.vmswap = vmswap;
}

function findOrCreate(env: ParseEnv, tid: number, ts: bigint): ThreadInfo {
  let t = env.threads.get(tid);
  if (!t || t.exited) {
    t = new ThreadInfo(tid, new FdTable(env.maxFds));
    t.pid = tid;
    t.uid = UNKNOWN_ID;
    t.gid = UNKNOWN_ID;
    t.incomplete = true;
    t.cloneTs = ts;
    env.threads.add(t);
  }
  return t;
}

/** clone / fork / vfork / clone3 exit. */
export const parseClone: EventParser = (ctx, env) => {
  const res = ctx.int(P.res);
  if (res === undefined || res < 0) return;
  const flags = ctx.int(P.flags) ?? 0;
  const ptid = ctx.int(P.ptid);
  const pid = ctx.int(P.pid);
  const ts = ctx.ts;
  if (res === 0) {
    // The child's own return: the event's tid is the child, its parameters describe it.
    const tid = ctx.tid;
    const existing = env.threads.get(tid);
    let child: ThreadInfo;
    const d = existing ? existing.cloneTs - ts : 0n;
    if (existing && !existing.exited && existing.cloneTs !== 0n && d < 1_000_000_000n && d > -1_000_000_000n)
      child = existing; // created a moment ago from the parent's exit event
    else {
      child = new ThreadInfo(tid);
      child.cloneTs = ts;
      const parentTid = (flags & CLONE_THREAD) !== 0 ? (pid ?? tid) : (ptid ?? -1);
      const parent = env.threads.get(parentTid) ?? (ptid !== undefined ? env.threads.get(ptid) : undefined);
      if (parent) {
        child.inheritFrom(parent);
        child.fds =
          (flags & CLONE_FILES) !== 0 || (flags & CLONE_THREAD) !== 0 ? parent.fds : parent.fds.clone();
      } else child.fds = new FdTable(env.maxFds);
      env.threads.add(child);
    }
    child.pid = pid ?? tid;
    child.ptid = ptid ?? child.ptid;
    child.flags = flags;
    child.incomplete = false;
    applyCommon(child, ctx, env);
    const uid = ctx.int(P.uid);
    if (uid !== undefined) child.uid = uid;
    const gid = ctx.int(P.gid);
    if (gid !== undefined) child.gid = gid;
    const vtid = ctx.int(P.vtid);
    if (vtid !== undefined) child.vtid = vtid;
    const vpid = ctx.int(P.vpid);
    if (vpid !== undefined) child.vpid = vpid;
    const pidns = ctx.param(P.pidns_init_start_ts);
    if (typeof pidns === 'number' || typeof pidns === 'bigint') child.pidnsInitStartTs = pidns;
    ctx.thread = child;
    return;
  }
  // The parent's return: the event describes the caller; `res` is the child's tid.
  const caller = findOrCreate(env, ctx.tid, ts);
  if (caller.incomplete) {
    caller.pid = pid ?? caller.pid;
    caller.ptid = ptid ?? caller.ptid;
    applyCommon(caller, ctx, env);
    const uid = ctx.int(P.uid);
    if (uid !== undefined) caller.uid = uid;
    const gid = ctx.int(P.gid);
    if (gid !== undefined) caller.gid = gid;
    const vtid = ctx.int(P.vtid);
    if (vtid !== undefined) caller.vtid = vtid;
    const vpid = ctx.int(P.vpid);
    if (vpid !== undefined) caller.vpid = vpid;
    caller.incomplete = false;
  }
  ctx.thread = caller;
  const existing = env.threads.get(res);
  // The child's own exit event came first: keep what it said. An older entry is a reused tid: replace it.
  if (existing && !existing.exited && existing.cloneTs !== 0n) {
    const d = existing.cloneTs - ts;
    if (d < 1_000_000_000n && d > -1_000_000_000n) return;
  }
  const child = new ThreadInfo(res);
  child.cloneTs = ts;
  child.inheritFrom(caller);
  applyCommon(child, ctx, env);
  const isThread = (flags & CLONE_THREAD) !== 0;
  child.pid = isThread ? caller.pid : res;
  child.ptid = isThread ? caller.ptid : caller.pid;
  child.flags = flags;
  child.fds = (flags & CLONE_FILES) !== 0 || isThread ? caller.fds : caller.fds.clone();
  child.vpid = isThread ? caller.vpid : 0;
  env.threads.add(child);
};

function closeOnExec(this: Map<number, FdInfo>, f: FdInfo, n: number): void {
  if ((f.openFlags & PPM_O_CLOEXEC) !== 0) this.delete(n);
}

/** execve / execveat exit. */
export const parseExecve: EventParser = (ctx, env) => {
  const res = ctx.int(P.res);
  if (res === undefined || res !== 0) return;
  const t = findOrCreate(env, ctx.tid, ctx.ts);
  const pid = ctx.int(P.pid);
  if (pid !== undefined) t.pid = pid;
  const ptid = ctx.int(P.ptid);
  if (ptid !== undefined && ptid > 0) t.ptid = ptid;
  const oldCwd = t.cwd;
  applyCommon(t, ctx, env);
  const envv = ctx.strList(P.env);
  if (envv) t.env = envv;
  const tty = ctx.int(P.tty);
  if (tty !== undefined) t.tty = tty;
  const vpgid = ctx.int(P.vpgid);
  if (vpgid !== undefined) t.vpgid = vpgid;
  const pgid = ctx.int(P.pgid);
  if (pgid !== undefined) t.pgid = pgid;
  const loginuid = ctx.int(P.loginuid);
  if (loginuid !== undefined) t.loginuid = loginuid === 0xffffffff ? -1 : loginuid;
  const uid = ctx.int(P.uid);
  if (uid !== undefined) t.uid = uid;
  const gid = ctx.int(P.gid);
  if (gid !== undefined) t.gid = gid;
  const flags = ctx.int(P.flags);
  if (flags !== undefined) {
    t.exeWritable = (flags & EXE_WRITABLE) !== 0;
    t.exeUpperLayer = (flags & EXE_UPPER_LAYER) !== 0;
    t.exeFromMemfd = (flags & EXE_FROM_MEMFD) !== 0;
    t.exeLowerLayer = (flags & EXE_LOWER_LAYER) !== 0;
  }
  const ci = ctx.param(P.cap_inheritable);
  if (ci !== undefined && ci !== null) t.capInheritable = toBig(ci);
  const cp = ctx.param(P.cap_permitted);
  if (cp !== undefined && cp !== null) t.capPermitted = toBig(cp);
  const ce = ctx.param(P.cap_effective);
  if (ce !== undefined && ce !== null) t.capEffective = toBig(ce);
  const ino = ctx.param(P.exe_ino);
  if (typeof ino === 'number' || typeof ino === 'bigint') t.exeIno = ino;
  const ctime = ctx.param(P.exe_ino_ctime);
  if (typeof ctime === 'number' || typeof ctime === 'bigint') t.exeInoCtime = ctime;
  const mtime = ctx.param(P.exe_ino_mtime);
  if (typeof mtime === 'number' || typeof mtime === 'bigint') t.exeInoMtime = mtime;
  // exepath: the kernel's trusted path, else the filename given to execve resolved against the cwd.
  const trusted = ctx.str(P.trusted_exepath);
  const filename = ctx.str(P.filename) ?? ctx.str(P.pathname);
  if (trusted) t.exepath = trusted;
  else if (filename) t.exepath = resolvePath(oldCwd, filename);
  else if (t.exe.startsWith('/')) t.exepath = t.exe;
  else t.exepath = t.exe;
  // The new program does not inherit close-on-exec fds.
  const fds = t.fds.fds;
  fds.forEach(closeOnExec, fds);
  t.incomplete = false;
  ctx.thread = t;
};

/** procexit: the thread is removed after this event was shown. */
export const parseProcexit: EventParser = (ctx, env) => {
  const t = ctx.thread;
  if (t) env.threads.markExited(t);
};

/** setuid exit. */
export const parseSetuid: EventParser = (ctx) => {
  if (ctx.res() !== 0 || !ctx.thread) return;
  const uid = ctx.int(P.uid);
  if (uid !== undefined && uid !== UNKNOWN_ID) ctx.thread.uid = uid;
};

/** setgid exit. */
export const parseSetgid: EventParser = (ctx) => {
  if (ctx.res() !== 0 || !ctx.thread) return;
  const gid = ctx.int(P.gid);
  if (gid !== undefined && gid !== UNKNOWN_ID) ctx.thread.gid = gid;
};

/** setresuid / setreuid exit: the effective uid. */
export const parseSetresuid: EventParser = (ctx) => {
  if (ctx.res() !== 0 || !ctx.thread) return;
  const euid = ctx.int(P.euid);
  if (euid !== undefined && euid !== UNKNOWN_ID) ctx.thread.uid = euid;
};

/** setresgid / setregid exit: the effective gid. */
export const parseSetresgid: EventParser = (ctx) => {
  if (ctx.res() !== 0 || !ctx.thread) return;
  const egid = ctx.int(P.egid);
  if (egid !== undefined && egid !== UNKNOWN_ID) ctx.thread.gid = egid;
};

/** setsid exit: the new session id. */
export const parseSetsid: EventParser = (ctx) => {
  const res = ctx.res();
  if (res === undefined || res < 0 || !ctx.thread) return;
  ctx.thread.sid = res;
};

/** setpgid exit. */
export const parseSetpgid: EventParser = (ctx) => {
  if (ctx.res() !== 0 || !ctx.thread) return;
  const pid = ctx.int(P.pid);
  const pgid = ctx.int(P.pgid);
  if (pgid === undefined) return;
  if (pid === 0 || pid === ctx.thread.pid) ctx.thread.pgid = pgid === 0 ? ctx.thread.pid : pgid;
};

function setCwd(ctx: EventContext, env: ParseEnv, dir: string): void {
  const t = ctx.thread;
  if (!t) return;
  const cwd = withTrailingSlash(resolvePath(t.cwd, dir));
  // Threads of a process share the cwd.
  for (const o of env.threads.threads.values()) if (o.pid === t.pid) o.cwd = cwd;
  t.cwd = cwd;
}

/** chdir exit. */
export const parseChdir: EventParser = (ctx, env) => {
  if (ctx.res() !== 0) return;
  const path = ctx.str(P.path);
  if (path) setCwd(ctx, env, path);
};

/** fchdir exit: the cwd becomes the fd's path. */
export const parseFchdir: EventParser = (ctx, env) => {
  if (ctx.res() !== 0 || !ctx.thread) return;
  const fd = ctx.int(P.fd);
  if (fd === undefined) return;
  const f = ctx.thread.fds.get(fd);
  ctx.fd = f;
  ctx.fdNum = fd;
  if (f?.name) setCwd(ctx, env, f.name);
};

/** capset exit. */
export const parseCapset: EventParser = (ctx) => {
  if (ctx.res() !== 0 || !ctx.thread) return;
  const t = ctx.thread;
  const ci = ctx.param(P.cap_inheritable);
  if (ci !== undefined && ci !== null) t.capInheritable = toBig(ci);
  const cp = ctx.param(P.cap_permitted);
  if (cp !== undefined && cp !== null) t.capPermitted = toBig(cp);
  const ce = ctx.param(P.cap_effective);
  if (ce !== undefined && ce !== null) t.capEffective = toBig(ce);
};

/** setns exit: the fd names the namespace; state is otherwise unchanged (as in libsinsp). */
export const parseSetns: EventParser = (ctx) => {
  const t = ctx.thread;
  if (!t) return;
  const fd = ctx.int(P.fd);
  if (fd === undefined) return;
  ctx.fdNum = fd;
  ctx.fd = t.fds.get(fd);
};
