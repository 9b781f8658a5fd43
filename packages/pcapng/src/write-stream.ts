import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { BlockEncoder } from './encode-block.js';
import { PcapngError } from './errors.js';
import type { PcapngBlock } from './types.js';
import { concatBytes } from './write-sync.js';

/** Where a writer puts its bytes: a file path or `file:` URL, a Node `Writable`, or a Web `WritableStream`. */
export type ByteSink = string | URL | NodeJS.WritableStream | WritableStream<Uint8Array>;

/** Bytes gathered before one write to the destination. */
const FLUSH_AT = 1024 * 1024;

/** A sink for blocks: `write` them in order, then `close`. */
export interface PcapngWriter {
  /** Encodes a block and queues its bytes; resolves when the destination can take more. */
  write(block: PcapngBlock): Promise<void>;
  /** Flushes, ends the destination (unless it was handed in with `end: false`) and resolves when done. */
  close(): Promise<void>;
  /** Blocks written so far. */
  readonly blocks: number;
  /** Bytes written so far. */
  readonly bytes: number;
}

/** Options of {@link createPcapngWriter}. */
export interface WriterOptions {
  /** End the destination stream on `close()` (default `true`; paths are always closed). */
  end?: boolean;
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
    if (failure) throw new PcapngError('BAD_SOURCE', `destination failed: ${failure.message}`);
  };
  // `once` rejects with the stream's own error: report it as the package's error, like `check`.
  const settle = async (pending: Promise<unknown>) => {
    try {
      await pending;
    } catch (error) {
      failure ??= error as Error;
    }
    check();
  };
  return {
    async write(bytes) {
      check();
      // `once` also rejects on 'error' and removes both of its listeners when it settles.
      if (!stream.write(bytes)) await settle(once(stream, 'drain'));
      check();
    },
    async close() {
      check();
      if (!end) return;
      const done = finished(stream);
      stream.end();
      await settle(done);
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

function openSink(destination: ByteSink, end: boolean): RawSink {
  if (typeof destination === 'string' || destination instanceof URL)
    return nodeSink(createWriteStream(destination), true);
  if (typeof (destination as WritableStream).getWriter === 'function')
    return webSink(destination as WritableStream<Uint8Array>, end);
  if (typeof (destination as NodeJS.WritableStream).write === 'function')
    return nodeSink(destination as NodeJS.WritableStream, end);
  throw new PcapngError('BAD_SOURCE', 'destination is not a path, Node Writable or Web WritableStream');
}

/**
 * Opens a pcapng writer on a destination. Blocks are encoded in their section's byte order (from the
 * last SHB written; a default little-endian SHB is added if the first block is not one) and written in
 * ~1 MiB batches with backpressure.
 *
 * @example
 * ```ts
 * const out = createPcapngWriter('copy.pcapng');
 * for await (const block of readPcapng('in.pcapng')) if (block.type !== 'NRB') await out.write(block);
 * await out.close();
 * ```
 */
export function createPcapngWriter(destination: ByteSink, options: WriterOptions = {}): PcapngWriter {
  const sink = openSink(destination, options.end ?? true);
  const encoder = new BlockEncoder();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let blocks = 0;
  let bytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const out = pending.length === 1 ? pending[0]! : concatBytes(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await sink.write(out);
  };
  return {
    async write(block) {
      const encoded = encoder.encode(block);
      pending.push(encoded);
      pendingBytes += encoded.length;
      blocks++;
      bytes += encoded.length;
      if (pendingBytes >= FLUSH_AT) await flush();
    },
    async close() {
      await flush();
      await sink.close();
    },
    get blocks() {
      return blocks;
    },
    get bytes() {
      return bytes;
    },
  };
}

/**
 * Writes every block of a (async) iterable to a destination and closes it — the sink that takes back
 * what `readPcapng` yields. Resolves to the number of blocks and bytes written.
 *
 * @example
 * ```ts
 * async function* onlyPackets() {
 *   for await (const b of readPcapng('in.pcapng')) if (b.type !== 'NRB' && b.type !== 'ISB') yield b;
 * }
 * await writePcapng(onlyPackets(), 'out.pcapng');
 * ```
 */
export async function writePcapng(
  blocks: AsyncIterable<PcapngBlock> | Iterable<PcapngBlock>,
  destination: ByteSink,
  options: WriterOptions = {},
): Promise<{ blocks: number; bytes: number }> {
  const writer = createPcapngWriter(destination, options);
  for await (const block of blocks) await writer.write(block);
  await writer.close();
  return { blocks: writer.blocks, bytes: writer.bytes };
}
