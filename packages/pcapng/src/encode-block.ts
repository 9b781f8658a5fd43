import { parseHardwareAddress, parseIPv4, parseIPv6 } from './addresses.js';
import { BlockTypeId, BYTE_ORDER_MAGIC } from './block-types.js';
import { PcapngError } from './errors.js';
import { optionSpec } from './option-codes.js';
import { encodeOptionValue } from './option-values.js';
import { utf8Encoder } from './text.js';
import { DEFAULT_TICKS_PER_SECOND, nanosecondsToTicks, ticksPerSecondFromTsresol } from './timestamps.js';
import type { BlockCommon, NameRecord, PcapngBlock, SectionHeaderBlock } from './types.js';

const padded = (n: number) => (n + 3) & ~3;

/** Timestamp state of an interface the encoder has written. */
interface EncodedInterface {
  ticksPerSecond: bigint;
  offsetSeconds: bigint;
}

/** Options of a block, encoded: their bytes and the total size of the option area. */
interface EncodedOptions {
  items: { code: number; value: Uint8Array }[];
  size: number;
  terminate: boolean;
}

function invalid(message: string, block: { index?: number }): PcapngError {
  return new PcapngError(
    'INVALID_BLOCK',
    message,
    block.index === undefined ? {} : { blockIndex: block.index },
  );
}

/** The default Section Header Block writers start with when the first block given is not one. */
export function defaultSectionHeader(littleEndian = true): SectionHeaderBlock {
  return { type: 'SHB', littleEndian, majorVersion: 1, minorVersion: 0, sectionLength: -1n, options: [] };
}

/**
 * Turns typed blocks into bytes, section by section, in each section's byte order (taken from its
 * SHB). It remembers the interfaces it has written so that packets given only a nanosecond
 * `timestamp` are stored in their interface's resolution. Writers are built on it; use it directly to
 * produce bytes synchronously.
 *
 * @example
 * ```ts
 * const encoder = new BlockEncoder();
 * const bytes = encoder.encode({ type: 'IDB', linkType: 1, snapLength: 0, options: [] });
 * ```
 */
export class BlockEncoder {
  /** Byte order of the section being written. */
  littleEndian = true;
  private started = false;
  private interfaces: EncodedInterface[] = [];
  private blockCount = 0;

  /** Number of blocks encoded so far (including an SHB the encoder added itself). */
  get blocksWritten(): number {
    return this.blockCount;
  }

  /** Whether any block has been encoded yet. */
  get hasStarted(): boolean {
    return this.started;
  }

  /**
   * Encodes one block. The first block of a stream is preceded by a default little-endian SHB when it
   * is not itself an SHB. Throws `PcapngError('INVALID_BLOCK')` for a block that cannot be encoded.
   */
  encode(block: PcapngBlock): Uint8Array {
    if (!this.started && block.type !== 'SHB') {
      const header = this.encodeOne(defaultSectionHeader(this.littleEndian));
      const body = this.encodeOne(block);
      const both = new Uint8Array(header.length + body.length);
      both.set(header, 0);
      both.set(body, header.length);
      return both;
    }
    return this.encodeOne(block);
  }

  private encodeOne(block: PcapngBlock): Uint8Array {
    this.started = true;
    this.blockCount++;
    if (block.type === 'SHB') {
      this.littleEndian = block.littleEndian;
      this.interfaces = [];
    }
    const le = this.littleEndian;
    switch (block.type) {
      case 'SHB': {
        const options = this.options('SHB', block);
        return this.frame(BlockTypeId.SHB, 16, options, (view, at) => {
          view.setUint32(at, BYTE_ORDER_MAGIC, le);
          view.setUint16(at + 4, block.majorVersion, le);
          view.setUint16(at + 6, block.minorVersion, le);
          view.setBigInt64(at + 8, block.sectionLength, le);
        });
      }
      case 'IDB': {
        const options = this.options('IDB', block);
        this.interfaces.push(this.interfaceTiming(block));
        return this.frame(BlockTypeId.IDB, 8, options, (view, at) => {
          view.setUint16(at, block.linkType, le);
          view.setUint16(at + 2, block.reserved ?? 0, le);
          view.setUint32(at + 4, block.snapLength, le);
        });
      }
      case 'EPB':
      case 'PB': {
        const options = this.options(block.type, block);
        const ticks = block.ticks ?? this.ticksFor(block.interfaceId, block.timestamp, block);
        const data = block.data;
        return this.frame(
          block.type === 'EPB' ? BlockTypeId.EPB : BlockTypeId.PB,
          20 + padded(data.length),
          options,
          (view, at, bytes) => {
            if (block.type === 'EPB') view.setUint32(at, block.interfaceId, le);
            else {
              view.setUint16(at, block.interfaceId, le);
              view.setUint16(at + 2, block.dropsCount, le);
            }
            view.setUint32(at + 4, Number(BigInt.asUintN(64, ticks) >> 32n), le);
            view.setUint32(at + 8, Number(BigInt.asUintN(32, ticks)), le);
            view.setUint32(at + 12, data.length, le);
            view.setUint32(at + 16, block.originalLength, le);
            bytes.set(data, at + 20);
          },
        );
      }
      case 'SPB': {
        const data = block.data;
        return this.frame(
          BlockTypeId.SPB,
          4 + padded(data.length),
          this.noOptions(block),
          (view, at, bytes) => {
            view.setUint32(at, block.originalLength, le);
            bytes.set(data, at + 4);
          },
        );
      }
      case 'NRB': {
        const records = block.records.map((r) => this.nameRecord(r, block));
        const size = records.reduce((n, r) => n + 4 + padded(r.value.length), 0) + 4;
        return this.frame(BlockTypeId.NRB, size, this.options('NRB', block), (view, at, bytes) => {
          let p = at;
          for (const r of records) {
            view.setUint16(p, r.type, le);
            view.setUint16(p + 2, r.value.length, le);
            bytes.set(r.value, p + 4);
            p += 4 + padded(r.value.length);
          }
          // nrb_record_end: type 0, length 0 (already zero-filled).
        });
      }
      case 'ISB': {
        const ticks = block.ticks ?? this.ticksFor(block.interfaceId, block.timestamp, block);
        return this.frame(BlockTypeId.ISB, 12, this.options('ISB', block), (view, at) => {
          view.setUint32(at, block.interfaceId, le);
          view.setUint32(at + 4, Number(BigInt.asUintN(64, ticks) >> 32n), le);
          view.setUint32(at + 8, Number(BigInt.asUintN(32, ticks)), le);
        });
      }
      case 'DSB': {
        const data = block.data;
        return this.frame(
          BlockTypeId.DSB,
          8 + padded(data.length),
          this.options('DSB', block),
          (view, at, bytes) => {
            view.setUint32(at, block.secretsType, le);
            view.setUint32(at + 4, data.length, le);
            bytes.set(data, at + 8);
          },
        );
      }
      case 'CB':
      case 'DCB': {
        const data = block.data;
        return this.frame(
          block.type === 'CB' ? BlockTypeId.CB : BlockTypeId.DCB,
          4 + padded(data.length),
          this.noOptions(block),
          (view, at, bytes) => {
            view.setUint32(at, block.pen, le);
            bytes.set(data, at + 4);
          },
        );
      }
      case 'UNKNOWN': {
        const body = block.body;
        return this.frame(block.blockType, padded(body.length), this.noOptions(block), (_view, at, bytes) => {
          bytes.set(body, at);
        });
      }
      default:
        throw invalid(`unknown block type ${(block as { type: unknown }).type}`, block as { index?: number });
    }
  }

  /** Writes header, fixed part (by `fill`), options and trailer into one new buffer. */
  private frame(
    blockType: number,
    fixedSize: number,
    options: EncodedOptions,
    fill: (view: DataView, at: number, bytes: Uint8Array) => void,
  ): Uint8Array {
    const length = 12 + fixedSize + options.size;
    const bytes = new Uint8Array(length);
    const view = new DataView(bytes.buffer);
    const le = this.littleEndian;
    view.setUint32(0, blockType >>> 0, le);
    view.setUint32(4, length, le);
    fill(view, 8, bytes);
    let p = 8 + fixedSize;
    for (const { code, value } of options.items) {
      if (code < 0) {
        // Trailing bytes after opt_endofopt, written as they were found.
        bytes.set(value, p + 4);
        continue;
      }
      view.setUint16(p, code, le);
      view.setUint16(p + 2, value.length, le);
      bytes.set(value, p + 4);
      p += 4 + padded(value.length);
    }
    // opt_endofopt is four zero bytes, already there when `terminate` reserved room for it.
    view.setUint32(length - 4, length, le);
    return bytes;
  }

  private noOptions(_block: unknown): EncodedOptions {
    return { items: [], size: 0, terminate: false };
  }

  private options(blockName: string, block: BlockCommon & { index?: number }): EncodedOptions {
    const items: { code: number; value: Uint8Array }[] = [];
    let size = 0;
    for (const option of block.options) {
      let value: Uint8Array;
      try {
        value = encodeOptionValue(optionSpec(blockName, option.code), option.value, this.littleEndian);
      } catch (error) {
        throw invalid(`${blockName}: ${(error as Error).message}`, block);
      }
      if (value.length > 0xffff)
        throw invalid(`${blockName}: option ${option.name} is longer than 65535 bytes`, block);
      items.push({ code: option.code, value });
      size += 4 + padded(value.length);
    }
    const trailing = block.trailingBytes;
    const terminate =
      items.length > 0 || trailing ? block.optionsTerminated !== false : block.optionsTerminated === true;
    if (terminate) size += 4;
    if (trailing) {
      items.push({ code: -1, value: trailing });
      size += padded(trailing.length);
    }
    return { items, size, terminate };
  }

  private interfaceTiming(block: BlockCommon): EncodedInterface {
    let ticksPerSecond = DEFAULT_TICKS_PER_SECOND;
    let offsetSeconds = 0n;
    for (const option of block.options) {
      if (option.code === 9 && typeof option.value === 'number')
        ticksPerSecond = ticksPerSecondFromTsresol(option.value) ?? ticksPerSecond;
      if (option.code === 14 && typeof option.value === 'bigint') offsetSeconds = option.value;
    }
    return { ticksPerSecond, offsetSeconds };
  }

  private ticksFor(interfaceId: number, timestamp: bigint, block: { index?: number }): bigint {
    const iface = this.interfaces[interfaceId];
    if (!iface)
      throw invalid(`packet refers to interface ${interfaceId}, which this section has not described`, block);
    return nanosecondsToTicks(timestamp, iface.ticksPerSecond, iface.offsetSeconds);
  }

  private nameRecord(record: NameRecord, block: { index?: number }): { type: number; value: Uint8Array } {
    if (record.type === 'unknown') return { type: record.recordType, value: record.value };
    const [code, address] =
      record.type === 'ipv4'
        ? [1, parseIPv4(record.address)]
        : record.type === 'ipv6'
          ? [2, parseIPv6(record.address)]
          : [
              record.type === 'eui48' ? 3 : 4,
              parseHardwareAddress(record.address, record.type === 'eui48' ? 6 : 8),
            ];
    if (!address)
      throw invalid(`NRB record address ${record.address} is not a valid ${record.type} address`, block);
    const names = record.names.map((n) => utf8Encoder.encode(n));
    const value = new Uint8Array(address.length + names.reduce((n, b) => n + b.length + 1, 0));
    value.set(address, 0);
    let p = address.length;
    for (const name of names) {
      value.set(name, p);
      p += name.length + 1;
    }
    return { type: code, value };
  }
}
