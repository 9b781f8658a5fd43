import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SysFlowEncoder, type WriteOptions } from './encoder.js';
import { locate, SysFlowError } from './errors.js';
import type { SysFlowBatch, SysFlowRecord } from './types.js';

/** Where a writer puts its bytes: a file path or `file:` URL, a Node `Writable`, or a Web `WritableStream`. */
export type SysFlowSink = string | URL | NodeJS.WritableStream | WritableStream<Uint8Array>;

/** Options of {@link createSysFlowWriter} and {@link writeSysFlow}. */
export interface SysFlowWriterOptions extends WriteOptions {
  /** End the destination stream on `close()` (default `true`; paths are always closed). */
  end?: boolean;
}

/** A sink for SysFlow records: `write` records (or whole batches) in order, then `close`. */
export interface SysFlowWriter {
  /** Encodes a record, or every record of a batch; resolves when the destination can take more. */
  write(item: SysFlowRecord | SysFlowBatch): Promise<void>;
  /** Writes the last block, ends the destination (unless `end: false`) and resolves when done. */
  close(): Promise<void>;
  /** Records written so far. */
  readonly records: number;
  /** Bytes handed to the destination so far. */
  readonly bytes: number;
}

interface RawSink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

function nodeSink(stream: NodeJS.WritableStream, end: boolean): RawSink {
  let failure: Error | undefined;
  stream.on('error', (error: Error) => {
    failure = error;
  });
  const check = () => {
    if (failure) throw new SysFlowError('BAD_SOURCE', `destination failed: ${failure.message}`, {}, failure);
  };
  return {
    async write(bytes) {
      check();
      if (!stream.write(bytes))
        await Promise.race([once(stream, 'drain'), once(stream, 'error')]).catch(() => {});
      check();
    },
    async close() {
      check();
      if (!end) return;
      const finished = Promise.race([
        once(stream, 'finish'),
        once(stream, 'close'),
        once(stream, 'error'),
      ]).catch(() => {});
      stream.end();
      await finished;
      check();
    },
  };
}

function webSink(stream: WritableStream<Uint8Array>, end: boolean): RawSink {
  const writer = stream.getWriter();
  return {
    async write(bytes) {
      await writer.ready;
      await writer.write(bytes);
    },
    async close() {
      if (end) await writer.close();
      else writer.releaseLock();
    },
  };
}

function openSink(dest: SysFlowSink, end: boolean): RawSink {
  if (typeof dest === 'string' || dest instanceof URL) return nodeSink(createWriteStream(dest), true);
  if (typeof (dest as WritableStream).getWriter === 'function')
    return webSink(dest as WritableStream<Uint8Array>, end);
  if (typeof (dest as NodeJS.WritableStream).write === 'function')
    return nodeSink(dest as NodeJS.WritableStream, end);
  throw new SysFlowError('BAD_SOURCE', 'destination is not a path, Node Writable or Web WritableStream');
}

function isBatch(item: SysFlowRecord | SysFlowBatch): item is SysFlowBatch {
  return item !== null && typeof item === 'object' && Array.isArray((item as SysFlowBatch).records);
}

/**
 * Opens a `.sf` writer (SysFlow v5 writer schema, deflate by default) on a path or stream. It takes
 * what the readers yield — records or batches — so `read → filter → write` pipelines need no glue.
 *
 * @example
 * ```ts
 * const out = createSysFlowWriter('copy.sf', { codec: 'null', recordsPerBlock: 500 });
 * for await (const r of readSysFlow('trace.sf')) if (r.type !== 'FileFlow') await out.write(r);
 * await out.close();
 * ```
 */
export function createSysFlowWriter(dest: SysFlowSink, options: SysFlowWriterOptions = {}): SysFlowWriter {
  const file = typeof dest === 'string' ? dest : dest instanceof URL ? fileURLToPath(dest) : undefined;
  const encoder = new SysFlowEncoder(options);
  const sink = openSink(dest, options.end ?? true);
  let bytes = 0;
  let closed = false;
  const emit = async (parts: Uint8Array[]) => {
    for (const part of parts) {
      if (part.length === 0) continue;
      await sink.write(part);
      bytes += part.length;
    }
  };
  const located = (error: unknown) =>
    error instanceof SysFlowError ? locate(error, file === undefined ? {} : { file }) : error;
  return {
    async write(item) {
      if (closed) throw new SysFlowError('WRITER_CLOSED', 'write() after close()');
      try {
        await emit(isBatch(item) ? encoder.addBatch(item) : encoder.add(item));
      } catch (error) {
        throw located(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await emit(encoder.finish());
        await sink.close();
      } catch (error) {
        throw located(error);
      }
    },
    get records() {
      return encoder.records;
    },
    get bytes() {
      return bytes;
    },
  };
}

/** What {@link writeSysFlow} wrote. */
export interface SysFlowWriteResult {
  /** Records written. */
  records: number;
  /** Bytes written. */
  bytes: number;
}

/**
 * Writes every record (or batch) of an iterable to a `.sf` destination and closes it.
 *
 * @returns The number of records and bytes written.
 * @example
 * ```ts
 * await writeSysFlow(readSysFlow('trace.sf'), 'copy.sf');
 * ```
 */
export async function writeSysFlow(
  items: AsyncIterable<SysFlowRecord | SysFlowBatch> | Iterable<SysFlowRecord | SysFlowBatch>,
  dest: SysFlowSink,
  options: SysFlowWriterOptions = {},
): Promise<SysFlowWriteResult> {
  const writer = createSysFlowWriter(dest, options);
  for await (const item of items) await writer.write(item);
  await writer.close();
  return { records: writer.records, bytes: writer.bytes };
}

/**
 * Encodes records (or batches) into the bytes of a whole `.sf` file, synchronously.
 *
 * @example
 * ```ts
 * const bytes = writeSysFlowSync(readSysFlowSync(input), { codec: 'null' });
 * ```
 */
export function writeSysFlowSync(
  items: Iterable<SysFlowRecord | SysFlowBatch>,
  options: WriteOptions = {},
): Uint8Array {
  const encoder = new SysFlowEncoder(options);
  const parts: Uint8Array[] = [];
  for (const item of items) {
    for (const part of isBatch(item) ? encoder.addBatch(item) : encoder.add(item)) parts.push(part);
  }
  for (const part of encoder.finish()) parts.push(part);
  return Buffer.concat(parts);
}
