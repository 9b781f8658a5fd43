import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { PcapngError } from '../errors.js';
import type { EventBatch } from './batch.js';
import { ScapBlockType } from './block-types.js';
import { type EventBlockOptions, encodeEvent, encodeEventBlock, type ScapEventSpec } from './encode.js';
import { ScapEvent } from './event.js';

/** Where a scap writer sends its bytes: a path, `file:` URL, Node writable or Web `WritableStream`. */
export type ScapByteSink = string | URL | NodeJS.WritableStream | WritableStream<Uint8Array>;

/**
 * How event blocks are written back:
 * - `'copy'` (default): each event block is copied byte for byte;
 * - `'encode'`: each event is re-encoded from its decoded header and parameter bytes by {@link encodeEvent}
 *   (flagged events, whose parameters cannot be trusted, are copied).
 */
export type ScapWriteMode = 'copy' | 'encode';

/** Options for section headers this package writes. */
export interface ScapSectionOptions {
  /** Minor version (default 2, as libscap writes: major 1, minor 2). */
  minorVersion?: number;
}

/** A little-endian Section Header Block as libscap writes it (version 1.2, unknown section length, no options). */
export function scapSectionHeader(options: ScapSectionOptions = {}): Uint8Array {
  const out = new Uint8Array(28);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x0a0d0d0a, true);
  dv.setUint32(4, 28, true);
  dv.setUint32(8, 0x1a2b3c4d, true);
  dv.setUint16(12, 1, true);
  dv.setUint16(14, options.minorVersion ?? 2, true);
  dv.setBigInt64(16, -1n, true);
  dv.setUint32(24, 28, true);
  return out;
}

/** Wraps a body in a little-endian block of type `blockType` (zero-padded to 4 bytes). */
export function encodeRawBlock(blockType: number, body: Uint8Array): Uint8Array {
  const total = 12 + ((body.length + 3) & ~3);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, blockType >>> 0, true);
  dv.setUint32(4, total, true);
  out.set(body, 8);
  dv.setUint32(total - 4, total, true);
  return out;
}

const EVF_TYPES = new Set<number>([ScapBlockType.EVF, ScapBlockType.EVF_V2, ScapBlockType.EVF_V2_LARGE]);

/** The whole block (header to trailer) that holds event `i` of `batch` (a view). */
export function eventBlockBytes(batch: EventBatch, i: number): Uint8Array {
  const bt = batch.blockTypes[i]!;
  const start = batch.offsets[i]! - (EVF_TYPES.has(bt) ? 6 : 2) - 8;
  const len = batch.view.getUint32(start + 4, batch.endian[i] === 1);
  return batch.bytes.subarray(start, start + len);
}

/** Re-encodes event `ev` (header fields + raw parameter bytes) into a block of its original type. */
function reencode(ev: ScapEvent): Uint8Array {
  const params: Uint8Array[] = [];
  for (let k = 0; k < ev.nparams; k++) params.push(ev.rawParam(k));
  const event = encodeEvent({
    type: ev.type,
    ts: ev.ts,
    tid: ev.tid,
    params,
    legacyHeader: ev.headerLength === 22,
    largePayload: ev.largePayload,
  });
  const opts: EventBlockOptions = { cpu: ev.cpu, blockType: ev.blockType };
  if (EVF_TYPES.has(ev.blockType)) opts.dumpFlags = ev.dumpFlags;
  return encodeEventBlock(event, opts);
}

/**
 * The blocks of a batch, in their input order, as byte arrays ready to write: non-event blocks verbatim,
 * event blocks copied or re-encoded per `mode`. Big-endian sections are always copied.
 */
export function encodeBatch(batch: EventBatch, mode: ScapWriteMode = 'copy'): Uint8Array[] {
  const out: Uint8Array[] = [];
  const ev = new ScapEvent();
  for (let k = 0; k < batch.orderCount; k++) {
    const o = batch.order[k]!;
    if (o < 0) {
      out.push(batch.others[-o - 1]!.bytes);
      continue;
    }
    if (mode === 'copy' || batch.problems[o] !== 0 || batch.endian[o] !== 1)
      out.push(eventBlockBytes(batch, o));
    else out.push(reencode(ev.load(batch, o)));
  }
  return out;
}

/** Writes every batch to one byte array (synchronous; for captures that fit in memory). */
export function writeScapSync(batches: Iterable<EventBatch>, mode: ScapWriteMode = 'copy'): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (const b of batches)
    for (const p of encodeBatch(b, mode)) {
      parts.push(p);
      n += p.length;
    }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface RawSink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

function openSink(dest: ScapByteSink): RawSink {
  if (typeof (dest as WritableStream).getWriter === 'function') {
    const w = (dest as WritableStream<Uint8Array>).getWriter();
    return {
      async write(bytes) {
        await w.ready;
        await w.write(bytes);
      },
      close: () => w.close(),
    };
  }
  const stream =
    typeof dest === 'string' || dest instanceof URL
      ? createWriteStream(dest)
      : (dest as NodeJS.WritableStream);
  if (typeof stream.write !== 'function') throw new PcapngError('BAD_SOURCE', 'destination is not writable');
  let failure: Error | undefined;
  (stream as NodeJS.EventEmitter).on('error', (e: Error) => {
    failure = e;
  });
  const check = () => {
    if (failure) throw new PcapngError('BAD_SOURCE', `destination failed: ${failure.message}`);
  };
  return {
    async write(bytes) {
      check();
      if (!stream.write(bytes)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
      check();
    },
    async close() {
      check();
      const done = Promise.race([once(stream, 'finish'), once(stream, 'close'), once(stream, 'error')]);
      stream.end();
      await done;
      check();
    },
  };
}

const FLUSH_AT = 1 << 20;

/**
 * A streaming writer of Falco captures. Starts with a libscap-style section header unless the first thing
 * written is a batch or block that brings its own.
 *
 * @example
 * ```ts
 * const out = new ScapWriter('plugin.scap');
 * await out.writeEvent({ type: 322, ts: 1n, tid: -1, params: [999, new TextEncoder().encode('hi')] });
 * await out.close();
 * ```
 */
export class ScapWriter {
  private readonly sink: RawSink;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private started = false;
  /** Bytes written so far. */
  bytes = 0;
  /** Events written so far. */
  events = 0;

  constructor(
    destination: ScapByteSink,
    private readonly mode: ScapWriteMode = 'copy',
  ) {
    this.sink = openSink(destination);
  }

  private push(b: Uint8Array): void {
    if (!this.started) {
      this.started = true;
      const isShb = b.length >= 4 && b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a;
      if (!isShb) this.push(scapSectionHeader());
    }
    this.pending.push(b);
    this.pendingBytes += b.length;
    this.bytes += b.length;
  }

  private async maybeFlush(): Promise<void> {
    if (this.pendingBytes >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const parts = this.pending;
    const out = new Uint8Array(this.pendingBytes);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    await this.sink.write(out);
  }

  /** Writes a batch's blocks in their input order (events copied or re-encoded per the writer's mode). */
  async writeBatch(batch: EventBatch): Promise<void> {
    for (const b of encodeBatch(batch, this.mode)) this.push(b);
    this.events += batch.count;
    await this.maybeFlush();
  }

  /** Encodes and writes one event in an EV/EVF block. */
  async writeEvent(spec: ScapEventSpec, block: EventBlockOptions = {}): Promise<void> {
    this.push(encodeEventBlock(encodeEvent(spec), block));
    this.events++;
    await this.maybeFlush();
  }

  /** Writes a whole, already encoded block (header to trailer) as it is. */
  async writeBlock(block: Uint8Array): Promise<void> {
    this.push(block);
    await this.maybeFlush();
  }

  /** Flushes and closes the destination. */
  async close(): Promise<void> {
    if (!this.started) this.push(scapSectionHeader());
    await this.flush();
    await this.sink.close();
  }
}

/**
 * Writes every batch of an (async) iterable — e.g. a {@link readScap} reader — to a destination and closes it.
 * Resolves to the events and bytes written.
 */
export async function writeScap(
  batches: AsyncIterable<EventBatch> | Iterable<EventBatch>,
  destination: ScapByteSink,
  mode: ScapWriteMode = 'copy',
): Promise<{ events: number; bytes: number }> {
  const w = new ScapWriter(destination, mode);
  for await (const b of batches) await w.writeBatch(b);
  await w.close();
  return { events: w.events, bytes: w.bytes };
}
