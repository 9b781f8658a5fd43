/** The reusable per-event object handed to filters and rules. */
import { EVENT_COUNT, EVENT_TABLE, PT, ScapEvent, type ScapParamValue } from '@sysray/pcapng/scap';
import type { CpuUsage } from './state/cpu-time.js';
import type { FdInfo } from './state/fd.js';
import type { ThreadInfo } from './state/thread.js';
import { AsciiStringCache } from './strings.js';
import type { InspectorTables } from './tables.js';

/** Integer parameter types read by {@link EventContext.int}, by type id: 1 signed, 0 unsigned, -1 not an integer. */
const SIGNED = new Int8Array(64).fill(-1);
for (const t of [PT.INT8, PT.INT16, PT.INT32, PT.INT64, PT.ERRNO, PT.FD, PT.PID]) SIGNED[t] = 1;
for (const t of [
  PT.UINT8,
  PT.UINT16,
  PT.UINT32,
  PT.UINT64,
  PT.UID,
  PT.GID,
  PT.FLAGS8,
  PT.FLAGS16,
  PT.FLAGS32,
  PT.ENUMFLAGS8,
  PT.ENUMFLAGS16,
  PT.ENUMFLAGS32,
  PT.MODE,
  PT.PORT,
  PT.SIGTYPE,
  PT.L4PROTO,
  PT.SOCKFAMILY,
])
  SIGNED[t] = 0;

/**
 * Integer parameter types that `ScapEvent.param()` decodes to a plain number (or, for 64-bit values beyond
 * 2^53, a bigint) by a fixed width, by type id: the width in bytes (0 for other types).
 */
const FIXED_SIZE = new Uint8Array(64);
/** For {@link FIXED_SIZE} types: 1 when decoded as signed. */
const FIXED_SIGNED = new Uint8Array(64);
for (const [t, size, signed] of [
  [PT.INT8, 1, 1],
  [PT.UINT8, 1, 0],
  [PT.SIGTYPE, 1, 0],
  [PT.L4PROTO, 1, 0],
  [PT.SOCKFAMILY, 1, 0],
  [PT.INT16, 2, 1],
  [PT.UINT16, 2, 0],
  [PT.SYSCALLID, 2, 0],
  [PT.PORT, 2, 0],
  [PT.INT32, 4, 1],
  [PT.UINT32, 4, 0],
  [PT.UID, 4, 0],
  [PT.GID, 4, 0],
  [PT.SIGSET, 4, 0],
  [PT.INT64, 8, 1],
  [PT.ERRNO, 8, 1],
  [PT.FD, 8, 1],
  [PT.PID, 8, 1],
  [PT.UINT64, 8, 0],
  [PT.RELTIME, 8, 0],
  [PT.ABSTIME, 8, 0],
] as const) {
  FIXED_SIZE[t] = size;
  FIXED_SIGNED[t] = signed;
}

/**
 * `ev.param(i)` for integer parameters of a fixed width, read without decoding: the same value, `null` for an
 * empty parameter; `undefined` when the fast path does not apply (other types, bad lengths, overruns: the
 * caller decodes, and gets `param()`'s value or error).
 */
function fastInt(ev: ScapEvent, i: number, ptype: number): number | bigint | null | undefined {
  const size = FIXED_SIZE[ptype]!;
  if (size === 0) return undefined;
  const len = ev.paramSize(i);
  if (len === 0) return null;
  if (len !== size) return undefined;
  if (size === 8) return FIXED_SIGNED[ptype] === 1 ? ev.paramI64(i) : ev.paramU64(i);
  return ev.paramInteger(i, FIXED_SIGNED[ptype] === 1);
}

/**
 * A parameter name resolved once to its index in every event type (and how {@link EventContext.int} reads
 * it), for hot paths: `const FLAGS = paramName('flags'); … ctx.int(FLAGS)` skips the per-call name lookup.
 * Every `EventContext` accessor that takes a parameter name also takes a `ParamName`.
 */
export class ParamName {
  /** The parameter name. */
  readonly name: string;
  /** Index of the parameter in each event type id, `-1` where the type has no such parameter. */
  readonly index: Int8Array;
  /**
   * Per event type id: how {@link EventContext.int} reads the parameter (1 signed, 0 unsigned integer,
   * -1 decoded, -2 absent).
   */
  readonly intKind: Int8Array;

  constructor(name: string) {
    this.name = name;
    this.index = new Int8Array(EVENT_COUNT).fill(-1);
    this.intKind = new Int8Array(EVENT_COUNT).fill(-2);
    for (let t = 0; t < EVENT_COUNT; t++) {
      const params = EVENT_TABLE[t]?.params;
      if (!params) continue;
      for (let i = 0; i < params.length; i++) {
        if (params[i]!.name !== name) continue;
        this.index[t] = i;
        this.intKind[t] = SIGNED[params[i]!.type] ?? -1;
        break;
      }
    }
  }

  /** Index of the parameter in event type `type`, -1 when absent. */
  at(type: number): number {
    return type < EVENT_COUNT ? this.index[type]! : -1;
  }
}

const PARAM_NAMES = new Map<string, ParamName>();

/** The (shared) {@link ParamName} of `name`. */
export function paramName(name: string): ParamName {
  let p = PARAM_NAMES.get(name);
  if (!p) {
    p = new ParamName(name);
    PARAM_NAMES.set(name, p);
  }
  return p;
}

/** String parameter types (`ScapEvent.param()` decodes them up to the first NUL), by type id. */
const CSTRING = new Uint8Array(64);
CSTRING[PT.CHARBUF] = 1;
CSTRING[PT.FSPATH] = 1;
CSTRING[PT.FSRELPATH] = 1;

const UTF8 = new TextDecoder();

/** Per event type id: 1 when parameter 0 is the syscall result (`res` or `fd`). */
const RESULT_PARAM = new Uint8Array(EVENT_COUNT);
for (let t = 0; t < EVENT_COUNT; t++) {
  const n = EVENT_TABLE[t]?.params[0]?.name;
  if (n === 'res' || n === 'fd') RESULT_PARAM[t] = 1;
}

/**
 * The event being inspected, with the state it refers to: the thread that produced it, the fd it uses
 * and the paired enter event. One object is reused for every event (extractors read lazily from it): copy
 * what you need before the next event is processed.
 */
export class EventContext {
  /** The current event (a cursor into its batch). */
  readonly ev = new ScapEvent();
  /** The paired enter event; valid when {@link hasEnter}. */
  readonly enter = new ScapEvent();
  /** Whether {@link enter} holds the enter event of this exit event. */
  hasEnter = false;
  /** Event type id. */
  type = 0;
  /** 1-based event number in the capture. */
  num = 0;
  /** Timestamp (ns since the epoch), read from the event when first asked for. */
  get ts(): bigint {
    if (this.tsStamp !== this.cacheStamp) {
      this.tsValue = this.ev.ts;
      this.tsStamp = this.cacheStamp;
    }
    return this.tsValue;
  }
  private tsValue = 0n;
  private tsStamp = -1;
  /** Thread id of the event. */
  tid = -1;
  /** The thread, after the event was parsed (for execve: the new program). */
  thread: ThreadInfo | undefined = undefined;
  /** The fd the event used or created (for close: the fd that was closed). */
  fd: FdInfo | undefined = undefined;
  /** Number of that fd, `-1` when the event uses none. */
  fdNum = -1;
  /** Thread, fd, user and container tables. */
  readonly tables: InspectorTables;
  /** Per-event cache slots for derived values (cleared on every event). */
  cacheStamp = 0;
  /** Timestamp of the first event (for `evt.reltime`). */
  firstTs = 0n;
  /** Timestamp of the previous visible event (for `evt.deltatime`). */
  prevTs = 0n;
  /** When set, parameters that cannot be decoded throw instead of reading as missing. */
  strict = false;
  /** Event number {@link cpuUsage} and {@link exectime} belong to (they are set by procinfo/switch events). */
  cpuNum = 0;
  /** CPU usage a `procinfo` event gave (`thread.cpu*`), valid when `cpuNum === num`. */
  cpuUsage: CpuUsage | undefined = undefined;
  /** CPU time of the thread a `switch` event switched out (`thread.exectime`), valid when `cpuNum === num`. */
  exectime: bigint | undefined = undefined;
  /** Decoded parameters of the current event (and its enter event), valid while their stamp is current. */
  private readonly exitVals: (ScapParamValue | undefined)[] = new Array(33).fill(undefined);
  private readonly exitStamp = new Int32Array(33).fill(-1);
  private readonly enterVals: (ScapParamValue | undefined)[] = new Array(33).fill(undefined);
  private readonly enterStamp = new Int32Array(33).fill(-1);
  /** Decoded strings of recent events, by their bytes (paths and names repeat). */
  private readonly strings = new AsciiStringCache(4096, 256);
  /** Decoded NUL-separated lists (args, env, cgroups) of recent events, by their bytes. */
  private readonly lists = new AsciiStringCache(512, 16384);
  /**
   * The split form of recently seen list texts (cached texts are the same string objects, so lookups are by
   * the cache's strings). The arrays are shared by every thread that carries the same list: never mutated.
   */
  private readonly splitLists = new Map<string, string[]>();

  constructor(tables: InspectorTables) {
    this.tables = tables;
  }

  /** Moves {@link cacheStamp} on to a new event, so that nothing cached for the previous one is used. */
  nextEvent(): void {
    const stamp = (this.cacheStamp + 1) & 0x3fffffff;
    if (stamp === 0) {
      // Wrapped: a stamp left from 2^30 events ago must not pass for the new one.
      this.exitStamp.fill(-1);
      this.enterStamp.fill(-1);
      this.tsStamp = -1;
    }
    this.cacheStamp = stamp;
  }

  /** Index of parameter `name` in the exit (current) event, -1 when absent. */
  paramIndex(name: string | ParamName): number {
    const ev = this.ev;
    const i = typeof name === 'string' ? ev.paramIndex(name) : name.at(ev.type);
    return i < ev.nparams ? i : -1;
  }

  /**
   * Parameter `name` of the event, or of its enter event when the exit event does not carry it (older
   * captures keep some parameters on the enter side). `undefined` when neither has it or it cannot be
   * decoded.
   */
  param(name: string | ParamName): ScapParamValue | undefined {
    const ev = this.ev;
    const i = typeof name === 'string' ? ev.paramIndex(name) : name.at(ev.type);
    if (i >= 0 && i < ev.nparams) {
      if (this.exitStamp[i] === this.cacheStamp) return this.exitVals[i];
      const v = this.decode(ev, i);
      this.exitVals[i] = v;
      this.exitStamp[i] = this.cacheStamp;
      return v;
    }
    if (!this.hasEnter) return undefined;
    const e = this.enter;
    const j = typeof name === 'string' ? e.paramIndex(name) : name.at(e.type);
    if (j < 0 || j >= e.nparams) return undefined;
    if (this.enterStamp[j] === this.cacheStamp) return this.enterVals[j];
    const v = this.decode(e, j);
    this.enterVals[j] = v;
    this.enterStamp[j] = this.cacheStamp;
    return v;
  }

  private decode(ev: ScapEvent, i: number): ScapParamValue | undefined {
    const info = ev.paramInfo(i);
    if (info !== undefined) {
      const t = info.type;
      if (CSTRING[t] === 1) {
        const len = ev.paramSize(i);
        if (len >= 0) {
          const str = this.strings.get(ev.batch.bytes, ev.paramOffset(i), len, true);
          if (str !== undefined) return str;
        }
      } else {
        const v = fastInt(ev, i, t);
        if (v !== undefined) return v;
      }
    }
    try {
      return ev.param(i);
    } catch (error) {
      if (this.strict) throw error;
      return undefined;
    }
  }

  /**
   * An integer, flag or mode parameter read straight from its bytes (no decoding, no flag names): 8-64 bit,
   * signed for `INT*`/`FD`/`PID`/`ERRNO` types. `undefined` when absent, empty or not an integer type.
   */
  int(name: string | ParamName): number | undefined {
    let ev = this.ev;
    let i: number;
    let kind: number;
    if (typeof name === 'string') {
      i = ev.paramIndex(name);
      if (i < 0 || i >= ev.nparams) {
        if (!this.hasEnter) return undefined;
        ev = this.enter;
        i = ev.paramIndex(name);
        if (i < 0 || i >= ev.nparams) return undefined;
      }
      kind = SIGNED[ev.paramInfo(i)?.type ?? 0] ?? -1;
    } else {
      let type = ev.type;
      i = name.at(type);
      if (i < 0 || i >= ev.nparams) {
        if (!this.hasEnter) return undefined;
        ev = this.enter;
        type = ev.type;
        i = name.at(type);
        if (i < 0 || i >= ev.nparams) return undefined;
      }
      kind = name.intKind[type]!;
    }
    if (kind < 0) return this.num64(name);
    const v = ev.paramInteger(i, kind === 1);
    if (v === undefined && this.strict) {
      const raw = ev.rawParam(i); // throws for a parameter running past the event
      if (raw.length !== 0)
        throw new Error(
          `parameter '${typeof name === 'string' ? name : name.name}' has ${raw.length} bytes, not an integer's`,
        );
    }
    return v;
  }

  /** A numeric parameter as a number (bigints converted, flags as their value); `undefined` otherwise. */
  num64(name: string | ParamName): number | undefined {
    const v = this.param(name);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (v !== null && typeof v === 'object' && 'value' in v && typeof v.value === 'number') return v.value;
    return undefined;
  }

  /**
   * A NUL-separated list parameter (`args`, `env`, `cgroups`: byte buffers or string arrays) as its strings,
   * without the empty entry after the last NUL; a string parameter as a one-entry list. `undefined` when
   * absent or of another type.
   */
  strList(name: string | ParamName): string[] | undefined {
    let ev = this.ev;
    let i = typeof name === 'string' ? ev.paramIndex(name) : name.at(ev.type);
    if (i < 0 || i >= ev.nparams) {
      if (!this.hasEnter) return undefined;
      ev = this.enter;
      i = typeof name === 'string' ? ev.paramIndex(name) : name.at(ev.type);
      if (i < 0 || i >= ev.nparams) return undefined;
    }
    if (ev.paramInfo(i)?.type === PT.BYTEBUF) {
      const len = ev.paramSize(i);
      if (len === 0) return [];
      if (len > 0) {
        const bytes = ev.batch.bytes;
        const off = ev.paramOffset(i);
        const cached = this.lists.get(bytes, off, len, false);
        if (cached !== undefined) {
          const known = this.splitLists.get(cached);
          if (known !== undefined) return known;
        }
        const text = cached ?? UTF8.decode(bytes.subarray(off, off + len));
        const parts = text.split('\0');
        if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
        if (cached !== undefined) {
          if (this.splitLists.size >= 1024) this.splitLists.clear();
          this.splitLists.set(cached, parts);
        }
        return parts;
      }
    }
    return splitList(this.param(name));
  }

  /** A string parameter; `undefined` when absent or not a string. */
  str(name: string | ParamName): string | undefined {
    const v = this.param(name);
    return typeof v === 'string' ? v : undefined;
  }

  /**
   * The syscall result: `res` (or the `fd` result of fd-creating calls), from the exit event; `undefined`
   * for enter events and events without a result.
   */
  res(): number | undefined {
    if ((this.type & 1) === 0) return undefined;
    const ev = this.ev;
    if (ev.nparams === 0) return undefined;
    const t = ev.type;
    if (t >= EVENT_COUNT || RESULT_PARAM[t] !== 1) return undefined;
    const info = ev.paramInfo(0)!;
    const f = fastInt(ev, 0, info.type);
    if (f !== undefined) return f === null ? undefined : typeof f === 'number' ? f : Number(f);
    try {
      const v = ev.param(0);
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** `splitNul` of the parsers: a decoded list parameter as strings. */
function splitList(v: ScapParamValue | undefined): string[] | undefined {
  if (Array.isArray(v)) return v as string[];
  if (!(v instanceof Uint8Array)) return typeof v === 'string' ? [v] : undefined;
  if (v.length === 0) return [];
  const parts = UTF8.decode(v).split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
