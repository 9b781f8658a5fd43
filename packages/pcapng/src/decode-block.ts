import { formatHardwareAddress, formatIPv4, formatIPv6 } from './addresses.js';
import { BlockTypeId, blockTypeName } from './block-types.js';
import type { BlockCursor } from './cursor.js';
import { PcapngError } from './errors.js';
import { optionSpec } from './option-codes.js';
import { type ScanLocation, scanOptions } from './option-scan.js';
import { decodeOptionValue } from './option-values.js';
import { decodeTextOrBytes } from './text.js';
import { ticksToNanoseconds } from './timestamps.js';
import type { BlockCommon, NameRecord, PcapngBlock, PcapngOption } from './types.js';

/** Reading position shared by the per-block decoders. */
interface Ctx {
  cursor: BlockCursor;
  /** Window offset of the block start. */
  at: number;
  le: boolean;
  view: DataView;
  bytes: Uint8Array;
  /** Window offset of the trailer (end of the option area). */
  end: number;
  where: ScanLocation;
}

function fail(ctx: Ctx, windowOffset: number, message: string): never {
  throw new PcapngError('BAD_BLOCK_BODY', `${ctx.where.blockName} ${message}`, {
    offset: ctx.where.blockFileOffset + (windowOffset - ctx.at),
    blockIndex: ctx.where.blockIndex,
  });
}

function common(ctx: Ctx, blockName: string, optionsStart: number): BlockCommon {
  const options: PcapngOption[] = [];
  const endOfOptions = scanOptions(
    ctx.view,
    optionsStart,
    ctx.end,
    ctx.le,
    ctx.where,
    (code, valueOffset, length) => {
      const spec = optionSpec(blockName, code);
      options.push({
        code,
        name: spec.name,
        value: decodeOptionValue(spec, ctx.bytes.subarray(valueOffset, valueOffset + length), ctx.le),
      });
    },
  );
  const block: BlockCommon = {
    index: ctx.cursor.blockIndex,
    offset: ctx.cursor.fileOffset,
    section: ctx.cursor.sectionIndex,
    options,
  };
  const terminated = endOfOptions >= 0;
  if (options.length === 0 ? terminated : !terminated) block.optionsTerminated = terminated;
  if (terminated && endOfOptions < ctx.end) block.trailingBytes = ctx.bytes.slice(endOfOptions, ctx.end);
  return block;
}

function padded(length: number): number {
  return (length + 3) & ~3;
}

function timestampOf(ctx: Ctx, interfaceId: number, ticks: bigint): bigint {
  const iface = ctx.cursor.interfaces[interfaceId]!;
  return nanoseconds(ticks, iface.ticksPerSecond, iface.offsetSeconds);
}

function readTicks(ctx: Ctx, offset: number): bigint {
  return ticksAt(ctx.view, offset, ctx.le);
}

/** A timestamp's two 32-bit words as one bigint (one conversion when the value fits a double exactly). */
function ticksAt(view: DataView, offset: number, le: boolean): bigint {
  const high = view.getUint32(offset, le);
  const low = view.getUint32(offset + 4, le);
  return high < 0x200000 ? BigInt(high * 0x100000000 + low) : (BigInt(high) << 32n) | BigInt(low);
}

/** `ticksToNanoseconds`, with the two common resolutions (µs, ns; no offset) done in one step. */
function nanoseconds(ticks: bigint, ticksPerSecond: bigint, offsetSeconds: bigint): bigint {
  if (offsetSeconds === 0n) {
    if (ticksPerSecond === 1_000_000n) return ticks * 1000n;
    if (ticksPerSecond === 1_000_000_000n) return ticks;
  }
  return ticksToNanoseconds(ticks, ticksPerSecond, offsetSeconds);
}

/**
 * The common case of an EPB without options, decoded without the generic machinery; `undefined`
 * when the block has an option area (the caller then decodes it generically). Same fields, same
 * order, same values as the generic path.
 */
function bareEnhancedPacket(cursor: BlockCursor): PcapngBlock | undefined {
  const at = cursor.blockOffset;
  const view = cursor.view;
  const le = cursor.littleEndian;
  const capturedLength = view.getUint32(at + 20, le);
  const dataStart = at + 28;
  if (dataStart + padded(capturedLength) !== at + cursor.blockLength - 4) return undefined;
  const interfaceId = view.getUint32(at + 8, le);
  const ticks = ticksAt(view, at + 12, le);
  const iface = cursor.interfaces[interfaceId]!;
  return {
    type: 'EPB',
    interfaceId,
    timestamp: nanoseconds(ticks, iface.ticksPerSecond, iface.offsetSeconds),
    ticks,
    capturedLength,
    originalLength: view.getUint32(at + 24, le),
    data: cursor.bytes.subarray(dataStart, dataStart + capturedLength),
    index: cursor.blockIndex,
    offset: cursor.fileOffset,
    section: cursor.sectionIndex,
    options: [],
  };
}

function decodeNameRecords(ctx: Ctx, start: number): { records: NameRecord[]; optionsStart: number } {
  const records: NameRecord[] = [];
  let at = start;
  for (;;) {
    if (at + 4 > ctx.end) fail(ctx, at, 'ends without an nrb_record_end');
    const type = ctx.view.getUint16(at, ctx.le);
    const length = ctx.view.getUint16(at + 2, ctx.le);
    if (type === 0) return { records, optionsStart: at + 4 };
    if (at + 4 + padded(length) > ctx.end) fail(ctx, at, `record of length ${length} overruns the block`);
    const value = ctx.bytes.subarray(at + 4, at + 4 + length);
    const addressLength = type === 1 ? 4 : type === 2 ? 16 : type === 3 ? 6 : type === 4 ? 8 : -1;
    if (addressLength < 0 || value.length < addressLength) {
      records.push({ type: 'unknown', recordType: type, value: value.slice() });
    } else {
      const names: string[] = [];
      let nameStart = addressLength;
      let textOk = true;
      for (let i = addressLength; i < value.length; i++) {
        if (value[i] !== 0) continue;
        const name = decodeTextOrBytes(value.subarray(nameStart, i));
        if (typeof name !== 'string') textOk = false;
        else names.push(name);
        nameStart = i + 1;
      }
      // Names must be NUL-terminated, UTF-8 text; anything else is kept as bytes to round-trip.
      if (!textOk || nameStart !== value.length) {
        records.push({ type: 'unknown', recordType: type, value: value.slice() });
      } else if (type === 1) records.push({ type: 'ipv4', address: formatIPv4(value), names });
      else if (type === 2) records.push({ type: 'ipv6', address: formatIPv6(value), names });
      else
        records.push({
          type: type === 3 ? 'eui48' : 'eui64',
          address: formatHardwareAddress(value, 0, addressLength),
          names,
        });
    }
    at += 4 + padded(length);
  }
}

/**
 * Decodes the cursor's current block into a typed block. Packet data and unknown bodies are views into
 * the cursor's window (copy them to keep them past the window's life in streaming readers).
 */
export function decodeBlock(cursor: BlockCursor): PcapngBlock {
  const type = cursor.blockType;
  if (type === BlockTypeId.EPB) {
    const bare = bareEnhancedPacket(cursor);
    if (bare !== undefined) return bare;
  }
  const at = cursor.blockOffset;
  const name = blockTypeName(type);
  const ctx: Ctx = {
    cursor,
    at,
    le: cursor.littleEndian,
    view: cursor.view,
    bytes: cursor.bytes,
    end: at + cursor.blockLength - 4,
    where: {
      blockFileOffset: cursor.fileOffset,
      blockOffset: at,
      blockIndex: cursor.blockIndex,
      blockName: name ?? 'block',
    },
  };
  const { view, le } = ctx;
  switch (type) {
    case BlockTypeId.SHB:
      return {
        type: 'SHB',
        littleEndian: le,
        majorVersion: view.getUint16(at + 12, le),
        minorVersion: view.getUint16(at + 14, le),
        sectionLength: view.getBigInt64(at + 16, le),
        ...common(ctx, 'SHB', at + 24),
      };
    case BlockTypeId.IDB: {
      const reserved = view.getUint16(at + 10, le);
      const block = {
        type: 'IDB' as const,
        linkType: view.getUint16(at + 8, le),
        snapLength: view.getUint32(at + 12, le),
        ...common(ctx, 'IDB', at + 16),
      };
      return reserved === 0 ? block : { ...block, reserved };
    }
    case BlockTypeId.EPB: {
      const interfaceId = view.getUint32(at + 8, le);
      const ticks = readTicks(ctx, at + 12);
      const capturedLength = view.getUint32(at + 20, le);
      const dataStart = at + 28;
      return {
        type: 'EPB',
        interfaceId,
        timestamp: timestampOf(ctx, interfaceId, ticks),
        ticks,
        capturedLength,
        originalLength: view.getUint32(at + 24, le),
        data: ctx.bytes.subarray(dataStart, dataStart + capturedLength),
        ...common(ctx, 'EPB', dataStart + padded(capturedLength)),
      };
    }
    case BlockTypeId.PB: {
      const interfaceId = view.getUint16(at + 8, le);
      const ticks = readTicks(ctx, at + 12);
      const capturedLength = view.getUint32(at + 20, le);
      const dataStart = at + 28;
      return {
        type: 'PB',
        interfaceId,
        dropsCount: view.getUint16(at + 10, le),
        timestamp: timestampOf(ctx, interfaceId, ticks),
        ticks,
        capturedLength,
        originalLength: view.getUint32(at + 24, le),
        data: ctx.bytes.subarray(dataStart, dataStart + capturedLength),
        ...common(ctx, 'PB', dataStart + padded(capturedLength)),
      };
    }
    case BlockTypeId.SPB: {
      const originalLength = view.getUint32(at + 8, le);
      const room = cursor.blockLength - 16;
      const snap = cursor.interfaces[0]!.snapLength;
      let capturedLength = Math.min(originalLength, room);
      if (snap !== 0) capturedLength = Math.min(capturedLength, snap);
      const data = ctx.bytes.subarray(at + 12, at + 12 + capturedLength);
      // The draft gives SPBs no options; bytes past the padded packet are a framing error.
      if (padded(capturedLength) !== room)
        fail(ctx, at + 12, `holds ${room} bytes for a ${capturedLength}-byte packet`);
      return {
        type: 'SPB',
        interfaceId: 0,
        originalLength,
        capturedLength,
        data,
        index: cursor.blockIndex,
        offset: cursor.fileOffset,
        section: cursor.sectionIndex,
        options: [],
      };
    }
    case BlockTypeId.NRB: {
      const { records, optionsStart } = decodeNameRecords(ctx, at + 8);
      return { type: 'NRB', records, ...common(ctx, 'NRB', optionsStart) };
    }
    case BlockTypeId.ISB: {
      const interfaceId = view.getUint32(at + 8, le);
      const ticks = readTicks(ctx, at + 12);
      return {
        type: 'ISB',
        interfaceId,
        timestamp: timestampOf(ctx, interfaceId, ticks),
        ticks,
        ...common(ctx, 'ISB', at + 20),
      };
    }
    case BlockTypeId.DSB: {
      const secretsType = view.getUint32(at + 8, le);
      const length = view.getUint32(at + 12, le);
      if (at + 16 + padded(length) > ctx.end)
        fail(ctx, at + 12, `secrets length ${length} overruns the block`);
      return {
        type: 'DSB',
        secretsType,
        data: ctx.bytes.subarray(at + 16, at + 16 + length),
        ...common(ctx, 'DSB', at + 16 + padded(length)),
      };
    }
    case BlockTypeId.CB:
    case BlockTypeId.DCB:
      return {
        type: type === BlockTypeId.CB ? 'CB' : 'DCB',
        pen: view.getUint32(at + 8, le),
        data: ctx.bytes.subarray(at + 12, ctx.end),
        index: cursor.blockIndex,
        offset: cursor.fileOffset,
        section: cursor.sectionIndex,
        options: [],
      };
    default:
      return {
        type: 'UNKNOWN',
        blockType: type,
        body: ctx.bytes.subarray(at + 8, ctx.end),
        littleEndian: le,
        index: cursor.blockIndex,
        offset: cursor.fileOffset,
        section: cursor.sectionIndex,
      };
  }
}
