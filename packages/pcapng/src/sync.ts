/**
 * `@sysray/pcapng/sync`: the synchronous, browser-safe half of `@sysray/pcapng` — read and write whole
 * pcapng files held in memory, walk blocks with a zero-allocation cursor. No Node-only imports.
 *
 * @packageDocumentation
 */
export {
  formatHardwareAddress,
  formatIPv4,
  formatIPv6,
  parseHardwareAddress,
  parseIPv4,
  parseIPv6,
} from './addresses.js';
export { BlockTypeId, BYTE_ORDER_MAGIC, blockTypeName, type KnownBlockName } from './block-types.js';
export { BlockCursor, MAX_SECTION_HEADER_LENGTH, type ReaderLimits } from './cursor.js';
export { decodeBlock } from './decode-block.js';
export { BlockEncoder, defaultSectionHeader } from './encode-block.js';
export { PcapngError, type PcapngErrorCode, type PcapngErrorLocation } from './errors.js';
export {
  OPT_COMMENT,
  OPT_ENDOFOPT,
  type OptionLayout,
  type OptionSpec,
  optionSpec,
  optionSpecByName,
} from './option-codes.js';
export { decodeOptionValue, encodeOptionValue, getOption, getOptions, makeOption } from './option-values.js';
export type { ReadOptions } from './read-options.js';
export { readPcapngSync } from './read-sync.js';
export { toHex } from './text.js';
export {
  DEFAULT_TICKS_PER_SECOND,
  nanosecondsToTicks,
  ticksPerSecondFromTsresol,
  ticksToNanoseconds,
  tsresolFromTicksPerSecond,
} from './timestamps.js';
export type * from './types.js';
export { concatBytes, writePcapngSync } from './write-sync.js';
