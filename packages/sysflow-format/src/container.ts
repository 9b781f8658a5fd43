/**
 * The Avro object container layout: `Obj\x01`, a metadata map (`avro.schema`, `avro.codec`, …), a
 * 16-byte sync marker, then data blocks of `count, size, data[size], sync`. Pure functions over a byte
 * view: each returns `null` when the view ends before the structure does (the caller fetches more).
 */
import { SysFlowError } from './errors.js';
import type { SysFlowFileHeader } from './types.js';
import { MalformedValue, readVarint } from './validate.js';

/** `O b j 0x01`. */
export const MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01);
/** Length of a sync marker. */
export const SYNC_SIZE = 16;

const decoder = new TextDecoder('utf-8', { fatal: false });

class NeedMore extends Error {}

function varint(buf: Uint8Array, pos: number): [number, number] {
  try {
    return readVarint(buf, pos, buf.length);
  } catch (error) {
    if (error instanceof MalformedValue && error.pos >= buf.length) throw new NeedMore();
    throw error;
  }
}

/**
 * Parses the file header at the start of `buf` (`base` = its offset in the file, for errors). Returns
 * `null` if `buf` ends inside the header.
 */
export function parseHeader(buf: Uint8Array, base = 0): SysFlowFileHeader | null {
  for (let i = 0; i < MAGIC.length && i < buf.length; i++) {
    if (buf[i] !== MAGIC[i]) {
      throw new SysFlowError('BAD_MAGIC', 'not an Avro object container file (magic is not "Obj\\x01")', {
        offset: base + i,
      });
    }
  }
  if (buf.length < MAGIC.length) return null;
  let pos = MAGIC.length;
  const metadata = new Map<string, Uint8Array>();
  try {
    for (;;) {
      let count: number;
      [count, pos] = varint(buf, pos);
      if (count === 0) break;
      if (count < 0) {
        count = -count;
        [, pos] = varint(buf, pos);
      }
      if (count > 1 << 20) throw new MalformedValue(`metadata block of ${count} entries`, pos);
      for (let i = 0; i < count; i++) {
        let len: number;
        const keyAt = pos;
        [len, pos] = varint(buf, pos);
        if (len < 0) throw new MalformedValue(`negative metadata key length ${len}`, keyAt);
        if (pos + len > buf.length) throw new NeedMore();
        const key = decoder.decode(buf.subarray(pos, pos + len));
        pos += len;
        const valueAt = pos;
        [len, pos] = varint(buf, pos);
        if (len < 0) throw new MalformedValue(`negative metadata value length ${len}`, valueAt);
        if (pos + len > buf.length) throw new NeedMore();
        metadata.set(key, new Uint8Array(buf.subarray(pos, pos + len)));
        pos += len;
      }
    }
  } catch (error) {
    if (error instanceof NeedMore) return null;
    if (error instanceof MalformedValue) {
      throw new SysFlowError('BAD_HEADER', `file header metadata is malformed: ${error.message}`, {
        offset: base + error.pos,
      });
    }
    throw error;
  }
  if (pos + SYNC_SIZE > buf.length) return null;
  const sync = new Uint8Array(buf.subarray(pos, pos + SYNC_SIZE));
  pos += SYNC_SIZE;

  const codecBytes = metadata.get('avro.codec');
  const codec = codecBytes === undefined ? 'null' : decoder.decode(codecBytes);
  if (codec !== 'null' && codec !== 'deflate') {
    throw new SysFlowError('UNSUPPORTED_CODEC', `codec "${codec}" is not supported (null and deflate are)`, {
      offset: base,
    });
  }
  const schemaBytes = metadata.get('avro.schema');
  if (schemaBytes === undefined) {
    throw new SysFlowError('BAD_HEADER', 'file header has no avro.schema entry', { offset: base });
  }
  let schema: unknown;
  try {
    schema = JSON.parse(decoder.decode(schemaBytes));
  } catch (error) {
    throw new SysFlowError(
      'BAD_SCHEMA',
      `avro.schema is not valid JSON: ${(error as Error).message}`,
      { offset: base },
      error,
    );
  }
  return { schema, codec, sync, metadata, size: pos };
}

/** Where a data block's parts are, relative to the view it was parsed from. */
export interface BlockFrame {
  /** Number of records the block says it holds. */
  count: number;
  /** Offset of the block's data in the view. */
  dataStart: number;
  /** Size of the (possibly compressed) data. */
  size: number;
  /** Offset just past the block's sync marker in the view. */
  end: number;
}

/**
 * Parses the framing of the data block at `pos` in `buf`. Returns `null` when `buf` ends before the
 * block's count and size; the caller then checks that `end` is within reach and the sync marker matches.
 */
export function parseBlockFrame(
  buf: Uint8Array,
  pos: number,
  maxBlockBytes: number,
  where: { offset: number; blockIndex: number },
): BlockFrame | null {
  try {
    const [count, p] = varint(buf, pos);
    const [size, dataStart] = varint(buf, p);
    if (count < 0 || !Number.isSafeInteger(count)) {
      throw new SysFlowError('BAD_BLOCK', `block record count ${count} is invalid`, where);
    }
    if (size < 0 || !Number.isSafeInteger(size)) {
      throw new SysFlowError('BAD_BLOCK', `block size ${size} is invalid`, where);
    }
    if (size > maxBlockBytes) {
      throw new SysFlowError(
        'BAD_BLOCK',
        `block size ${size} exceeds the limit of ${maxBlockBytes} bytes`,
        where,
      );
    }
    return { count, dataStart, size, end: dataStart + size + SYNC_SIZE };
  } catch (error) {
    if (error instanceof NeedMore) return null;
    if (error instanceof MalformedValue) {
      throw new SysFlowError('BAD_BLOCK', `block framing is malformed: ${error.message}`, where);
    }
    throw error;
  }
}

/** Throws `BAD_SYNC` unless `buf[at..at+16]` equals `sync` (`where.offset`: the marker's file offset). */
export function checkSync(
  buf: Uint8Array,
  at: number,
  sync: Uint8Array,
  where: { offset: number; blockIndex: number },
): void {
  for (let i = 0; i < SYNC_SIZE; i++) {
    if (buf[at + i] !== sync[i]) {
      throw new SysFlowError('BAD_SYNC', 'block is not followed by the file sync marker', where);
    }
  }
}
