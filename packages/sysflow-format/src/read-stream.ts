import {
  BlockDecoder,
  DEFAULT_MAX_BLOCK_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  type ReadOptions,
} from './block-decoder.js';
import { byteChunks, type SysFlowSource, sourcePath } from './byte-source.js';
import { checkSync, parseBlockFrame, parseHeader, SYNC_SIZE } from './container.js';
import { locate, SysFlowError } from './errors.js';
import type { SysFlowBatch, SysFlowRecord } from './types.js';

const EMPTY = new Uint8Array(0);

/** A sliding window over a chunk stream: holds the unread tail plus what was fetched to complete it. */
class ByteWindow {
  buf: Uint8Array = EMPTY;
  pos = 0;
  /** File offset of `buf[0]`. */
  base = 0;
  done = false;

  constructor(private readonly chunks: AsyncIterator<Uint8Array>) {}

  get available(): number {
    return this.buf.length - this.pos;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  /** The unread bytes. */
  view(): Uint8Array {
    return this.buf.subarray(this.pos);
  }

  /** Fetches chunks until `n` bytes are unread or the input ends; true if `n` bytes are there. */
  async fill(n: number): Promise<boolean> {
    if (this.available >= n) return true;
    const parts: Uint8Array[] = [this.view()];
    let total = this.available;
    while (total < n && !this.done) {
      const next = await this.chunks.next();
      if (next.done) {
        this.done = true;
        break;
      }
      parts.push(next.value);
      total += next.value.length;
    }
    if (parts.length > 1) {
      this.base += this.pos;
      this.buf = parts.length === 2 && parts[0]!.length === 0 ? parts[1]! : Buffer.concat(parts, total);
      this.pos = 0;
    }
    return this.available >= n;
  }

  consume(n: number): void {
    this.pos += n;
  }
}

async function* batches(source: SysFlowSource, options: ReadOptions): AsyncGenerator<SysFlowBatch> {
  const maxHeader = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxBlock = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
  const chunks = byteChunks(source);
  const window = new ByteWindow(chunks);
  try {
    await window.fill(1);
    let header = parseHeader(window.view());
    while (!header) {
      if (window.available > maxHeader) {
        throw new SysFlowError('BAD_HEADER', `file header exceeds the limit of ${maxHeader} bytes`, {
          offset: 0,
        });
      }
      if (!(await window.fill(window.available + 4096))) {
        header = parseHeader(window.view());
        if (header) break;
        throw new SysFlowError('TRUNCATED', `input ends inside the file header (${window.available} bytes)`, {
          offset: window.available,
        });
      }
      header = parseHeader(window.view());
    }
    if (header.size > maxHeader) {
      throw new SysFlowError('BAD_HEADER', `file header exceeds the limit of ${maxHeader} bytes`, {
        offset: 0,
      });
    }
    options.onHeader?.(header);
    const decoder = new BlockDecoder(header, options);
    window.consume(header.size);
    for (let blockIndex = 0; ; blockIndex++) {
      if (!(await window.fill(1))) return;
      const where = { offset: window.offset, blockIndex };
      let frame = parseBlockFrame(window.view(), 0, maxBlock, where);
      while (!frame) {
        if (!(await window.fill(window.available + 1))) {
          throw new SysFlowError('TRUNCATED', 'input ends inside a data block header', where);
        }
        frame = parseBlockFrame(window.view(), 0, maxBlock, where);
      }
      if (!(await window.fill(frame.end))) {
        throw new SysFlowError('TRUNCATED', 'input ends inside a data block', where);
      }
      const view = window.view();
      checkSync(view, frame.end - SYNC_SIZE, header.sync, {
        offset: where.offset + frame.end - SYNC_SIZE,
        blockIndex,
      });
      const records = decoder.decode(
        view.subarray(frame.dataStart, frame.end - SYNC_SIZE),
        frame.count,
        where,
      );
      window.consume(frame.end);
      yield { blockIndex, offset: where.offset, records };
    }
  } finally {
    await chunks.return(undefined);
  }
}

/**
 * Reads a `.sf` file block by block, yielding one {@link SysFlowBatch} per Avro data block. Memory stays
 * bounded by one block plus one input chunk. Older writer schemas (v2, v4, legacy) are resolved to v5.
 * Every failure is a {@link SysFlowError}.
 *
 * @example
 * ```ts
 * for await (const batch of readSysFlowBatches('trace.sf')) console.log(batch.blockIndex, batch.records.length);
 * ```
 */
export async function* readSysFlowBatches(
  source: SysFlowSource,
  options: ReadOptions = {},
): AsyncGenerator<SysFlowBatch> {
  const file = sourcePath(source) ?? options.sourceName;
  try {
    yield* batches(source, options);
  } catch (error) {
    if (error instanceof SysFlowError) throw locate(error, file === undefined ? {} : { file });
    throw new SysFlowError(
      'BAD_SOURCE',
      `reading failed: ${(error as Error)?.message ?? String(error)}`,
      file === undefined ? {} : { file },
      error,
    );
  }
}

/**
 * Reads the records of a `.sf` file (path, Node `Readable`, Web `ReadableStream`, async iterable of
 * chunks or a byte array), in file order, in the SysFlow v5 shape.
 *
 * @example
 * ```ts
 * for await (const r of readSysFlow('trace.sf')) if (r.type === 'Process') console.log(r.rec.exe);
 * ```
 */
export async function* readSysFlow(
  source: SysFlowSource,
  options: ReadOptions = {},
): AsyncGenerator<SysFlowRecord> {
  // `for … yield`, not `yield*`: delegating to the array's iterator costs an extra await per record.
  for await (const batch of readSysFlowBatches(source, options))
    for (const record of batch.records) yield record;
}
