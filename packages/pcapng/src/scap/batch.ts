import { PcapngError } from '../errors.js';
import { ScapBlockType } from './block-types.js';
import type { ScapEvent } from './event.js';
import { EVENT_COUNT, EVENT_LARGE, EVENT_NPARAMS } from './event-table.js';

/** Size of an event header with `nparams` (EV_V2 / EVF_V2 / *_LARGE blocks): ts, tid, len, type, nparams. */
export const EVENT_HEADER_V2 = 26;
/** Size of a legacy event header without `nparams` (EV / EVF / EV_INT blocks). */
export const EVENT_HEADER_V1 = 22;

/**
 * Why an event was flagged while its batch was built. The block around it was intact, so reading went on;
 * the event's header is readable but its parameters are not all trustworthy.
 */
export const EventProblem = {
  NONE: 0,
  /** The event type id is not in the event table. */
  UNKNOWN_TYPE: 1,
  /** The parameter lengths run past the end of the event. */
  PARAMS_OVERRUN: 2,
  /** The event declares more parameters than its type has (or more than 32). */
  TOO_MANY_PARAMS: 3,
  /** The event's length field runs past the end of its block (the event was cut at the block end). */
  LEN_OVERRUN: 4,
  /** The event's length field is shorter than its header. */
  SHORT_EVENT: 5,
} as const;

/** Text of each {@link EventProblem} code. */
export const EVENT_PROBLEM_TEXT: readonly string[] = [
  'ok',
  'unknown event type',
  'parameters run past the end of the event',
  'more parameters than the event type has',
  'event length runs past the end of its block',
  'event length shorter than its header',
];

/** A non-event block kept verbatim inside a batch (section headers, metadata lists, packets, …). */
export interface RawBlock {
  /** Block type id. */
  blockType: number;
  /** Whether the block's section is little-endian. */
  littleEndian: boolean;
  /** Absolute offset of the block in the (decompressed) input. */
  fileOffset: number;
  /** The whole block: header, body and trailer (a view into the batch's buffer). */
  bytes: Uint8Array;
}

/**
 * A window of a capture: one buffer holding many events (and any other blocks between them), with per-event
 * offsets. Walk it with a reusable {@link ScapEvent} cursor (`for (const ev of batch)` reuses one cursor).
 * A batch stays valid after the reader moves on: it owns its arrays and views a buffer nobody rewrites.
 */
export class EventBatch {
  /** The buffer all offsets refer to. */
  readonly bytes: Uint8Array;
  /** DataView over {@link bytes}. */
  readonly view: DataView;
  /** Absolute offset of `bytes[0]` in the (decompressed) input. */
  readonly fileOffset: number;
  /** 1-based capture-wide number of this batch's first event (what `sysdig -r` prints as `evt.num`). */
  firstNum: number;
  /** Number of events. */
  count = 0;
  /** Offset in {@link bytes} of each event's header (its `ts` field). */
  offsets: Int32Array;
  /** Bytes available to each event (up to its block's end). */
  spans: Int32Array;
  /** CPU of each event. */
  cpus: Uint16Array;
  /** EVF dump flags of each event (0 for EV blocks). */
  dumpFlags: Uint32Array;
  /** Parameter count of each event (read from the header, or inferred for legacy headers). */
  nparams: Uint16Array;
  /** Header size of each event: 26, or 22 for legacy blocks without `nparams`. */
  headerLens: Uint8Array;
  /** Block type each event came in. */
  blockTypes: Uint32Array;
  /** {@link EventProblem} code of each event (0 when sound). */
  problems: Uint8Array;
  /** 1 when each event's section is little-endian. */
  endian: Uint8Array;
  /** Non-event blocks of this window, in order. */
  readonly others: RawBlock[] = [];
  /** Order of the window's blocks: `>= 0` is an event index, `< 0` is `-(index in others) - 1`. */
  order: Int32Array;
  /** Entries used in {@link order}. */
  orderCount = 0;

  constructor(bytes: Uint8Array, fileOffset: number, capacity: number, firstNum: number) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.fileOffset = fileOffset;
    this.firstNum = firstNum;
    const cap = Math.max(1, capacity);
    this.offsets = new Int32Array(cap);
    this.spans = new Int32Array(cap);
    this.cpus = new Uint16Array(cap);
    this.dumpFlags = new Uint32Array(cap);
    this.nparams = new Uint16Array(cap);
    this.headerLens = new Uint8Array(cap);
    this.blockTypes = new Uint32Array(cap);
    this.problems = new Uint8Array(cap);
    this.endian = new Uint8Array(cap);
    this.order = new Int32Array(cap);
  }

  private grow(): void {
    const cap = this.offsets.length * 2;
    const g = <T extends Int32Array | Uint16Array | Uint32Array | Uint8Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.offsets = g(this.offsets, cap);
    this.spans = g(this.spans, cap);
    this.cpus = g(this.cpus, cap);
    this.dumpFlags = g(this.dumpFlags, cap);
    this.nparams = g(this.nparams, cap);
    this.headerLens = g(this.headerLens, cap);
    this.blockTypes = g(this.blockTypes, cap);
    this.problems = g(this.problems, cap);
    this.endian = g(this.endian, cap);
  }

  private pushOrder(v: number): void {
    if (this.orderCount === this.order.length) {
      const b = new Int32Array(this.order.length * 2);
      b.set(this.order);
      this.order = b;
    }
    this.order[this.orderCount++] = v;
  }

  /** Records a non-event block (its whole bytes, header to trailer) at window offset `off`. */
  addOther(blockType: number, off: number, totalLength: number, littleEndian: boolean): void {
    this.others.push({
      blockType,
      littleEndian,
      fileOffset: this.fileOffset + off,
      bytes: this.bytes.subarray(off, off + totalLength),
    });
    this.pushOrder(-this.others.length);
  }

  /**
   * Records the event of an EV/EVF block whose body spans `[bodyOff, bodyOff + bodyLen)`.
   * @throws PcapngError `SCAP_BAD_BLOCK` when the body cannot hold the block prefix and an event header.
   */
  addEventBlock(
    blockType: number,
    bodyOff: number,
    bodyLen: number,
    littleEndian: boolean,
    blockIndex?: number,
  ): void {
    const evf =
      blockType === ScapBlockType.EVF ||
      blockType === ScapBlockType.EVF_V2 ||
      blockType === ScapBlockType.EVF_V2_LARGE;
    const v2 =
      blockType === ScapBlockType.EV_V2 ||
      blockType === ScapBlockType.EV_V2_LARGE ||
      blockType === ScapBlockType.EVF_V2 ||
      blockType === ScapBlockType.EVF_V2_LARGE;
    const prefix = evf ? 6 : 2;
    const hdr = v2 ? EVENT_HEADER_V2 : EVENT_HEADER_V1;
    const view = this.view;
    const le = littleEndian;
    if (bodyLen < prefix + hdr) {
      throw new PcapngError(
        'SCAP_BAD_BLOCK',
        `event block body of ${bodyLen} bytes cannot hold an event header of ${hdr} bytes`,
        { offset: this.fileOffset + bodyOff - 8, blockIndex },
      );
    }
    if (this.count === this.offsets.length) this.grow();
    const i = this.count++;
    const o = bodyOff + prefix;
    let span = bodyLen - prefix;
    this.offsets[i] = o;
    this.cpus[i] = view.getUint16(bodyOff, le);
    this.dumpFlags[i] = evf ? view.getUint32(bodyOff + 2, le) : 0;
    this.headerLens[i] = hdr;
    this.blockTypes[i] = blockType;
    this.endian[i] = le ? 1 : 0;
    this.pushOrder(i);
    let problem: number = EventProblem.NONE;
    const len = view.getUint32(o + 16, le);
    const type = view.getUint16(o + 20, le);
    if (len < hdr) {
      problem = EventProblem.SHORT_EVENT;
    } else if (len > span) {
      problem = EventProblem.LEN_OVERRUN;
    } else {
      span = len;
    }
    this.spans[i] = span;
    if (problem !== EventProblem.NONE) {
      this.nparams[i] = 0;
      this.problems[i] = problem;
      return;
    }
    const known = type < EVENT_COUNT;
    const width = known && EVENT_LARGE[type] === 1 ? 4 : 2;
    const end = o + span;
    if (v2) {
      const n = view.getUint32(o + 22, le);
      if (n > 32 || (known && n > EVENT_NPARAMS[type]!)) {
        this.nparams[i] = Math.min(n, 32);
        this.problems[i] = EventProblem.TOO_MANY_PARAMS;
        return;
      }
      this.nparams[i] = n;
      let p = o + hdr + n * width;
      if (p > end) {
        this.problems[i] = EventProblem.PARAMS_OVERRUN;
        return;
      }
      const lens = o + hdr;
      for (let k = 0; k < n; k++)
        p += width === 2 ? view.getUint16(lens + 2 * k, le) : view.getUint32(lens + 4 * k, le);
      this.problems[i] =
        p > end ? EventProblem.PARAMS_OVERRUN : known ? EventProblem.NONE : EventProblem.UNKNOWN_TYPE;
      return;
    }
    // Legacy header: infer nparams as libscap does, from the table's count downwards, until the lengths fill the
    // event exactly. (Two metaevent types were written with a length 3 bytes too long.)
    if (!known) {
      this.nparams[i] = 0;
      this.problems[i] = EventProblem.UNKNOWN_TYPE;
      return;
    }
    const evEnd = type === 280 || type === 286 ? end - 3 : end;
    const lens = o + hdr;
    for (let n = EVENT_NPARAMS[type]!; n >= 0; n--) {
      let p = lens + n * 2;
      if (p > evEnd) continue;
      for (let k = 0; k < n; k++) p += view.getUint16(lens + 2 * k, le);
      if (p < evEnd) break;
      if (p === evEnd) {
        this.nparams[i] = n;
        this.problems[i] = EventProblem.NONE;
        return;
      }
    }
    this.nparams[i] = 0;
    this.problems[i] = EventProblem.PARAMS_OVERRUN;
  }

  /** Iterates the events with one reusable cursor. */
  *[Symbol.iterator](): IterableIterator<ScapEvent> {
    const ev = new ScapEventCtor();
    for (let i = 0; i < this.count; i++) yield ev.load(this, i);
  }
}

// Set by event.ts at import (the cursor class lives there, keeping this module free of decoding).
let ScapEventCtor: new () => ScapEvent;

/** @internal Registers the cursor class used by `EventBatch[Symbol.iterator]`. */
export function registerCursor(ctor: new () => ScapEvent): void {
  ScapEventCtor = ctor;
}
