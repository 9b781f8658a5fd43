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
 * `null` if `buf` ends inside the header. The metadata values and the sync marker are copies, unless
 * `views` is set: then they are views of `buf` (a caller whose bytes stay as they are, as the synchronous
 * readers' input does).
 */
export function parseHeader(buf: Uint8Array, base = 0, views = false): SysFlowFileHeader | null {
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
        const key = text(buf, pos, len);
        pos += len;
        const valueAt = pos;
        [len, pos] = varint(buf, pos);
        if (len < 0) throw new MalformedValue(`negative metadata value length ${len}`, valueAt);
        if (pos + len > buf.length) throw new NeedMore();
        metadata.set(key, views ? viewBytes(buf, pos, len) : copyBytes(buf, pos, len));
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
  const sync = views ? viewBytes(buf, pos, SYNC_SIZE) : copyBytes(buf, pos, SYNC_SIZE);
  pos += SYNC_SIZE;

  const codecBytes = metadata.get('avro.codec');
  const codec = codecBytes === undefined ? 'null' : text(codecBytes, 0, codecBytes.length);
  if (codec !== 'null' && codec !== 'deflate') {
    throw new SysFlowError('UNSUPPORTED_CODEC', `codec "${codec}" is not supported (null and deflate are)`, {
      offset: base,
    });
  }
  const schemaBytes = metadata.get('avro.schema');
  if (schemaBytes === undefined) {
    throw new SysFlowError('BAD_HEADER', 'file header has no avro.schema entry', { offset: base });
  }
  let known = knownSchema(schemaBytes);
  if (known === undefined) {
    const text = decoder.decode(schemaBytes);
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch (error) {
      throw new SysFlowError(
        'BAD_SCHEMA',
        `avro.schema is not valid JSON: ${(error as Error).message}`,
        { offset: base },
        error,
      );
    }
    known = { bytes: Buffer.from(schemaBytes), text, schema: deepFreeze(schema) };
    if (validSchemas.length >= SCHEMA_CACHE_SIZE) validSchemas.shift();
    validSchemas.push(known);
  }
  return { schema: known.schema, codec, sync, metadata, size: pos };
}

/** `len` bytes of `buf` at `pos` as text (UTF-8; short ASCII keys without a `TextDecoder` call). */
function text(buf: Uint8Array, pos: number, len: number): string {
  if (len <= 32) {
    let s = '';
    for (let i = pos; i < pos + len; i++) {
      const b = buf[i]!;
      if (b >= 0x80) return decoder.decode(buf.subarray(pos, pos + len));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return decoder.decode(buf.subarray(pos, pos + len));
}

/** `len` bytes of `buf` at `pos`, as a plain `Uint8Array` view (also when `buf` is a `Buffer`). */
function viewBytes(buf: Uint8Array, pos: number, len: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + pos, len);
}

/** `len` bytes of `buf` at `pos`, copied (one memcpy). */
function copyBytes(buf: Uint8Array, pos: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  out.set(buf.subarray(pos, pos + len));
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

interface KnownSchema {
  bytes: Buffer;
  text: string;
  /** Parsed once, frozen, shared by every header with these bytes. */
  schema: unknown;
}

/**
 * Writer schemas seen before, as bytes, text and parsed JSON (the files of one collector share one
 * schema): reading many small files does not decode and parse the same kilobytes of JSON again and again.
 */
const validSchemas: KnownSchema[] = [];
const SCHEMA_CACHE_SIZE = 16;

/** The schema seen before with exactly these bytes. */
function knownSchema(bytes: Uint8Array): KnownSchema | undefined {
  for (const s of validSchemas) {
    if (s.bytes.length === bytes.length && s.bytes.equals(bytes)) return s;
  }
  return undefined;
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
