/**
 * What the probe writes for each traced system call (x86-64): the scap exit event id and, per parameter, one
 * kernel-side op (see `bpf/probe_shared.h`). Process events (execve, clone, …) have their own kernel code and
 * only name their event here. The recipes are packed into the probe's `recipes` map at start.
 */

/** Kernel-side parameter ops (values of `enum sysray_op`). */
export const Op = {
  EMPTY: 0,
  RET: 1,
  ARG64: 2,
  ARGFD: 3,
  ARG32: 4,
  ARG16: 5,
  ARG8: 6,
  USTR: 7,
  OPENFLAGS: 8,
  OPENHOW_FLAGS: 9,
  OPENHOW_MODE: 10,
  OPENHOW_RESOLVE: 11,
  CLONEFLAGS: 12,
  DEV: 13,
  INO: 14,
  SOCKADDR: 15,
  SOCKADDR_PTRLEN: 16,
  TUPLE_ARG: 17,
  TUPLE_RET: 18,
  DATA: 19,
  PIPEFD: 20,
  PIPEINO: 21,
  CONST32: 22,
  UID_OF: 23,
  CONST8: 24,
  BACKLOG: 25,
  CONST16: 26,
  FCNTL_CMD: 27,
  PTRACE_REQ: 28,
  DYN64: 29,
  IOVLEN: 30,
  MSG_IOVLEN: 31,
  IOV_DATA: 32,
  RET_SIZE: 33,
  CREAT_LAYER: 34,
  OPEN_MODE: 35,
} as const;

/**
 * `b` flag of {@link Op.IOV_DATA} and {@link Op.DATA}: the data is written (writev, write), so it is kept even
 * when the call fails (DATA: up to its size argument, `b & 7`).
 */
export const IOV_OUT = 0x80;

/**
 * `b` of {@link Op.TUPLE_ARG}: bit 0 for an inbound tuple; `addrArg`, the argument holding a sockaddr the kernel
 * side takes the remote end from when the socket has none (unconnected UDP).
 */
function tupleB(inbound: boolean, addrArg?: number): number {
  return (inbound ? 1 : 0) | (addrArg === undefined ? 0 : (addrArg + 1) << 4);
}

/** Kernel-side special handlers (values of `enum sysray_special`). */
export const Special = {
  NONE: 0,
  EXECVE: 1,
  EXECVEAT: 2,
  CLONE: 3,
  FORK: 4,
  VFORK: 5,
  CLONE3: 6,
  SENDMSG: 7,
  RECVMSG: 8,
  RET_FD: 9,
  OPEN: 10,
  OPENAT: 11,
  SENDMMSG: 12,
  RECVMMSG: 13,
} as const;

/** One parameter op: `[op, a, b]` (a and b default to 0). */
export type ParamOp = readonly [op: number, a?: number, b?: number];

/** How one system call is captured. */
export interface SyscallRecipe {
  /** System call name (also the scap event name). */
  name: string;
  /** x86-64 system call number. */
  nr: number;
  /** Scap exit event id written for it. */
  event: number;
  /** Kernel special handler, or NONE for the generic op list. */
  special: number;
  /**
   * One op per exit-event parameter. Empty for the special handlers that write their own parameters; a
   * fixed-layout handler ({@link FIXED_LAYOUTS}) writes exactly these ops, at known offsets.
   */
  ops: readonly ParamOp[];
}

const { RET, ARG64, ARGFD, ARG32, USTR, OPENFLAGS, DEV, INO, SOCKADDR, TUPLE_ARG, TUPLE_RET, DATA } = Op;

function r(name: string, nr: number, event: number, ops: ParamOp[], special = 0): SyscallRecipe {
  return { name, nr, event, special, ops };
}

/**
 * The parameters of the fixed-layout handlers: the frequent calls, which the kernel side writes without
 * dispatching on each op (and close-like events straight into the ring buffer).
 */
export const FIXED_LAYOUTS: Readonly<Record<number, readonly ParamOp[]>> = {
  [Special.RET_FD]: [[RET], [ARGFD, 0]],
  [Special.OPEN]: [[RET], [USTR, 0], [OPENFLAGS, 1], [Op.OPEN_MODE, 1, 2], [DEV], [INO]],
  [Special.OPENAT]: [[RET], [ARGFD, 0], [USTR, 1], [OPENFLAGS, 2], [Op.OPEN_MODE, 2, 3], [DEV], [INO]],
};

/** A recipe written by a fixed-layout handler. */
function fixed(name: string, nr: number, event: number, special: number): SyscallRecipe {
  return { name, nr, event, special, ops: FIXED_LAYOUTS[special]! };
}

/** Every system call the probe captures, in event-table order of their names. */
export const RECIPES: readonly SyscallRecipe[] = [
  // files
  fixed('open', 2, 3, Special.OPEN),
  fixed('openat', 257, 307, Special.OPENAT),
  r('openat2', 437, 327, [
    [RET],
    [ARGFD, 0],
    [USTR, 1],
    [Op.OPENHOW_FLAGS, 2],
    [Op.OPENHOW_MODE, 2],
    [Op.OPENHOW_RESOLVE, 2],
    [DEV],
    [INO],
  ]),
  r('creat', 85, 59, [[RET], [USTR, 0], [Op.OPEN_MODE, 0xff, 1], [DEV], [INO], [Op.CREAT_LAYER]]),
  fixed('close', 3, 5, Special.RET_FD),
  r('read', 0, 7, [[RET], [DATA, 1], [ARGFD, 0], [ARG32, 2]]),
  r('write', 1, 9, [[RET], [DATA, 1, 2 | IOV_OUT], [ARGFD, 0], [ARG32, 2]]),
  r('pread', 17, 113, [[RET], [DATA, 1], [ARGFD, 0], [ARG32, 2], [ARG64, 3]]),
  r('pwrite', 18, 115, [[RET], [DATA, 1, 2 | IOV_OUT], [ARGFD, 0], [ARG32, 2], [ARG64, 3]]),
  r('readv', 19, 117, [[RET], [Op.RET_SIZE], [Op.IOV_DATA, 1, 2], [ARGFD, 0]]),
  r('writev', 20, 119, [[RET], [Op.IOV_DATA, 1, 2 | IOV_OUT], [ARGFD, 0], [Op.IOVLEN, 1, 2]]),
  r('preadv', 295, 121, [[RET], [Op.RET_SIZE], [Op.IOV_DATA, 1, 2], [ARGFD, 0], [ARG64, 3]]),
  r('pwritev', 296, 123, [[RET], [Op.IOV_DATA, 1, 2 | IOV_OUT], [ARGFD, 0], [Op.IOVLEN, 1, 2], [ARG64, 3]]),
  r('unlink', 87, 301, [[RET], [USTR, 0]]),
  r('unlinkat', 263, 303, [[RET], [ARGFD, 0], [USTR, 1], [ARG32, 2]]),
  r('rename', 82, 175, [[RET], [USTR, 0], [USTR, 1]]),
  r('renameat', 264, 177, [[RET], [ARGFD, 0], [USTR, 1], [ARGFD, 2], [USTR, 3]]),
  r('renameat2', 316, 319, [[RET], [ARGFD, 0], [USTR, 1], [ARGFD, 2], [USTR, 3], [ARG32, 4]]),
  r('mkdir', 83, 277, [[RET], [USTR, 0], [ARG32, 1]]),
  r('mkdirat', 258, 305, [[RET], [ARGFD, 0], [USTR, 1], [ARG32, 2]]),
  r('rmdir', 84, 279, [[RET], [USTR, 0]]),
  r('link', 86, 309, [[RET], [USTR, 0], [USTR, 1]]),
  r('linkat', 265, 311, [[RET], [ARGFD, 0], [USTR, 1], [ARGFD, 2], [USTR, 3], [ARG32, 4]]),
  r('symlink', 88, 179, [[RET], [USTR, 0], [USTR, 1]]),
  r('symlinkat', 266, 181, [[RET], [USTR, 0], [ARGFD, 1], [USTR, 2]]),
  r('chdir', 80, 95, [[RET], [USTR, 0]]),
  fixed('fchdir', 81, 97, Special.RET_FD),
  fixed('dup', 32, 367, Special.RET_FD),
  r('dup2', 33, 363, [[RET], [ARGFD, 0], [ARGFD, 1]]),
  r('dup3', 292, 365, [[RET], [ARGFD, 0], [ARGFD, 1], [OPENFLAGS, 2]]),
  r('fcntl', 72, 151, [[RET], [ARGFD, 0], [Op.FCNTL_CMD, 1]]),
  r('pipe', 22, 61, [[RET], [Op.PIPEFD, 0, 0], [Op.PIPEFD, 0, 1], [Op.PIPEINO, 0]]),
  r('pipe2', 293, 393, [[RET], [Op.PIPEFD, 0, 0], [Op.PIPEFD, 0, 1], [Op.PIPEINO, 0], [OPENFLAGS, 1]]),
  r('memfd_create', 319, 405, [[RET], [USTR, 0], [ARG32, 1]]),
  // network
  r('socket', 41, 19, [[RET], [ARG32, 0], [ARG32, 1], [ARG32, 2]]),
  r('bind', 49, 21, [[RET], [SOCKADDR, 1, 2], [ARGFD, 0]]),
  r('connect', 42, 23, [[RET], [TUPLE_ARG, 0, 0], [ARGFD, 0], [SOCKADDR, 1, 2]]),
  r('listen', 50, 25, [[RET], [ARGFD, 0], [ARG32, 1]]),
  r('accept', 43, 247, [
    [RET],
    [TUPLE_RET, 0, 1],
    [Op.BACKLOG, 0, 0],
    [Op.BACKLOG, 0, 1],
    [Op.BACKLOG, 0, 2],
  ]),
  r('accept4', 288, 389, [
    [RET],
    [TUPLE_RET, 0, 1],
    [Op.BACKLOG, 0, 0],
    [Op.BACKLOG, 0, 1],
    [Op.BACKLOG, 0, 2],
    [ARG32, 3],
  ]),
  r('sendto', 44, 31, [
    [RET],
    [DATA, 1, 2 | IOV_OUT],
    [ARGFD, 0],
    [ARG32, 2],
    [TUPLE_ARG, 0, tupleB(false, 4)],
  ]),
  r('recvfrom', 45, 35, [[RET], [DATA, 1], [TUPLE_ARG, 0, tupleB(true, 4)], [ARGFD, 0], [ARG32, 2]]),
  r('sendmsg', 46, 49, [], Special.SENDMSG),
  r('recvmsg', 47, 53, [], Special.RECVMSG),
  r('sendmmsg', 307, 51, [], Special.SENDMMSG),
  r('recvmmsg', 299, 55, [], Special.RECVMMSG),
  // users, namespaces, tracing
  r('setuid', 105, 199, [[RET], [ARG32, 0]]),
  r('setgid', 106, 201, [[RET], [ARG32, 0]]),
  r('setresuid', 117, 193, [[RET], [ARG32, 0], [ARG32, 1], [ARG32, 2]]),
  r('setresgid', 119, 195, [[RET], [ARG32, 0], [ARG32, 1], [ARG32, 2]]),
  r('setns', 308, 241, [[RET], [ARGFD, 0], [Op.CLONEFLAGS, 1]]),
  r('ptrace', 101, 169, [[RET], [Op.DYN64, 2], [Op.DYN64, 3], [Op.PTRACE_REQ, 0], [ARGFD, 1]]),
  // processes
  r('execve', 59, 293, [], Special.EXECVE),
  r('execveat', 322, 331, [], Special.EXECVEAT),
  r('clone', 56, 223, [], Special.CLONE),
  r('fork', 57, 225, [], Special.FORK),
  r('vfork', 58, 227, [], Special.VFORK),
  r('clone3', 435, 335, [], Special.CLONE3),
];

/** The pseudo event name selecting process exits (`procexit`, from the scheduler tracepoint). */
export const PROCEXIT = 'procexit';

/** Every event name `startCapture({ events })` accepts. */
export const SUPPORTED_EVENTS: readonly string[] = [...RECIPES.map((x) => x.name), PROCEXIT];

/** Size of one `struct sysray_recipe` (type u16, nparams u8, special u8, op[8], a[8], b[8]). */
export const RECIPE_SIZE = 28;
/** Number of recipe slots (system call numbers below this are traceable). */
export const MAX_SYSCALLS = 512;
/** Most parameters a generic recipe may have. */
export const MAX_RECIPE_PARAMS = 8;

/** Packs the recipes of the selected system calls into the probe map's layout, indexed by system call number. */
export function packRecipes(selected: readonly SyscallRecipe[]): Uint8Array {
  const out = new Uint8Array(MAX_SYSCALLS * RECIPE_SIZE);
  const dv = new DataView(out.buffer);
  for (const rec of selected) {
    const o = rec.nr * RECIPE_SIZE;
    dv.setUint16(o, rec.event, true);
    out[o + 2] = rec.ops.length;
    out[o + 3] = rec.special;
    rec.ops.forEach(([op, a = 0, b = 0], i) => {
      out[o + 4 + i] = op;
      out[o + 12 + i] = a;
      out[o + 20 + i] = b;
    });
  }
  return out;
}
