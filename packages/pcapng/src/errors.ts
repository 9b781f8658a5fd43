/**
 * What went wrong while reading or writing a capture. Codes are stable: scripts may switch on them.
 */
export type PcapngErrorCode =
  /** The input ended inside a block. */
  | 'TRUNCATED'
  /** The input does not start with a Section Header Block. */
  | 'NOT_PCAPNG'
  /** A Section Header Block's byte-order magic is neither 0x1A2B3C4D nor its byte swap. */
  | 'BAD_BYTE_ORDER_MAGIC'
  /** A Section Header Block has a version this reader does not know (1.0 and 1.2 are known). */
  | 'UNSUPPORTED_VERSION'
  /** A block's total length is under 12, not a multiple of 4, or over the reader's limit. */
  | 'BAD_BLOCK_LENGTH'
  /** A block's trailing length differs from its leading length. */
  | 'LENGTH_MISMATCH'
  /** A block's body is too short for its fixed fields, or a record overruns it. */
  | 'BAD_BLOCK_BODY'
  /** An option overruns its block, or has a length its code does not allow. */
  | 'BAD_OPTION'
  /** An option that may appear once per block appears more than once. */
  | 'DUPLICATE_OPTION'
  /** An `if_tsresol` asks for a resolution finer than 64-bit tick counts can hold. */
  | 'BAD_TIMESTAMP_RESOLUTION'
  /** A packet or statistics block names an interface its section has not described. */
  | 'UNKNOWN_INTERFACE'
  /** The capture has no Interface Description Block (only raised when `requireInterface` is set). */
  | 'NO_INTERFACES'
  /** A block handed to the writer cannot be encoded as given. */
  | 'INVALID_BLOCK'
  /** The source given to a reader or writer is not one of the accepted kinds, or failed. */
  | 'BAD_SOURCE'
  // Falco capture (scap) layer codes, raised by `@sysray/pcapng/scap`.
  /** A scap block or event is malformed (bad lengths, parameters past its end, …). */
  | 'SCAP_BAD_BLOCK'
  /** A scap event's header or parameters are inconsistent with the event table. */
  | 'SCAP_BAD_EVENT'
  /** A scap event could not be encoded from the values given. */
  | 'SCAP_ENCODE';

/** Where in the input an error was found. */
export interface PcapngErrorLocation {
  /** Absolute byte offset in the (decompressed) input where the offending block or field starts. */
  offset?: number;
  /** Zero-based index of the offending block in the input. */
  blockIndex?: number;
  /** Path of the file being read, when the source was a path. */
  file?: string;
}

/**
 * The one error class of `@sysray/pcapng`: every malformed input, for every entry point, surfaces as a
 * `PcapngError` with a {@link PcapngErrorCode}, and where known the byte offset and block index.
 *
 * @example
 * ```ts
 * try { for await (const b of readPcapng('bad.pcapng')) {} }
 * catch (e) { if (e instanceof PcapngError) console.error(e.code, e.offset, e.blockIndex); }
 * ```
 */
export class PcapngError extends Error {
  /** Machine-readable cause. */
  readonly code: PcapngErrorCode;
  /** Absolute byte offset where the problem was found, when known. */
  offset: number | undefined;
  /** Zero-based index of the block that holds the problem, when known. */
  blockIndex: number | undefined;
  /** File path, when the reader was given one. */
  file: string | undefined;

  constructor(code: PcapngErrorCode, message: string, location: PcapngErrorLocation = {}) {
    super(message);
    this.name = 'PcapngError';
    this.code = code;
    this.offset = location.offset;
    this.blockIndex = location.blockIndex;
    this.file = location.file;
  }

  /** One line: `CODE: message (file, block N, offset X)`, as the CLI prints it. */
  describe(): string {
    const where: string[] = [];
    if (this.file !== undefined) where.push(this.file);
    if (this.blockIndex !== undefined) where.push(`block ${this.blockIndex}`);
    if (this.offset !== undefined) where.push(`offset ${this.offset}`);
    return `${this.code}: ${this.message}${where.length ? ` (${where.join(', ')})` : ''}`;
  }
}
