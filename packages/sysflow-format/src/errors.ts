/**
 * What went wrong while reading or writing SysFlow data. Codes are stable: scripts may switch on them.
 */
export type SysFlowErrorCode =
  /** The input does not start with the Avro object container magic `Obj\x01`. */
  | 'BAD_MAGIC'
  /** The input ended inside the file header or inside a block. */
  | 'TRUNCATED'
  /** The file header's metadata map is malformed, too large, or lacks `avro.schema`. */
  | 'BAD_HEADER'
  /** The writer schema is not valid JSON/Avro, or cannot be resolved to the SysFlow v5 schema. */
  | 'BAD_SCHEMA'
  /** The file names a codec other than `null` and `deflate`. */
  | 'UNSUPPORTED_CODEC'
  /** A block is not followed by the file's 16-byte sync marker. */
  | 'BAD_SYNC'
  /** A block's record count or byte size is negative, over the reader's limit, or disagrees with its data. */
  | 'BAD_BLOCK'
  /** A deflate block does not inflate (corrupt data, or larger than the reader's limit). */
  | 'BAD_COMPRESSION'
  /** A record's bytes do not decode under the writer schema (bad union/enum index, length past the block…). */
  | 'BAD_RECORD'
  /** A record handed to the writer does not match the SysFlow v5 schema. */
  | 'INVALID_RECORD'
  /** The source or destination is not one of the accepted kinds, or failed while reading/writing. */
  | 'BAD_SOURCE'
  /** The writer was used after `close()`. */
  | 'WRITER_CLOSED';

/** Where in the input an error was found. */
export interface SysFlowErrorLocation {
  /** Absolute byte offset in the file where the offending header, block or field starts. */
  offset?: number;
  /** Zero-based index of the offending Avro data block. */
  blockIndex?: number;
  /** Zero-based index of the offending record inside its block (or in the writer's input). */
  recordIndex?: number;
  /** Path of the file being read or written, when the source was a path. */
  file?: string;
}

/**
 * The one error class of `@sysray/sysflow-format`: every malformed input and every invalid record, for
 * every entry point, surfaces as a `SysFlowError` with a {@link SysFlowErrorCode} and, where known, the
 * byte offset, the block index and the record index.
 *
 * @example
 * ```ts
 * try { for await (const r of readSysFlow('trace.sf')) {} }
 * catch (e) { if (e instanceof SysFlowError) console.error(e.describe()); }
 * ```
 */
export class SysFlowError extends Error {
  /** Machine-readable cause. */
  readonly code: SysFlowErrorCode;
  /** Absolute byte offset where the problem was found, when known. */
  offset: number | undefined;
  /** Zero-based index of the data block that holds the problem, when known. */
  blockIndex: number | undefined;
  /** Zero-based index of the record (inside its block, or in the writer's input), when known. */
  recordIndex: number | undefined;
  /** File path, when the reader or writer was given one. */
  file: string | undefined;

  constructor(code: SysFlowErrorCode, message: string, location: SysFlowErrorLocation = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SysFlowError';
    this.code = code;
    this.offset = location.offset;
    this.blockIndex = location.blockIndex;
    this.recordIndex = location.recordIndex;
    this.file = location.file;
  }

  /** One line: `CODE: message (file, block N, record M, offset X)`, as the CLI prints it. */
  describe(): string {
    const where: string[] = [];
    if (this.file !== undefined) where.push(this.file);
    if (this.blockIndex !== undefined) where.push(`block ${this.blockIndex}`);
    if (this.recordIndex !== undefined) where.push(`record ${this.recordIndex}`);
    if (this.offset !== undefined) where.push(`offset ${this.offset}`);
    return `${this.code}: ${this.message}${where.length ? ` (${where.join(', ')})` : ''}`;
  }
}

/** Fills in the location fields a `SysFlowError` does not know yet (e.g. the file path). */
export function locate(error: SysFlowError, location: SysFlowErrorLocation): SysFlowError {
  if (error.offset === undefined) error.offset = location.offset;
  if (error.blockIndex === undefined) error.blockIndex = location.blockIndex;
  if (error.recordIndex === undefined) error.recordIndex = location.recordIndex;
  if (error.file === undefined) error.file = location.file;
  return error;
}
