/** `evt.*` fields: the event itself. */
import { formatIsoNanos } from '@sysray/falco-rules';
import { EC, EF, EVENT_TABLE } from '@sysray/pcapng/scap';
import type { EventContext } from '../context.js';
import { P } from '../params.js';
import { atDirectory } from '../parsers/fd.js';
import { resolvePath } from '../paths.js';
import { genericName, isGeneric } from '../syscalls.js';
import { argText, clockTime, dateTime, errnoText, findParam } from './format.js';
import { argField, type FieldSpec, field } from './spec.js';

const OPEN_NAMES = new Set(['open', 'openat', 'openat2', 'open_by_handle_at', 'creat']);
/** Per event type id: 1 for exit events of the open family, 2 for `creat` exits. */
const IS_OPEN = new Uint8Array(EVENT_TABLE.length);
for (const e of EVENT_TABLE)
  if (OPEN_NAMES.has(e.name) && e.direction === '<') IS_OPEN[e.type] = e.name === 'creat' ? 2 : 1;

const PPM_O_RDONLY = 1;
const PPM_O_WRONLY = 2;
const PPM_O_CREAT = 4;
const PPM_O_F_CREATED = 16384;

function openFlags(c: EventContext): number | undefined {
  const open = IS_OPEN[c.type];
  if (open === undefined || open === 0) return undefined;
  if (open === 2 || c.ev.name === 'creat') return PPM_O_WRONLY | PPM_O_CREAT;
  return c.int(P.flags) ?? 0;
}

const CATEGORY: Record<number, string> = {
  [EC.UNKNOWN]: 'unknown',
  [EC.OTHER]: 'other',
  [EC.FILE]: 'file',
  [EC.NET]: 'net',
  [EC.IPC]: 'IPC',
  [EC.MEMORY]: 'memory',
  [EC.PROCESS]: 'process',
  [EC.SLEEP]: 'sleep',
  [EC.SYSTEM]: 'system',
  [EC.SIGNAL]: 'signal',
  [EC.USER]: 'user',
  [EC.TIME]: 'time',
  [EC.PROCESSING]: 'processing',
  [EC.WAIT]: 'wait',
  [EC.SCHEDULER]: 'scheduler',
};

/** The event's name; for generic syscall events, the syscall's (`msync`), as libsinsp names them. */
function typeName(c: EventContext): string {
  return (isGeneric(c.type) && genericName(c.ev)) || c.ev.name;
}

/** The event's arguments as text; generic events show their syscall id with its name: `ID=26(msync) nativeID=26`. */
function argsText(c: EventContext): string {
  if (!isGeneric(c.type)) return c.ev.argsText();
  const name = genericName(c.ev);
  const id = c.ev.param(0);
  const native = c.ev.param(1);
  return `ID=${id ?? ''}${name ? `(${name})` : ''} nativeID=${native ?? ''}`;
}

function category(c: EventContext): string {
  const info = EVENT_TABLE[c.type];
  if (!info) return 'unknown';
  const low = info.category & 0xff;
  if (low === EC.IO_READ || low === EC.IO_WRITE || low === EC.IO_OTHER) {
    const f = c.fd;
    if (!f) return 'file';
    if (f.isIp) return 'net';
    if (f.kind === 'unix' || f.kind === 'pipe') return 'IPC';
    return 'file';
  }
  return CATEGORY[low] ?? 'unknown';
}

function ioDir(c: EventContext): string | undefined {
  const low = (EVENT_TABLE[c.type]?.category ?? 0) & 0xff;
  return low === EC.IO_READ ? 'read' : low === EC.IO_WRITE ? 'write' : undefined;
}

function latency(c: EventContext): bigint {
  return c.hasEnter ? c.ts - c.enter.ts : 0n;
}

function argExtractor(arg: string | undefined, raw: boolean) {
  if (arg === undefined) return () => undefined;
  const index = /^\d+$/.test(arg) ? Number(arg) : -1;
  return (c: EventContext) => {
    let p: { ev: EventContext['ev']; i: number } | undefined;
    if (index >= 0) p = index < c.ev.nparams ? { ev: c.ev, i: index } : undefined;
    else p = findParam(c, arg);
    if (!p) return undefined;
    if (!raw) return argText(c, p.ev, p.i);
    try {
      const v = p.ev.param(p.i);
      if (v === null || v === undefined) return undefined;
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
      if (typeof v === 'object' && 'value' in v && typeof v.value === 'number') return v.value;
      return argText(c, p.ev, p.i);
    } catch {
      return undefined;
    }
  };
}

/** Absolute path of a path parameter (`evt.abspath[name]`), resolved against dirfd/cwd. */
function absPath(c: EventContext, which: string | undefined): string | undefined {
  const names = which ? [which] : ['name', 'path', 'pathname', 'filename', 'oldpath', 'newpath', 'linkpath'];
  for (const n of names) {
    const p = findParam(c, n);
    if (!p) continue;
    const info = p.ev.paramInfo(p.i);
    const v = c.str(n);
    if (v === undefined) continue;
    let dir = c.thread?.cwd ?? '/';
    if (info?.dirfdParam !== undefined) {
      try {
        const d = p.ev.param(info.dirfdParam);
        dir = atDirectory(c.thread, typeof d === 'number' ? d : undefined);
      } catch {
        /* keep the cwd */
      }
    }
    return resolvePath(dir, v);
  }
  return undefined;
}

/** The `evt.*` field class. */
export function evtFields(): FieldSpec[] {
  return [
    field('evt.num', 'UINT64', 'event number', (c) => c.num),
    field('evt.time', 'CHARBUF', 'event time (HH:MM:SS.ns, UTC)', (c) => clockTime(c.ts)),
    field('evt.time.s', 'CHARBUF', 'event time (HH:MM:SS)', (c) => clockTime(c.ts).slice(0, 8)),
    field('evt.time.iso8601', 'CHARBUF', 'event time, ISO 8601', (c) => formatIsoNanos(c.ts)),
    field('evt.datetime', 'CHARBUF', 'event date and time', (c) => dateTime(c.ts)),
    field('evt.datetime.s', 'CHARBUF', 'event date and time (seconds)', (c) => dateTime(c.ts).slice(0, 19)),
    field('evt.rawtime', 'ABSTIME', 'event timestamp (ns since the epoch)', (c) => c.ts),
    field('evt.rawtime.s', 'ABSTIME', 'event timestamp (s)', (c) => c.ts / 1_000_000_000n),
    field('evt.rawtime.ns', 'ABSTIME', 'event timestamp, ns part', (c) => c.ts % 1_000_000_000n),
    field('evt.reltime', 'RELTIME', 'time since the first event (ns)', (c) => c.ts - c.firstTs),
    field(
      'evt.reltime.s',
      'RELTIME',
      'time since the first event (s)',
      (c) => (c.ts - c.firstTs) / 1_000_000_000n,
    ),
    field('evt.reltime.ns', 'RELTIME', 'ns part of evt.reltime', (c) => (c.ts - c.firstTs) % 1_000_000_000n),
    field('evt.deltatime', 'RELTIME', 'time since the previous event (ns)', (c) =>
      c.prevTs === 0n ? 0n : c.ts - c.prevTs,
    ),
    field('evt.deltatime.s', 'RELTIME', 'evt.deltatime (s)', (c) =>
      c.prevTs === 0n ? 0n : (c.ts - c.prevTs) / 1_000_000_000n,
    ),
    field('evt.deltatime.ns', 'RELTIME', 'ns part of evt.deltatime', (c) =>
      c.prevTs === 0n ? 0n : (c.ts - c.prevTs) % 1_000_000_000n,
    ),
    field('evt.outputtime', 'CHARBUF', 'event time as outputs print it', (c) => clockTime(c.ts), {
      printOnly: true,
    }),
    field('evt.latency', 'RELTIME', 'time between the enter and exit events (ns)', latency, {
      deprecated: true,
    }),
    field('evt.latency.s', 'RELTIME', 'evt.latency (s)', (c) => latency(c) / 1_000_000_000n, {
      deprecated: true,
    }),
    field('evt.latency.ns', 'RELTIME', 'ns part of evt.latency', (c) => latency(c) % 1_000_000_000n, {
      deprecated: true,
    }),
    field(
      'evt.latency.human',
      'CHARBUF',
      'evt.latency, human readable',
      (c) => `${Number(latency(c)) / 1e9}s`,
      {
        deprecated: true,
      },
    ),
    field('evt.wait_latency', 'RELTIME', 'time waited in the kernel (ns)', latency, { deprecated: true }),
    field('evt.dir', 'CHARBUF', "event direction: '>' enter, '<' exit", (c) => c.ev.direction, {
      deprecated: true,
    }),
    field('evt.type', 'CHARBUF', 'event name (open, execve, …; a generic event’s syscall name)', typeName),
    argField(
      'evt.type.is',
      'UINT32',
      '1 if the event type is the argument',
      'required',
      (arg) => (c) => (typeName(c) === arg ? 1 : 0),
    ),
    field('syscall.type', 'CHARBUF', 'system call name', (c) =>
      (EVENT_TABLE[c.type]?.category ?? 0) & EC.SYSCALL ? typeName(c) : undefined,
    ),
    field('evt.category', 'CHARBUF', 'event category', category),
    field('evt.cpu', 'INT16', 'CPU the event happened on', (c) => c.ev.cpu),
    field('evt.args', 'CHARBUF', 'all event arguments, as text', argsText),
    field('evt.info', 'CHARBUF', 'event arguments (as evt.args)', argsText),
    argField('evt.arg', 'CHARBUF', 'an argument by name or index, as text', 'required', (a) =>
      argExtractor(a, false),
    ),
    argField(
      'evt.rawarg',
      'DYN',
      'an argument by name, as its raw value',
      'required',
      (a) => argExtractor(a, true),
      {
        noRhs: true,
        noTransformer: true,
      },
    ),
    field('evt.res', 'CHARBUF', 'result: SUCCESS or the error name', (c) => {
      const r = c.res();
      if (r === undefined) return undefined;
      return r >= 0 ? 'SUCCESS' : errnoText(r);
    }),
    field('evt.rawres', 'INT64', 'result as a number', (c) => c.res()),
    field('evt.failed', 'BOOL', 'the event returned an error', (c) => {
      const r = c.res();
      return r !== undefined && r < 0;
    }),
    field('evt.is_io', 'BOOL', 'the event reads or writes data', (c) => ioDir(c) !== undefined),
    field('evt.is_io_read', 'BOOL', 'the event reads data', (c) => ioDir(c) === 'read'),
    field('evt.is_io_write', 'BOOL', 'the event writes data', (c) => ioDir(c) === 'write'),
    field('evt.io_dir', 'CHARBUF', "'read' or 'write' for I/O events", ioDir),
    field(
      'evt.is_wait',
      'BOOL',
      'the event waits',
      (c) => ((EVENT_TABLE[c.type]?.flags ?? 0) & EF.WAITS) !== 0,
    ),
    field('evt.is_syslog', 'BOOL', 'the event writes to /dev/log', (c) => c.fd?.name === '/dev/log'),
    field('evt.is_open_read', 'BOOL', 'an open that can read', (c) => {
      const f = openFlags(c);
      return f !== undefined && (f & PPM_O_RDONLY) !== 0;
    }),
    field('evt.is_open_write', 'BOOL', 'an open that can write', (c) => {
      const f = openFlags(c);
      return f !== undefined && (f & PPM_O_WRONLY) !== 0;
    }),
    field('evt.is_open_create', 'BOOL', 'an open that created the file', (c) => {
      const f = openFlags(c);
      return f !== undefined && ((f & PPM_O_F_CREATED) !== 0 || (f & PPM_O_CREAT) !== 0);
    }),
    field('evt.is_open_exec', 'BOOL', 'an open that creates an executable file', (c) => {
      const f = openFlags(c);
      if (f === undefined || (f & PPM_O_CREAT) === 0) return false;
      const mode = c.int(P.mode) ?? 0;
      return (mode & 0o111) !== 0;
    }),
    field('evt.buffer', 'BYTEBUF', 'the data buffer of I/O events', (c) => {
      const v = c.param(P.data);
      return v instanceof Uint8Array ? v : undefined;
    }),
    field('evt.buflen', 'UINT64', 'bytes read or written', (c) => {
      if (ioDir(c) === undefined) return undefined;
      const r = c.res();
      return r !== undefined && r >= 0 ? r : undefined;
    }),
    field('evt.count', 'UINT32', '1 for every event', () => 1),
    field('evt.count.error', 'UINT32', '1 for failed events', (c) => ((c.res() ?? 0) < 0 ? 1 : 0)),
    field('evt.count.exit', 'UINT32', '1 for exit events', (c) => c.type & 1),
    field('evt.hostname', 'CHARBUF', 'host name of the capture', (c) => c.tables.hostname || undefined),
    field('evt.source', 'CHARBUF', 'event source', () => 'syscall'),
    field('evt.is_async', 'BOOL', 'the event is asynchronous', (c) => c.ev.name === 'asyncevent'),
    field('evt.asynctype', 'CHARBUF', 'name of an asynchronous event', (c) =>
      c.ev.name === 'asyncevent' ? c.str(P.name) : undefined,
    ),
    field('evt.pluginname', 'CHARBUF', 'plugin that produced the event', () => undefined),
    field('evt.plugininfo', 'CHARBUF', 'plugin event info', () => undefined),
    argField(
      'evt.abspath',
      'CHARBUF',
      'absolute path of a path argument',
      'required',
      (a) => (c) => absPath(c, a === 'src' ? 'oldpath' : a === 'dst' ? 'newpath' : a),
    ),
  ];
}
