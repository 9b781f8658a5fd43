import {
  BlockDecoder,
  DEFAULT_MAX_BLOCK_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  type ReadOptions,
} from './block-decoder.js';
import { checkSync, parseBlockFrame, parseHeader, SYNC_SIZE } from './container.js';
import { SysFlowError } from './errors.js';
import type { SysFlowBatch, SysFlowFileHeader, SysFlowRecord } from './types.js';

/**
 * Reads the Avro container header of a `.sf` file held in memory (writer schema, codec, sync marker,
 * metadata). The metadata values and the sync marker are views of `bytes`, not copies.
 */
export function readSysFlowHeader(bytes: Uint8Array): SysFlowFileHeader {
  const header = parseHeader(bytes, 0, true);
  if (!header) {
    throw new SysFlowError('TRUNCATED', `input ends inside the file header (${bytes.length} bytes)`, {
      offset: bytes.length,
    });
  }
  return header;
}

/**
 * Synchronously reads a whole `.sf` file held in memory, block by block: one batch per Avro data block,
 * records in the SysFlow v5 shape (older writer schemas resolved, defaults filled).
 *
 * @example
 * ```ts
 * for (const batch of readSysFlowBatchesSync(readFileSync('trace.sf'))) console.log(batch.records.length);
 * ```
 */
export function* readSysFlowBatchesSync(
  bytes: Uint8Array,
  options: ReadOptions = {},
): Generator<SysFlowBatch> {
  const maxHeader = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const header = readSysFlowHeader(bytes);
  if (header.size > maxHeader) {
    throw new SysFlowError('BAD_HEADER', `file header exceeds the limit of ${maxHeader} bytes`, {
      offset: 0,
    });
  }
  options.onHeader?.(header);
  const decoder = new BlockDecoder(header, options);
  const maxBlock = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
  let pos = header.size;
  for (let blockIndex = 0; pos < bytes.length; blockIndex++) {
    const where = { offset: pos, blockIndex };
    const frame = parseBlockFrame(bytes, pos, maxBlock, where);
    if (!frame || frame.end > bytes.length) {
      throw new SysFlowError('TRUNCATED', 'input ends inside a data block', where);
    }
    checkSync(bytes, frame.end - SYNC_SIZE, header.sync, { offset: frame.end - SYNC_SIZE, blockIndex });
    const records = decoder.decode(
      bytes.subarray(frame.dataStart, frame.end - SYNC_SIZE),
      frame.count,
      where,
    );
    yield { blockIndex, offset: pos, records };
    pos = frame.end;
  }
}

/**
 * Synchronously reads every record of a `.sf` file held in memory (small files, browsers, tests).
 *
 * @example
 * ```ts
 * const records = readSysFlowSync(readFileSync('trace.sf'));
 * ```
 */
export function readSysFlowSync(bytes: Uint8Array, options: ReadOptions = {}): SysFlowRecord[] {
  const out: SysFlowRecord[] = [];
  for (const batch of readSysFlowBatchesSync(bytes, options)) {
    for (const record of batch.records) out.push(record);
  }
  return out;
}
