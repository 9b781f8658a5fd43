import { PcapngError } from './errors.js';
import { OPT_ENDOFOPT } from './option-codes.js';

/** Where the block being scanned sits, for error messages. */
export interface ScanLocation {
  /** Absolute offset of the block's first byte. */
  blockFileOffset: number;
  /** Offset of the block's first byte within the scanned buffer. */
  blockOffset: number;
  blockIndex: number;
  blockName: string;
}

/** Receives each option of a list: its code, where its value starts in the buffer, and its length. */
export type OptionVisitor = (code: number, valueOffset: number, length: number) => void;

/**
 * Walks the option list in `[start, end)` of `view`, calling `visit` for each option but
 * `opt_endofopt`. Returns the offset just past `opt_endofopt`, or -1 when the list ran to `end`
 * without one. Throws `BAD_OPTION` for an option that overruns the area or an `opt_endofopt` with a
 * non-zero length.
 */
export function scanOptions(
  view: DataView,
  start: number,
  end: number,
  littleEndian: boolean,
  where: ScanLocation,
  visit: OptionVisitor,
): number {
  let at = start;
  while (at < end) {
    const fileOffset = where.blockFileOffset + (at - where.blockOffset);
    if (end - at < 4) {
      throw new PcapngError(
        'BAD_OPTION',
        `${where.blockName} has ${end - at} stray bytes where an option header should be`,
        {
          offset: fileOffset,
          blockIndex: where.blockIndex,
        },
      );
    }
    const code = view.getUint16(at, littleEndian);
    const length = view.getUint16(at + 2, littleEndian);
    if (code === OPT_ENDOFOPT) {
      if (length !== 0) {
        throw new PcapngError(
          'BAD_OPTION',
          `${where.blockName} has opt_endofopt with length ${length} != 0`,
          {
            offset: fileOffset,
            blockIndex: where.blockIndex,
          },
        );
      }
      return at + 4;
    }
    const padded = (length + 3) & ~3;
    if (at + 4 + padded > end) {
      throw new PcapngError(
        'BAD_OPTION',
        `${where.blockName} option ${code} of length ${length} overruns the block by ${at + 4 + padded - end} bytes`,
        { offset: fileOffset, blockIndex: where.blockIndex },
      );
    }
    visit(code, at + 4, length);
    at += 4 + padded;
  }
  return -1;
}
