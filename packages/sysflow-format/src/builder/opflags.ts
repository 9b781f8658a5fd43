/** SysFlow operation flags (bit values of the `opFlags` fields), as sf-collector sets them. */

export const OP_CLONE = 1 << 0;
export const OP_EXEC = 1 << 1;
export const OP_EXIT = 1 << 2;
export const OP_SETUID = 1 << 3;
export const OP_SETNS = 1 << 4;
export const OP_ACCEPT = 1 << 5;
export const OP_CONNECT = 1 << 6;
export const OP_OPEN = 1 << 7;
export const OP_READ_RECV = 1 << 8;
export const OP_WRITE_SEND = 1 << 9;
export const OP_CLOSE = 1 << 10;
export const OP_TRUNCATE = 1 << 11;
export const OP_SHUTDOWN = 1 << 12;
export const OP_MMAP = 1 << 13;
export const OP_DIGEST = 1 << 14;
export const OP_MKDIR = 1 << 15;
export const OP_RMDIR = 1 << 16;
export const OP_LINK = 1 << 17;
export const OP_UNLINK = 1 << 18;
export const OP_SYMLINK = 1 << 19;
export const OP_RENAME = 1 << 20;

/** Operations recorded as `FileEvent`s (path operations without an fd). */
export const FILE_EVENT_OPS = OP_MKDIR | OP_RMDIR | OP_LINK | OP_UNLINK | OP_SYMLINK | OP_RENAME;

/**
 * Which scap event (by name and direction) feeds which operation. Exit events unless marked: the collector
 * reads `mmap` and `procexit` on their enter side and the uid of `setuid` from its enter event.
 */
export const EXIT_OPS: Readonly<Record<string, number>> = {
  execve: OP_EXEC,
  clone: OP_CLONE,
  fork: OP_CLONE,
  vfork: OP_CLONE,
  open: OP_OPEN,
  openat: OP_OPEN,
  timerfd_create: OP_OPEN,
  accept: OP_ACCEPT,
  accept4: OP_ACCEPT,
  select: OP_ACCEPT,
  connect: OP_CONNECT,
  send: OP_WRITE_SEND,
  sendto: OP_WRITE_SEND,
  sendmsg: OP_WRITE_SEND,
  sendmmsg: OP_WRITE_SEND,
  write: OP_WRITE_SEND,
  writev: OP_WRITE_SEND,
  pwrite: OP_WRITE_SEND,
  pwritev: OP_WRITE_SEND,
  recv: OP_READ_RECV,
  recvfrom: OP_READ_RECV,
  recvmsg: OP_READ_RECV,
  recvmmsg: OP_READ_RECV,
  read: OP_READ_RECV,
  readv: OP_READ_RECV,
  pread: OP_READ_RECV,
  preadv: OP_READ_RECV,
  close: OP_CLOSE,
  shutdown: OP_SHUTDOWN,
  setns: OP_SETNS,
  mkdir: OP_MKDIR,
  mkdirat: OP_MKDIR,
  rmdir: OP_RMDIR,
  link: OP_LINK,
  linkat: OP_LINK,
  unlink: OP_UNLINK,
  unlinkat: OP_UNLINK,
  symlink: OP_SYMLINK,
  symlinkat: OP_SYMLINK,
  rename: OP_RENAME,
  renameat: OP_RENAME,
  setuid: OP_SETUID,
  setresuid: OP_SETUID,
  procexit: OP_EXIT,
};

/** Enter events the collector acts on. */
export const ENTER_OPS: Readonly<Record<string, number>> = {
  mmap: OP_MMAP,
  mmap2: OP_MMAP,
  procexit: OP_EXIT,
  setuid: OP_SETUID,
  setresuid: OP_SETUID,
};
