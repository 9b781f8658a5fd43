import { BlockTypeId, BYTE_ORDER_MAGIC, blockTypeName } from './block-types.js';
import { PcapngError } from './errors.js';
import { scanOptions } from './option-scan.js';
import { checkTsresol, DEFAULT_TICKS_PER_SECOND, ticksToNanoseconds } from './timestamps.js';
import type { InterfaceInfo } from './types.js';

/** Limits a reader enforces on its input. */
export interface ReaderLimits {
  /** Largest block accepted, in bytes (default 256 MiB). Larger lengths are `BAD_BLOCK_LENGTH`. */
  maxBlockLength?: number;
}

/** Largest Section Header Block accepted (libpcap's limit: 1 MiB). */
export const MAX_SECTION_HEADER_LENGTH = 1024 * 1024;
const DEFAULT_MAX_BLOCK_LENGTH = 256 * 1024 * 1024;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

/** Fixed-field bytes each packet-ish block needs in its body (0 for other blocks). */
function minimumBody(type: number): number {
  switch (type) {
    case BlockTypeId.SHB:
      return 16;
    case BlockTypeId.IDB:
    case BlockTypeId.DSB:
      return 8;
    case BlockTypeId.EPB:
    case BlockTypeId.PB:
      return 20;
    case BlockTypeId.ISB:
      return 12;
    case BlockTypeId.SPB:
    case BlockTypeId.CB:
    case BlockTypeId.DCB:
      return 4;
    default:
      return 0;
  }
}

/**
 * A low-level, allocation-free walker over the blocks in a window of bytes. It validates each block's
 * framing (lengths, trailer, byte order, version, interface references, timestamp options) and keeps
 * section and interface state across windows, but decodes nothing else: read the fields you need
 * through {@link BlockCursor.view} at {@link BlockCursor.bodyOffset}.
 *
 * @example
 * ```ts
 * const cursor = new BlockCursor();
 * cursor.load(bytes);
 * let packets = 0;
 * while (cursor.next()) if (cursor.blockType === BlockTypeId.EPB) packets++;
 * cursor.finish(); // throws TRUNCATED if bytes are left over
 * ```
 */
export class BlockCursor {
  /** The current window. */
  bytes: Uint8Array = EMPTY;
  /** A DataView over the current window (offsets are window offsets). */
  view: DataView = new DataView(new ArrayBuffer(0));
  /** Type id of the current block. */
  blockType = 0;
  /** Offset of the current block in the window. */
  blockOffset = 0;
  /** Total length of the current block (header and trailer included). */
  blockLength = 0;
  /** Byte order of the current section. */
  littleEndian = true;
  /** Zero-based index of the current block in the whole input. */
  blockIndex = -1;
  /** Zero-based index of the current section. */
  sectionIndex = -1;
  /** Interfaces the current section has described so far, by id. */
  interfaces: InterfaceInfo[] = [];
  /**
   * After {@link next} returns `false` with bytes left: the total length the block at
   * {@link consumed} needs (12 when not even its header is complete).
   */
  needed = 0;
  /** Path of the file being read, added to the errors the cursor throws. */
  file: string | undefined;
  /** Whether any section so far has described an interface. */
  sawInterface = false;

  private position = 0;
  private windowFileOffset = 0;
  private readonly maxBlockLength: number;

  constructor(limits: ReaderLimits = {}) {
    this.maxBlockLength = limits.maxBlockLength ?? DEFAULT_MAX_BLOCK_LENGTH;
  }

  /** Points the cursor at a new window whose first byte is at `fileOffset` in the input. */
  load(bytes: Uint8Array, fileOffset = 0): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = 0;
    this.windowFileOffset = fileOffset;
    this.needed = 0;
  }

  /** Bytes of the window taken by the blocks walked so far. */
  get consumed(): number {
    return this.position;
  }

  /** Absolute offset of the current block in the input. */
  get fileOffset(): number {
    return this.windowFileOffset + this.blockOffset;
  }

  /** Window offset of the current block's body (after type and length). */
  get bodyOffset(): number {
    return this.blockOffset + 8;
  }

  /** Length of the current block's body (without header and trailer). */
  get bodyLength(): number {
    return this.blockLength - 12;
  }

  /** Absolute offset of the first byte the cursor has not walked yet. */
  get nextFileOffset(): number {
    return this.windowFileOffset + this.position;
  }

  /**
   * Moves to the next complete block of the window. Returns `false` when the window holds no further
   * complete block ({@link needed} says how many bytes the next one wants). Throws a `PcapngError`
   * for a malformed block; the cursor then stays before it.
   */
  next(): boolean {
    // Fast path, for the block nearly every capture is made of: a well-formed EPB in an open section.
    // It makes exactly the checks `step` makes and succeeds only when all of them pass; anything else
    // (other block types, short windows, every error) goes through `step`.
    const at = this.position;
    const available = this.bytes.length - at;
    if (available >= 32 && this.sectionIndex >= 0) {
      const view = this.view;
      const le = this.littleEndian;
      const length = view.getUint32(at + 4, le);
      if (
        view.getUint32(at, le) === BlockTypeId.EPB &&
        length >= 32 &&
        (length & 3) === 0 &&
        length <= available &&
        length <= this.maxBlockLength &&
        view.getUint32(at + length - 4, le) === length &&
        view.getUint32(at + 8, le) < this.interfaces.length &&
        view.getUint32(at + 20, le) <= length - 32
      ) {
        this.blockOffset = at;
        this.blockLength = length;
        this.blockType = BlockTypeId.EPB;
        this.position = at + length;
        this.blockIndex++;
        this.needed = 0;
        return true;
      }
    }
    try {
      return this.step();
    } catch (error) {
      if (error instanceof PcapngError && error.file === undefined) error.file = this.file;
      throw error;
    }
  }

  private step(): boolean {
    const at = this.position;
    const available = this.bytes.length - at;
    if (available < 12) {
      this.needed = available === 0 ? 0 : 12;
      return false;
    }
    const view = this.view;
    const index = this.blockIndex + 1;
    const fileOffset = this.windowFileOffset + at;
    let littleEndian = this.littleEndian;
    const type = view.getUint32(at, littleEndian);
    if (type === BlockTypeId.SHB) {
      const magic = view.getUint32(at + 8, true);
      if (magic === BYTE_ORDER_MAGIC) littleEndian = true;
      else if (magic === 0x4d3c2b1a) littleEndian = false;
      else
        throw new PcapngError(
          'BAD_BYTE_ORDER_MAGIC',
          `Section Header Block has byte-order magic 0x${magic.toString(16)}`,
          {
            offset: fileOffset + 8,
            blockIndex: index,
          },
        );
    } else if (this.sectionIndex < 0) {
      throw new PcapngError(
        'NOT_PCAPNG',
        `input does not start with a Section Header Block (found 0x${type.toString(16)})`,
        {
          offset: fileOffset,
          blockIndex: index,
        },
      );
    }
    const length = view.getUint32(at + 4, littleEndian);
    this.checkLength(type, length, fileOffset, index);
    if (available < length) {
      this.needed = length;
      return false;
    }
    const trailer = view.getUint32(at + length - 4, littleEndian);
    if (trailer !== length) {
      throw new PcapngError(
        'LENGTH_MISMATCH',
        `block total length in header ${length} and trailer ${trailer} don't match`,
        { offset: fileOffset, blockIndex: index },
      );
    }
    const minimum = minimumBody(type);
    if (length - 12 < minimum) {
      throw new PcapngError(
        'BAD_BLOCK_BODY',
        `${blockTypeName(type) ?? 'block'} body of ${length - 12} bytes is shorter than its ${minimum} bytes of fixed fields`,
        { offset: fileOffset, blockIndex: index },
      );
    }
    this.blockOffset = at;
    this.blockLength = length;
    this.blockType = type;
    switch (type) {
      case BlockTypeId.SHB:
        this.enterSection(littleEndian, fileOffset, index);
        break;
      case BlockTypeId.IDB:
        this.addInterface(fileOffset, index);
        break;
      case BlockTypeId.EPB:
      case BlockTypeId.ISB:
        this.checkInterface(view.getUint32(at + 8, littleEndian), fileOffset, index);
        if (type === BlockTypeId.EPB) this.checkCapturedLength(fileOffset, index);
        break;
      case BlockTypeId.PB:
        this.checkInterface(view.getUint16(at + 8, littleEndian), fileOffset, index);
        this.checkCapturedLength(fileOffset, index);
        break;
      case BlockTypeId.SPB:
        this.checkInterface(0, fileOffset, index);
        break;
    }
    this.position = at + length;
    this.blockIndex = index;
    this.needed = 0;
    return true;
  }

  /**
   * Call when the input has ended: throws `TRUNCATED` if the window holds bytes the cursor could not
   * turn into a complete block.
   */
  finish(): void {
    if (this.next()) {
      throw new PcapngError('INVALID_BLOCK', 'finish() called before the window was walked to its end', {
        offset: this.fileOffset,
        blockIndex: this.blockIndex,
      });
    }
    const left = this.bytes.length - this.position;
    if (left > 0) {
      const wanted = this.needed;
      throw new PcapngError(
        'TRUNCATED',
        `truncated pcapng input; block needs ${wanted} bytes, only ${left} left`,
        { offset: this.nextFileOffset, blockIndex: this.blockIndex + 1, file: this.file },
      );
    }
  }

  /** The interface a packet or statistics block refers to, for the current block. */
  interfaceOf(id: number): InterfaceInfo | undefined {
    return this.interfaces[id];
  }

  /** Raw timestamp ticks of the current EPB, PB or ISB (high and low words, section byte order). */
  ticks(): bigint {
    const at = this.blockOffset + 12;
    const high = this.view.getUint32(at, this.littleEndian);
    const low = this.view.getUint32(at + 4, this.littleEndian);
    return (BigInt(high) << 32n) | BigInt(low);
  }

  /** Timestamp of the current EPB, PB or ISB in nanoseconds since the epoch. */
  timestamp(): bigint {
    const id =
      this.blockType === BlockTypeId.PB
        ? this.view.getUint16(this.blockOffset + 8, this.littleEndian)
        : this.view.getUint32(this.blockOffset + 8, this.littleEndian);
    const iface = this.interfaces[id]!;
    return ticksToNanoseconds(this.ticks(), iface.ticksPerSecond, iface.offsetSeconds);
  }

  private checkLength(type: number, length: number, fileOffset: number, index: number): void {
    if (type === BlockTypeId.SHB && (length < 28 || length > MAX_SECTION_HEADER_LENGTH)) {
      throw new PcapngError(
        'BAD_BLOCK_LENGTH',
        `Section Header Block has invalid length ${length} (must be 28 to ${MAX_SECTION_HEADER_LENGTH})`,
        { offset: fileOffset, blockIndex: index },
      );
    }
    if (length < 12)
      throw new PcapngError('BAD_BLOCK_LENGTH', `block has a length of ${length} < 12`, {
        offset: fileOffset,
        blockIndex: index,
      });
    if (length % 4 !== 0)
      throw new PcapngError(
        'BAD_BLOCK_LENGTH',
        `block has a length of ${length} that is not a multiple of 4`,
        { offset: fileOffset, blockIndex: index },
      );
    if (length > this.maxBlockLength)
      throw new PcapngError(
        'BAD_BLOCK_LENGTH',
        `block length ${length} exceeds the limit of ${this.maxBlockLength}`,
        { offset: fileOffset, blockIndex: index },
      );
  }

  private enterSection(littleEndian: boolean, fileOffset: number, index: number): void {
    const at = this.blockOffset;
    const major = this.view.getUint16(at + 12, littleEndian);
    const minor = this.view.getUint16(at + 14, littleEndian);
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      throw new PcapngError('UNSUPPORTED_VERSION', `unsupported pcapng savefile version ${major}.${minor}`, {
        offset: fileOffset + 12,
        blockIndex: index,
      });
    }
    this.littleEndian = littleEndian;
    this.sectionIndex++;
    this.interfaces = [];
  }

  private addInterface(fileOffset: number, index: number): void {
    const at = this.blockOffset;
    const view = this.view;
    const le = this.littleEndian;
    let ticksPerSecond = DEFAULT_TICKS_PER_SECOND;
    let offsetSeconds = 0n;
    let name: string | undefined;
    let sawTsresol = false;
    let sawTsoffset = false;
    const where = {
      blockFileOffset: fileOffset,
      blockOffset: at,
      blockIndex: index,
      blockName: 'Interface Description Block',
    };
    const fail = (code: 'BAD_OPTION' | 'DUPLICATE_OPTION', message: string, valueOffset: number) => {
      throw new PcapngError(code, `Interface Description Block ${message}`, {
        offset: fileOffset + (valueOffset - 4 - at),
        blockIndex: index,
      });
    };
    scanOptions(view, at + 16, at + this.blockLength - 4, le, where, (code, valueOffset, length) => {
      if (code === OPT_IF_TSRESOL) {
        if (length !== 1) fail('BAD_OPTION', `has if_tsresol option with length ${length} != 1`, valueOffset);
        if (sawTsresol) fail('DUPLICATE_OPTION', 'has more than one if_tsresol option', valueOffset);
        sawTsresol = true;
        ticksPerSecond = checkTsresol(view.getUint8(valueOffset), fileOffset + (valueOffset - at), index);
      } else if (code === OPT_IF_TSOFFSET) {
        if (length !== 8)
          fail('BAD_OPTION', `has if_tsoffset option with length ${length} != 8`, valueOffset);
        if (sawTsoffset) fail('DUPLICATE_OPTION', 'has more than one if_tsoffset option', valueOffset);
        sawTsoffset = true;
        offsetSeconds = view.getBigInt64(valueOffset, le);
      } else if (code === OPT_IF_NAME && name === undefined) {
        name = utf8.decode(this.bytes.subarray(valueOffset, valueOffset + length));
      }
    });
    const info: InterfaceInfo = {
      id: this.interfaces.length,
      section: this.sectionIndex,
      linkType: view.getUint16(at + 8, le),
      snapLength: view.getUint32(at + 12, le),
      ticksPerSecond,
      offsetSeconds,
    };
    if (name !== undefined) info.name = name;
    this.interfaces.push(info);
    this.sawInterface = true;
  }

  private checkInterface(id: number, fileOffset: number, index: number): void {
    if (id >= this.interfaces.length) {
      const name = blockTypeName(this.blockType) ?? 'block';
      throw new PcapngError(
        'UNKNOWN_INTERFACE',
        this.interfaces.length === 0
          ? `${name} before any Interface Description Block in its section`
          : `${name} refers to interface ${id}, but its section describes ${this.interfaces.length}`,
        { offset: fileOffset, blockIndex: index },
      );
    }
  }

  private checkCapturedLength(fileOffset: number, index: number): void {
    const captured = this.view.getUint32(this.blockOffset + 20, this.littleEndian);
    if (captured > this.blockLength - 32) {
      throw new PcapngError(
        'BAD_BLOCK_BODY',
        `${blockTypeName(this.blockType)} captured length ${captured} exceeds its block (${this.blockLength - 32} bytes available)`,
        { offset: fileOffset, blockIndex: index },
      );
    }
  }
}
