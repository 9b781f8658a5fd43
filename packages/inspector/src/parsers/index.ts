/** Which parser handles which event type. */
import { EC, EVENT_COUNT, EVENT_TABLE } from '@sysray/pcapng/scap';
import {
  fdCreator,
  parseAccept,
  parseBind,
  parseClose,
  parseConnect,
  parseDup,
  parseFcntl,
  parseListen,
  parseMemfd,
  parseOpen,
  parsePipe,
  parseSocket,
  parseSocketpair,
  parseUsesFd,
} from './fd.js';
import { parseContainer, parseGroupEvent, parseProcinfo, parseSwitch, parseUserEvent } from './meta.js';
import {
  parseCapset,
  parseChdir,
  parseClone,
  parseExecve,
  parseFchdir,
  parseProcexit,
  parseSetgid,
  parseSetns,
  parseSetpgid,
  parseSetresgid,
  parseSetresuid,
  parseSetsid,
  parseSetuid,
} from './process.js';
import type { EventParser } from './types.js';

/** Exit-event parsers by event name. */
const EXIT_PARSERS: Record<string, EventParser> = {
  clone: parseClone,
  fork: parseClone,
  vfork: parseClone,
  clone3: parseClone,
  execve: parseExecve,
  execveat: parseExecve,
  setuid: parseSetuid,
  setgid: parseSetgid,
  setresuid: parseSetresuid,
  setreuid: parseSetresuid,
  setresgid: parseSetresgid,
  setregid: parseSetresgid,
  setsid: parseSetsid,
  setpgid: parseSetpgid,
  chdir: parseChdir,
  fchdir: parseFchdir,
  capset: parseCapset,
  setns: parseSetns,
  open: parseOpen,
  openat: parseOpen,
  openat2: parseOpen,
  creat: parseOpen,
  open_by_handle_at: parseOpen,
  close: parseClose,
  dup: parseDup,
  dup2: parseDup,
  dup3: parseDup,
  fcntl: parseFcntl,
  socket: parseSocket,
  socketpair: parseSocketpair,
  connect: parseConnect,
  accept: parseAccept,
  accept4: parseAccept,
  bind: parseBind,
  listen: parseListen,
  pipe: parsePipe,
  pipe2: parsePipe,
  eventfd: fdCreator('event'),
  eventfd2: fdCreator('event'),
  signalfd: fdCreator('signalfd'),
  signalfd4: fdCreator('signalfd'),
  inotify_init: fdCreator('inotify'),
  inotify_init1: fdCreator('inotify'),
  timerfd_create: fdCreator('timerfd'),
  epoll_create: fdCreator('eventpoll'),
  epoll_create1: fdCreator('eventpoll'),
  userfaultfd: fdCreator('userfaultfd'),
  io_uring_setup: fdCreator('io_uring'),
  pidfd_open: fdCreator('pidfd', 'fd'),
  pidfd_getfd: fdCreator('unknown', 'fd'),
  memfd_create: parseMemfd,
};

/** Enter-only (or meta) event parsers by event name. */
const ENTER_PARSERS: Record<string, EventParser> = {
  procexit: parseProcexit,
  container: parseContainer,
  useradded: parseUserEvent,
  userdeleted: parseUserEvent,
  groupadded: parseGroupEvent,
  groupdeleted: parseGroupEvent,
  procinfo: parseProcinfo,
  switch: parseSwitch,
};

/** Parser of each event type id (`undefined`: the event changes no state). */
export const PARSERS: (EventParser | undefined)[] = new Array(EVENT_COUNT);

/**
 * Per event type id: 1 when libsinsp shows the event to filters and outputs. Hidden: enter events of
 * syscalls that have an exit event, internal events (procinfo, drops, …), iterator events, and the
 * container/user/group metadata events consumed while opening a capture.
 */
export const VISIBLE = new Uint8Array(EVENT_COUNT + 1);

/** Per event type id: 1 for enter events that have an exit event (kept for enter/exit pairing). */
export const PAIRED_ENTER = new Uint8Array(EVENT_COUNT + 1);

/** Per event type id: the type's parameters include an `fd` (its `EF_USES_FD`). */
export const USES_FD = new Uint8Array(EVENT_COUNT + 1);

const EF_USES_FD = 4;
const META_CONSUMED = new Set(['container', 'useradded', 'userdeleted', 'groupadded', 'groupdeleted']);

for (let type = 0; type < EVENT_COUNT; type++) {
  const info = EVENT_TABLE[type];
  if (!info || info.name === 'NA') continue;
  const enter = (type & 1) === 0;
  if (enter) {
    PARSERS[type] = ENTER_PARSERS[info.name];
    const exit = EVENT_TABLE[type + 1];
    const hasExit = exit !== undefined && exit.name === info.name;
    if (hasExit) PAIRED_ENTER[type] = 1;
    const internal = (info.category & EC.INTERNAL) !== 0 || (info.category & EC.ITER) !== 0;
    VISIBLE[type] = hasExit || internal || META_CONSUMED.has(info.name) ? 0 : 1;
  } else {
    PARSERS[type] = EXIT_PARSERS[info.name];
    const internal = (info.category & EC.INTERNAL) !== 0 || (info.category & EC.ITER) !== 0;
    VISIBLE[type] = internal ? 0 : 1;
    if (!PARSERS[type] && (info.flags & EF_USES_FD) !== 0 && info.params.some((p) => p.name === 'fd'))
      PARSERS[type] = parseUsesFd;
  }
  if ((info.flags & EF_USES_FD) !== 0) USES_FD[type] = 1;
}
