import { PcapngError } from '../errors.js';
import { EVENT_PROBLEM_TEXT, type EventBatch, EventProblem, registerCursor } from './batch.js';
import {
  EVENT_COUNT,
  EVENT_LARGE,
  EVENT_NAMES,
  EVENT_TABLE,
  paramIndexOf,
  type ScapEventInfo,
  type ScapParamInfo,
} from './event-table.js';
import { paramJson, paramText } from './format-value.js';
import { decodeParamValue, type ScapParamValue } from './params.js';

const TWO32 = 4294967296;

/** The JSON form of an event (the `sysray events --json` line): names and fields are a stable contract. */
export interface ScapEventJson {
  /** 1-based event number in the capture. */
  num: number;
  /** Timestamp, nanoseconds since the epoch, as a decimal string. */
  ts: string;
  cpu: number;
  tid: number;
  /** Event name, e.g. `"openat"`. */
  type: string;
  /** `">"` enter, `"<"` exit. */
  dir: '>' | '<';
  /** Decoded parameters by name; byte buffers as lowercase hex, 64-bit values beyond 2^53 as strings. */
  params: Record<string, unknown>;
  /** Present only for flagged events: what is wrong with them. */
  problem?: string;
}

/**
 * A zero-copy view of one event of an {@link EventBatch}. One cursor is meant to be reused: `load()` points it
 * at another event without allocating. Header fields are read on access; parameters are decoded on demand.
 *
 * - `ts` is a `bigint` (ns since the epoch: beyond 2^53); `tid` is a `number` (Linux ids fit in 2^53;
 *   `-1` means "no thread", e.g. plugin events).
 * - `param(i)` / `param(name)` decode one parameter (see {@link ScapParamValue}); `rawParam(i)` is a view of
 *   its bytes.
 *
 * @example
 * ```ts
 * const ev = new ScapEvent();
 * for (let i = 0; i < batch.count; i++) {
 *   ev.load(batch, i);
 *   if (ev.name === 'openat' && ev.direction === '<') console.log(ev.param('name'));
 * }
 * ```
 */
export class ScapEvent {
  /** The batch the cursor points into. */
  batch!: EventBatch;
  /** Index of the event in its batch. */
  index = -1;
  private o = 0;
  private le = true;
  private view!: DataView;
  private cachedFor = -1;
  private cachedBatch: EventBatch | undefined;
  private readonly pOff = new Int32Array(33);
  /** How many leading parameters lie wholly within the event (valid with the cached offsets). */
  private readable = 0;
  /** The event's type id, read once by `load()` (the batch's buffer is never rewritten). */
  private t = 0;

  /** Points the cursor at event `index` of `batch` and returns it. */
  load(batch: EventBatch, index: number): this {
    this.batch = batch;
    this.index = index;
    const o = batch.offsets[index]!;
    const le = batch.endian[index] === 1;
    this.o = o;
    this.le = le;
    this.view = batch.view;
    this.t = batch.view.getUint16(o + 20, le);
    return this;
  }

  /** Timestamp in nanoseconds since the epoch. */
  get ts(): bigint {
    return this.view.getBigUint64(this.o, this.le);
  }

  /** Thread id (`-1` when the event belongs to no thread). */
  get tid(): number {
    const v = this.view;
    const o = this.o;
    const lo = v.getUint32(this.le ? o + 8 : o + 12, this.le);
    const hi = v.getInt32(this.le ? o + 12 : o + 8, this.le);
    return hi === 0 ? lo : hi * TWO32 + lo;
  }

  /** Event length as written in its header (header, length array and data). */
  get len(): number {
    return this.view.getUint32(this.o + 16, this.le);
  }

  /** Event type id. */
  get type(): number {
    return this.t;
  }

  /** CPU the event was captured on. */
  get cpu(): number {
    return this.batch.cpus[this.index]!;
  }

  /** Dump flags of EVF blocks (0 for EV blocks). */
  get dumpFlags(): number {
    return this.batch.dumpFlags[this.index]!;
  }

  /** Number of parameters (from the header, or inferred for legacy headers). */
  get nparams(): number {
    return this.batch.nparams[this.index]!;
  }

  /** Event name (`"unknown"` for ids outside the table). */
  get name(): string {
    const t = this.type;
    return t < EVENT_COUNT ? EVENT_NAMES[t]! : 'unknown';
  }

  /** `'>'` enter or `'<'` exit. */
  get direction(): '>' | '<' {
    return (this.type & 1) === 0 ? '>' : '<';
  }

  /** The event type's table entry, or `undefined` for ids outside the table. */
  get info(): ScapEventInfo | undefined {
    return EVENT_TABLE[this.type];
  }

  /** 1-based number of the event in the capture. */
  get num(): number {
    return this.batch.firstNum + this.index;
  }

  /** Absolute offset of the event header in the (decompressed) input. */
  get fileOffset(): number {
    return this.batch.fileOffset + this.o;
  }

  /** Block type the event was read from. */
  get blockType(): number {
    return this.batch.blockTypes[this.index]!;
  }

  /** Header size: 26, or 22 for legacy events without `nparams`. */
  get headerLength(): number {
    return this.batch.headerLens[this.index]!;
  }

  /** Whether the event's section is little-endian. */
  get littleEndian(): boolean {
    return this.le;
  }

  /** Whether parameter lengths are 32-bit for this event. */
  get largePayload(): boolean {
    const t = this.type;
    return t < EVENT_COUNT && EVENT_LARGE[t] === 1;
  }

  /** Why the event was flagged while reading, or `null` for a sound event. */
  get problem(): string | null {
    const p = this.batch.problems[this.index]!;
    return p === EventProblem.NONE ? null : EVENT_PROBLEM_TEXT[p]!;
  }

  /** The problem of a flagged event as a `PcapngError` (code `SCAP_BAD_EVENT`, with offset), else `null`. */
  error(): PcapngError | null {
    const p = this.problem;
    return p === null
      ? null
      : new PcapngError('SCAP_BAD_EVENT', `event #${this.num} (type ${this.type}): ${p}`, {
          offset: this.fileOffset,
        });
  }

  /** The event's bytes, header to last parameter byte (a view). */
  get raw(): Uint8Array {
    return this.batch.bytes.subarray(this.o, this.o + this.batch.spans[this.index]!);
  }

  private computeOffsets(): void {
    if (this.cachedFor === this.index && this.cachedBatch === this.batch) return;
    const b = this.batch;
    const i = this.index;
    const p = b.problems[i]!;
    const n = b.nparams[i]!;
    const v = this.view;
    const le = this.le;
    const width = this.largePayload ? 4 : 2;
    const lens = this.o + b.headerLens[i]!;
    const end = this.o + b.spans[i]!;
    let at = lens + n * width;
    const offs = this.pOff;
    if (at <= end) {
      // The whole length array is inside the event (every well-formed event).
      if (width === 2)
        for (let k = 0; k < n; k++) {
          offs[k] = at;
          at += v.getUint16(lens + 2 * k, le);
        }
      else
        for (let k = 0; k < n; k++) {
          offs[k] = at;
          at += v.getUint32(lens + 4 * k, le);
        }
    } else {
      for (let k = 0; k < n; k++) {
        offs[k] = at;
        // A flagged event's length array may itself run past the event: lengths beyond it are unreadable.
        if (lens + (k + 1) * width > end) at = end + 1;
        else at += width === 2 ? v.getUint16(lens + 2 * k, le) : v.getUint32(lens + 4 * k, le);
      }
    }
    offs[n] = at;
    if (
      p === EventProblem.PARAMS_OVERRUN ||
      p === EventProblem.LEN_OVERRUN ||
      p === EventProblem.SHORT_EVENT
    ) {
      // Keep offsets but clamp, so valid leading parameters stay readable.
      for (let k = 0; k <= n; k++) if (offs[k]! > end) offs[k] = end + 1;
    }
    let readable = n;
    if (offs[n]! > end) {
      readable = 0;
      while (readable < n && offs[readable + 1]! <= end) readable++;
    }
    this.readable = readable;
    this.cachedFor = i;
    this.cachedBatch = b;
  }

  private check(i: number): void {
    const n = this.nparams;
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new PcapngError(
        'SCAP_BAD_EVENT',
        `event #${this.num} (${this.name}) has no parameter ${i} (it has ${n})`,
        {
          offset: this.fileOffset,
        },
      );
    }
    this.computeOffsets();
    const end = this.o + this.batch.spans[this.index]!;
    if (this.pOff[i + 1]! > end) {
      throw new PcapngError(
        'SCAP_BAD_EVENT',
        `event #${this.num} (${this.name}): parameter ${i} runs past the end of the event`,
        { offset: this.fileOffset },
      );
    }
  }

  /** Length in bytes of parameter `i`. @throws PcapngError for a missing/overrunning param. */
  paramLength(i: number): number {
    this.check(i);
    return this.pOff[i + 1]! - this.pOff[i]!;
  }

  /**
   * Offset of parameter `i`'s bytes in `batch.bytes` (and `batch.view`), or `-1` when the event does not
   * carry it (`i` outside `[0, nparams)`) or its bytes run past the end of the event. Never throws, never
   * allocates: with {@link paramLength} (safe to call when this is `>= 0`) it is `rawParam(i)` without the
   * subarray.
   */
  paramOffset(i: number): number {
    if (this.cachedFor !== this.index || this.cachedBatch !== this.batch) this.computeOffsets();
    return i >= 0 && i < this.readable && (i | 0) === i ? this.pOff[i]! : -1;
  }

  /**
   * Length in bytes of parameter `i`, or `-1` when {@link paramOffset} is `-1` (absent or overrunning).
   * Never throws, never allocates.
   */
  paramSize(i: number): number {
    const off = this.paramOffset(i);
    return off < 0 ? -1 : this.pOff[i + 1]! - off;
  }

  /**
   * Parameter `i` read as an integer straight from its bytes, whatever its declared type: 1, 2, 4 or 8 bytes in
   * the event's byte order, two's complement when `signed`. 64-bit values are returned as numbers (exact
   * within ±2^53). `undefined` when the parameter is absent, runs past the event's end, or has another
   * length (e.g. an empty parameter). Never throws, never allocates.
   */
  paramInteger(i: number, signed: boolean): number | undefined {
    const off = this.paramOffset(i);
    if (off < 0) return undefined;
    const v = this.view;
    const le = this.le;
    switch (this.pOff[i + 1]! - off) {
      case 1:
        return signed ? v.getInt8(off) : v.getUint8(off);
      case 2:
        return signed ? v.getInt16(off, le) : v.getUint16(off, le);
      case 4:
        return signed ? v.getInt32(off, le) : v.getUint32(off, le);
      case 8: {
        const lo = v.getUint32(le ? off : off + 4, le);
        if (signed) {
          const hi = v.getInt32(le ? off + 4 : off, le);
          // Within int32: the value is `lo` read as signed (kept a small integer, not a heap number).
          const l = lo | 0;
          return hi === l >> 31 ? l : hi * TWO32 + lo;
        }
        const hi = v.getUint32(le ? off + 4 : off, le);
        return hi === 0 ? lo : hi * TWO32 + lo;
      }
      default:
        return undefined;
    }
  }

  /**
   * An 8-byte parameter as an unsigned number (exact below 2^53, rounded beyond), `undefined` when absent,
   * overrunning or not 8 bytes long. Never throws, never allocates.
   */
  paramU64AsNumber(i: number): number | undefined {
    const off = this.paramOffset(i);
    if (off < 0 || this.pOff[i + 1]! - off !== 8) return undefined;
    const v = this.view;
    const le = this.le;
    return v.getUint32(le ? off + 4 : off, le) * TWO32 + v.getUint32(le ? off : off + 4, le);
  }

  /**
   * An 8-byte parameter as a signed number (exact within ±2^53, rounded beyond), `undefined` when absent,
   * overrunning or not 8 bytes long. Never throws, never allocates.
   */
  paramI64AsNumber(i: number): number | undefined {
    const off = this.paramOffset(i);
    if (off < 0 || this.pOff[i + 1]! - off !== 8) return undefined;
    const v = this.view;
    const le = this.le;
    return v.getInt32(le ? off + 4 : off, le) * TWO32 + v.getUint32(le ? off : off + 4, le);
  }

  /**
   * An 8-byte signed parameter as `param(i)` decodes `INT64`/`FD`/`PID`/`ERRNO` values: a number within
   * ±2^53, else a bigint (the only case that allocates). `undefined` when absent, overrunning or not 8 bytes
   * long. Never throws.
   */
  paramI64(i: number): number | bigint | undefined {
    const off = this.paramOffset(i);
    if (off < 0 || this.pOff[i + 1]! - off !== 8) return undefined;
    const v = this.view;
    const le = this.le;
    const hi = v.getInt32(le ? off + 4 : off, le);
    if (hi >= -0x200000 && hi < 0x200000) {
      const lo = v.getUint32(le ? off : off + 4, le);
      const l = lo | 0;
      return hi === l >> 31 ? l : hi * TWO32 + lo;
    }
    return v.getBigInt64(off, le);
  }

  /**
   * An 8-byte unsigned parameter as `param(i)` decodes `UINT64`/time values: a number below 2^53, else a
   * bigint (the only case that allocates). `undefined` when absent, overrunning or not 8 bytes long. Never
   * throws.
   */
  paramU64(i: number): number | bigint | undefined {
    const off = this.paramOffset(i);
    if (off < 0 || this.pOff[i + 1]! - off !== 8) return undefined;
    const v = this.view;
    const le = this.le;
    const hi = v.getUint32(le ? off + 4 : off, le);
    if (hi < 0x200000) {
      const lo = v.getUint32(le ? off : off + 4, le);
      return hi === 0 ? lo : hi * TWO32 + lo;
    }
    return v.getBigUint64(off, le);
  }

  /** Bytes of parameter `i` (a view into the batch buffer). @throws PcapngError for a missing/overrunning param. */
  rawParam(i: number): Uint8Array {
    this.check(i);
    return this.batch.bytes.subarray(this.pOff[i]!, this.pOff[i + 1]!);
  }

  /** Index of the parameter called `name` in this event's type, or -1. */
  paramIndex(name: string): number {
    return paramIndexOf(this.type, name);
  }

  /** Table description of parameter `i`, or `undefined` beyond the type's parameters / for unknown types. */
  paramInfo(i: number): ScapParamInfo | undefined {
    return EVENT_TABLE[this.type]?.params[i];
  }

  /**
   * Decodes parameter `i` (or the parameter called `name`) to its typed value. A name the event type does not
   * have, or a parameter the event does not carry (older captures have fewer), gives `undefined`.
   * @throws PcapngError `SCAP_BAD_EVENT` when the parameter's bytes do not fit its type or the event's end.
   */
  param(which: number | string): ScapParamValue | undefined {
    const i = typeof which === 'number' ? which : this.paramIndex(which);
    if (i < 0 || i >= this.nparams) return undefined;
    this.check(i);
    const info = this.paramInfo(i);
    const off = this.pOff[i]!;
    const len = this.pOff[i + 1]! - off;
    if (!info) return this.batch.bytes.subarray(off, off + len);
    return decodeParamValue(
      this.view,
      this.batch.bytes,
      off,
      len,
      info.type,
      info.flagTable ?? info.dynamicTable,
      this.le,
      this.batch.fileOffset,
    );
  }

  /** Parameter `i` rendered as `sysdig -r` prints it in `evt.info` (without the `name=` prefix). */
  paramText(i: number): string {
    const info = this.paramInfo(i);
    return paramText(this.param(i) ?? null, info, this.rawParam(i));
  }

  /** `name=value` pairs of every parameter, as `sysdig -r` prints `evt.info`. */
  argsText(): string {
    const n = this.nparams;
    let s = '';
    for (let i = 0; i < n; i++) {
      const info = this.paramInfo(i);
      let text: string;
      try {
        text = this.paramText(i);
      } catch (error) {
        if (!(error instanceof PcapngError)) throw error;
        text = '<bad>';
      }
      s += `${i === 0 ? '' : ' '}${info?.name ?? `arg${i}`}=${text}`;
    }
    return s;
  }

  /** Decoded parameters as a plain object keyed by parameter name (JSON-ready values). */
  paramsJson(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const n = this.nparams;
    for (let i = 0; i < n; i++) {
      const info = this.paramInfo(i);
      const key = info?.name ?? `arg${i}`;
      try {
        out[key] = paramJson(this.param(i) ?? null);
      } catch (error) {
        if (!(error instanceof PcapngError)) throw error;
        out[key] = null;
      }
    }
    return out;
  }

  /** The event as a plain object: `num`, `ts` (decimal ns string), `cpu`, `tid`, `type`, `dir`, `params`. */
  toJSON(): ScapEventJson {
    const json: ScapEventJson = {
      num: this.num,
      ts: this.ts.toString(),
      cpu: this.cpu,
      tid: this.tid,
      type: this.name,
      dir: this.direction,
      params: this.paramsJson(),
    };
    const p = this.problem;
    if (p !== null) json.problem = p;
    return json;
  }
}

registerCursor(ScapEvent);
