import { type ByteSource, byteChunks, sourcePath } from './byte-source.js';
import { BlockCursor } from './cursor.js';
import { decodeBlock } from './decode-block.js';
import { PcapngError } from './errors.js';
import type { ReadOptions } from './read-options.js';
import { finishInput } from './read-sync.js';
import type { PcapngBlock } from './types.js';
import { concatBytes } from './write-sync.js';

/**
 * The streaming core: yields one {@link BlockCursor} per window of complete blocks, to be walked
 * synchronously with `while (cursor.next())`. Chunks are used in place; only a block that straddles two
 * chunks is copied. Memory is one chunk plus one block. Errors carry the file path when the source is
 * one.
 *
 * @example
 * ```ts
 * let packets = 0;
 * for await (const cursor of pcapngWindows('big.pcapng'))
 *   while (cursor.next()) if (cursor.blockType === BlockTypeId.EPB) packets++;
 * ```
 */
export async function* pcapngWindows(
  source: ByteSource,
  options: ReadOptions = {},
): AsyncGenerator<BlockCursor> {
  const file = sourcePath(source);
  const cursor = new BlockCursor(options);
  cursor.file = file;
  let carry: Uint8Array[] = [];
  let carryLength = 0;
  let fileOffset = 0;
  const walk = function* (window: Uint8Array): Generator<BlockCursor> {
    cursor.load(window, fileOffset);
    yield cursor;
    while (cursor.next()) {
      // Blocks the consumer left unwalked (it returned early) are walked to keep offsets right.
    }
    fileOffset += cursor.consumed;
    if (cursor.consumed < window.length) {
      carry = [window.subarray(cursor.consumed)];
      carryLength = window.length - cursor.consumed;
    }
  };
  try {
    for await (const chunk of byteChunks(source)) {
      let rest = chunk;
      while (rest.length > 0) {
        if (carryLength === 0) {
          yield* walk(rest);
          break;
        }
        // Complete the block that straddles the chunk boundary, then go on in place.
        const want = Math.max(cursor.needed, 12) - carryLength;
        if (rest.length < want) {
          carry.push(rest);
          carryLength += rest.length;
          break;
        }
        carry.push(rest.subarray(0, want));
        const joined = concatBytes(carry, carryLength + want);
        carry = [];
        carryLength = 0;
        rest = rest.subarray(want);
        yield* walk(joined);
      }
    }
    cursor.load(concatBytes(carry, carryLength), fileOffset);
    finishInput(cursor, options);
  } catch (error) {
    if (error instanceof PcapngError && file !== undefined && error.file === undefined) error.file = file;
    throw error;
  }
}

/**
 * Reads typed blocks in batches: one array per window of the input, so a consumer pays one promise
 * per batch rather than per block.
 */
export async function* readPcapngBatches(
  source: ByteSource,
  options: ReadOptions = {},
): AsyncGenerator<PcapngBlock[]> {
  for await (const cursor of pcapngWindows(source, options)) {
    const batch: PcapngBlock[] = [];
    try {
      while (cursor.next()) batch.push(decodeBlock(cursor));
    } catch (error) {
      if (batch.length > 0) yield batch; // blocks before a bad one are delivered first
      if (error instanceof PcapngError && error.file === undefined) error.file = cursor.file;
      throw error;
    }
    if (batch.length > 0) yield batch;
  }
}

/**
 * Reads a pcapng file (or gzip-compressed one) block by block, streaming. Each block is typed, with its
 * timestamps resolved by its interface; packet data are views into the read buffers, not copies.
 *
 * @param source a path, `file:` URL, byte array, Node `Readable`, Web `ReadableStream` or (async)
 *   iterable of byte chunks
 * @example
 * ```ts
 * import { readPcapng } from '@sysray/pcapng';
 * for await (const block of readPcapng('capture.pcapng'))
 *   if (block.type === 'EPB') console.log(block.interfaceId, block.timestamp, block.data.length);
 * ```
 */
export async function* readPcapng(
  source: ByteSource,
  options: ReadOptions = {},
): AsyncGenerator<PcapngBlock> {
  // Not `yield* batch`: delegating to a sync iterator from an async generator costs an extra
  // promise round trip per block.
  for await (const batch of readPcapngBatches(source, options)) for (const block of batch) yield block;
}
