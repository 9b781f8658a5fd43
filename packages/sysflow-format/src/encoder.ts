import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { sysflowTypeIndex, writerSchema } from './avro-types.js';
import { MAGIC, SYNC_SIZE } from './container.js';
import { SysFlowError } from './errors.js';
import { SYSFLOW_SCHEMA } from './schema.js';
import type { SysFlowBatch, SysFlowRecord } from './types.js';

/** Options of every writer. */
export interface WriteOptions {
  /** Block codec: `'deflate'` (default, as SysFlow's collector writes) or `'null'` (uncompressed). */
  codec?: 'deflate' | 'null';
  /** zlib level for deflate, 0–9 (default 6). */
  compressionLevel?: number;
  /** A block is written once it holds this many records (default 1000). */
  recordsPerBlock?: number;
  /** A block is written once its uncompressed data reaches this many bytes (default 64 KiB). */
  blockBytes?: number;
  /** The 16-byte sync marker (default: random). Fix it for byte-reproducible output. */
  syncMarker?: Uint8Array;
  /** Extra header metadata entries (`avro.*` keys are reserved and rejected). */
  metadata?: Record<string, string | Uint8Array>;
  /** Check every record against the schema before encoding it (default `true`). */
  validate?: boolean;
}

const textEncoder = new TextEncoder();

/** Appends a zigzag varint of `value` (an integer within ±2^53) to `out`. */
function varint(value: number, out: number[]): void {
  let n = value >= 0 ? value * 2 : -value * 2 - 1;
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function lengthPrefixed(bytes: Uint8Array, out: number[]): void {
  varint(bytes.length, out);
  for (const b of bytes) out.push(b);
}

function asBuffer(v: unknown): unknown {
  return v instanceof Uint8Array && !Buffer.isBuffer(v)
    ? Buffer.from(v.buffer, v.byteOffset, v.byteLength)
    : v;
}

/** avsc wants `Buffer`s for `fixed`: re-wrap plain `Uint8Array` FOIDs (no copy). */
function normalize(record: SysFlowRecord): unknown {
  const rec = record.rec as unknown as Record<string, unknown>;
  switch (record.type) {
    case 'File':
      return Buffer.isBuffer(rec.oid) ? rec : { ...rec, oid: asBuffer(rec.oid) };
    case 'FileFlow':
      return Buffer.isBuffer(rec.fileOID) ? rec : { ...rec, fileOID: asBuffer(rec.fileOID) };
    case 'FileEvent':
      return (Buffer.isBuffer(rec.fileOID) || rec.fileOID === undefined) &&
        (rec.newFileOID === null || Buffer.isBuffer(rec.newFileOID))
        ? rec
        : { ...rec, fileOID: asBuffer(rec.fileOID), newFileOID: asBuffer(rec.newFileOID) };
    default:
      return rec;
  }
}

/**
 * The synchronous core of every writer: turns records into the bytes of an Avro object container file
 * with the SysFlow v5 writer schema — the header first, then one block each time a block fills up.
 */
export class SysFlowEncoder {
  /** Records encoded so far. */
  records = 0;
  private readonly codec: 'deflate' | 'null';
  private readonly level: number;
  private readonly perBlock: number;
  private readonly blockBytes: number;
  private readonly sync: Uint8Array;
  private readonly validate: boolean;
  private readonly metadata: [string, Uint8Array][];
  private buf: Buffer;
  private pos = 0;
  private count = 0;
  private headerDone = false;

  constructor(options: WriteOptions = {}) {
    this.codec = options.codec ?? 'deflate';
    if (this.codec !== 'deflate' && this.codec !== 'null') {
      throw new SysFlowError(
        'UNSUPPORTED_CODEC',
        `codec "${String(this.codec)}" is not supported (null and deflate are)`,
      );
    }
    this.level = options.compressionLevel ?? 6;
    this.perBlock = Math.max(1, options.recordsPerBlock ?? 1000);
    this.blockBytes = Math.max(1, options.blockBytes ?? 64 * 1024);
    this.validate = options.validate ?? true;
    const sync = options.syncMarker ?? randomBytes(SYNC_SIZE);
    if (sync.length !== SYNC_SIZE) throw new SysFlowError('INVALID_RECORD', 'syncMarker must be 16 bytes');
    this.sync = Uint8Array.from(sync);
    this.metadata = [];
    for (const [key, value] of Object.entries(options.metadata ?? {})) {
      if (key.startsWith('avro.'))
        throw new SysFlowError('INVALID_RECORD', `metadata key ${key} is reserved`);
      this.metadata.push([key, typeof value === 'string' ? textEncoder.encode(value) : value]);
    }
    this.buf = Buffer.allocUnsafe(Math.min(this.blockBytes + 4096, 1 << 20));
  }

  /** The file header (magic, metadata, sync marker); returned once, by the first call that needs it. */
  header(): Uint8Array {
    const out: number[] = [...MAGIC];
    const entries: [string, Uint8Array][] = [
      ['avro.schema', textEncoder.encode(JSON.stringify(SYSFLOW_SCHEMA))],
      ['avro.codec', textEncoder.encode(this.codec)],
      ...this.metadata,
    ];
    varint(entries.length, out);
    for (const [key, value] of entries) {
      lengthPrefixed(textEncoder.encode(key), out);
      lengthPrefixed(value, out);
    }
    varint(0, out);
    for (const b of this.sync) out.push(b);
    this.headerDone = true;
    return Uint8Array.from(out);
  }

  /**
   * Encodes one record; returns the bytes now ready for the output (the header before the first record,
   * a whole block when one filled up), or an empty array.
   */
  add(record: SysFlowRecord, recordIndex = this.records): Uint8Array[] {
    const index = record && typeof record === 'object' ? sysflowTypeIndex(record.type) : undefined;
    if (index === undefined) {
      throw new SysFlowError('INVALID_RECORD', `not a SysFlow record (type ${String(record?.type)})`, {
        recordIndex,
      });
    }
    const type = writerSchema().branches[index]!;
    const value = normalize(record);
    if (this.validate) {
      const problems: string[] = [];
      type.isValid(value, {
        errorHook: (path: string[], v: unknown) => {
          if (problems.length < 3) problems.push(`${path.join('.') || '(record)'} = ${describe(v)}`);
        },
      });
      if (problems.length) {
        throw new SysFlowError('INVALID_RECORD', `invalid ${record.type}: ${problems.join('; ')}`, {
          recordIndex,
        });
      }
    }
    const start = this.pos;
    for (;;) {
      let p = start;
      let n = index * 2; // zigzag of a non-negative index < 64 is one byte
      if (this.buf.length - p < 16) {
        this.grow(16);
        continue;
      }
      this.buf[p++] = n;
      try {
        n = type.encode(value, this.buf, p);
      } catch (error) {
        throw new SysFlowError(
          'INVALID_RECORD',
          `${record.type} cannot be encoded: ${(error as Error).message}`,
          { recordIndex },
          error,
        );
      }
      if (n < 0) {
        this.grow(-n);
        continue;
      }
      this.pos = n;
      break;
    }
    this.count++;
    this.records++;
    const ready: Uint8Array[] = this.headerDone ? [] : [this.header()];
    if (this.count >= this.perBlock || this.pos >= this.blockBytes) ready.push(this.flush());
    return ready;
  }

  /** Encodes the records of a batch (as the batch readers yield them). */
  addBatch(batch: SysFlowBatch): Uint8Array[] {
    const ready: Uint8Array[] = [];
    for (const record of batch.records) for (const bytes of this.add(record)) ready.push(bytes);
    return ready;
  }

  /** The pending records as one block (empty array when none are pending). */
  flush(): Uint8Array {
    if (this.count === 0) return new Uint8Array(0);
    const raw = this.buf.subarray(0, this.pos);
    const data = this.codec === 'deflate' ? deflateRawSync(raw, { level: this.level }) : raw;
    const head: number[] = [];
    varint(this.count, head);
    varint(data.length, head);
    const block = new Uint8Array(head.length + data.length + SYNC_SIZE);
    block.set(head, 0);
    block.set(data, head.length);
    block.set(this.sync, head.length + data.length);
    this.count = 0;
    this.pos = 0;
    return block;
  }

  /** Everything still pending: the header if nothing was written yet, then the last block. */
  finish(): Uint8Array[] {
    const out: Uint8Array[] = this.headerDone ? [] : [this.header()];
    const last = this.flush();
    if (last.length) out.push(last);
    return out;
  }

  private grow(missing: number): void {
    const size = Math.max(this.buf.length * 2, this.buf.length + missing + 1024);
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  try {
    return String(JSON.stringify(v)).slice(0, 60);
  } catch {
    return typeof v;
  }
}
