/** The reusable per-event object handed to filters and rules. */
import { PT, ScapEvent, type ScapParamValue } from '@sysray/pcapng/scap';
import type { FdInfo } from './state/fd.js';
import type { ThreadInfo } from './state/thread.js';
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
  /** Timestamp (ns since the epoch). */
  ts = 0n;
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
  /** Decoded parameters of the current event (and its enter event), valid while their stamp is current. */
  private readonly exitVals: (ScapParamValue | undefined)[] = new Array(33).fill(undefined);
  private readonly exitStamp = new Int32Array(33).fill(-1);
  private readonly enterVals: (ScapParamValue | undefined)[] = new Array(33).fill(undefined);
  private readonly enterStamp = new Int32Array(33).fill(-1);

  constructor(tables: InspectorTables) {
    this.tables = tables;
  }

  /** Index of parameter `name` in the exit (current) event, -1 when absent. */
  paramIndex(name: string): number {
    const i = this.ev.paramIndex(name);
    return i < this.ev.nparams ? i : -1;
  }

  /**
   * Parameter `name` of the event, or of its enter event when the exit event does not carry it (older
   * captures keep some parameters on the enter side). `undefined` when neither has it or it cannot be
   * decoded.
   */
  param(name: string): ScapParamValue | undefined {
    const ev = this.ev;
    const i = ev.paramIndex(name);
    if (i >= 0 && i < ev.nparams) {
      if (this.exitStamp[i] === this.cacheStamp) return this.exitVals[i];
      const v = this.decode(ev, i);
      this.exitVals[i] = v;
      this.exitStamp[i] = this.cacheStamp;
      return v;
    }
    if (!this.hasEnter) return undefined;
    const e = this.enter;
    const j = e.paramIndex(name);
    if (j < 0 || j >= e.nparams) return undefined;
    if (this.enterStamp[j] === this.cacheStamp) return this.enterVals[j];
    const v = this.decode(e, j);
    this.enterVals[j] = v;
    this.enterStamp[j] = this.cacheStamp;
    return v;
  }

  private decode(ev: ScapEvent, i: number): ScapParamValue | undefined {
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
  int(name: string): number | undefined {
    let ev = this.ev;
    let i = ev.paramIndex(name);
    if (i < 0 || i >= ev.nparams) {
      if (!this.hasEnter) return undefined;
      ev = this.enter;
      i = ev.paramIndex(name);
      if (i < 0 || i >= ev.nparams) return undefined;
    }
    const type = ev.paramInfo(i)?.type ?? 0;
    const kind = SIGNED[type] ?? -1;
    if (kind < 0) return this.num64(name);
    const signed = kind === 1;
    let raw: Uint8Array;
    try {
      raw = ev.rawParam(i);
    } catch (error) {
      if (this.strict) throw error;
      return undefined;
    }
    const view = ev.batch.view;
    const off = raw.byteOffset - ev.batch.bytes.byteOffset;
    const le = ev.littleEndian;
    switch (raw.length) {
      case 1:
        return signed ? view.getInt8(off) : view.getUint8(off);
      case 2:
        return signed ? view.getInt16(off, le) : view.getUint16(off, le);
      case 4:
        return signed ? view.getInt32(off, le) : view.getUint32(off, le);
      case 8: {
        const lo = view.getUint32(le ? off : off + 4, le);
        const hi = signed ? view.getInt32(le ? off + 4 : off, le) : view.getUint32(le ? off + 4 : off, le);
        return hi * 4294967296 + lo;
      }
      default:
        if (this.strict && raw.length !== 0)
          throw new Error(`parameter '${name}' has ${raw.length} bytes, not an integer's`);
        return undefined;
    }
  }

  /** A numeric parameter as a number (bigints converted, flags as their value); `undefined` otherwise. */
  num64(name: string): number | undefined {
    const v = this.param(name);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (v !== null && typeof v === 'object' && 'value' in v && typeof v.value === 'number') return v.value;
    return undefined;
  }

  /** A string parameter; `undefined` when absent or not a string. */
  str(name: string): string | undefined {
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
    const info = ev.paramInfo(0);
    if (!info) return undefined;
    const n = info.name;
    if (n !== 'res' && n !== 'fd') return undefined;
    try {
      const v = ev.param(0);
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
    } catch {
      return undefined;
    }
  }
}
