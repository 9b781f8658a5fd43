import { PcapngError } from './errors.js';

/** Ticks per second when an interface has no `if_tsresol`: microseconds. */
export const DEFAULT_TICKS_PER_SECOND = 1_000_000n;
const NS_PER_SECOND = 1_000_000_000n;

/**
 * Ticks per second for an `if_tsresol` byte: the low 7 bits are a power of 10, or of 2 when the high
 * bit is set. Returns `undefined` for resolutions whose tick counts would not fit 64 bits
 * (10^-20 and finer, 2^-64 and finer).
 */
export function ticksPerSecondFromTsresol(tsresol: number): bigint | undefined {
  const exponent = tsresol & 0x7f;
  if (tsresol & 0x80) return exponent < 64 ? 1n << BigInt(exponent) : undefined;
  return exponent <= 19 ? 10n ** BigInt(exponent) : undefined;
}

/** The `if_tsresol` byte for a tick rate, when it is an exact power of 10 or 2. */
export function tsresolFromTicksPerSecond(ticksPerSecond: bigint): number | undefined {
  for (let e = 0; e <= 19; e++) if (10n ** BigInt(e) === ticksPerSecond) return e;
  for (let e = 0; e < 64; e++) if (1n << BigInt(e) === ticksPerSecond) return 0x80 | e;
  return undefined;
}

/** Throws `BAD_TIMESTAMP_RESOLUTION` when an `if_tsresol` byte is out of range. */
export function checkTsresol(tsresol: number, offset: number, blockIndex: number): bigint {
  const ticks = ticksPerSecondFromTsresol(tsresol);
  if (ticks === undefined) {
    const base = tsresol & 0x80 ? 2 : 10;
    throw new PcapngError(
      'BAD_TIMESTAMP_RESOLUTION',
      `Interface Description Block if_tsresol resolution ${base}^-${tsresol & 0x7f} is too high`,
      { offset, blockIndex },
    );
  }
  return ticks;
}

/** Nanoseconds since the epoch for a tick count at `ticksPerSecond`, plus `offsetSeconds` (truncating). */
export function ticksToNanoseconds(ticks: bigint, ticksPerSecond: bigint, offsetSeconds: bigint): bigint {
  const base = offsetSeconds * NS_PER_SECOND;
  if (ticksPerSecond === NS_PER_SECOND) return base + ticks;
  if (ticksPerSecond < NS_PER_SECOND && NS_PER_SECOND % ticksPerSecond === 0n)
    return base + ticks * (NS_PER_SECOND / ticksPerSecond);
  const seconds = ticks / ticksPerSecond;
  const fraction = ticks % ticksPerSecond;
  return base + seconds * NS_PER_SECOND + (fraction * NS_PER_SECOND) / ticksPerSecond;
}

/** The tick count that represents `nanoseconds` at `ticksPerSecond` after removing `offsetSeconds`. */
export function nanosecondsToTicks(
  nanoseconds: bigint,
  ticksPerSecond: bigint,
  offsetSeconds: bigint,
): bigint {
  const ns = nanoseconds - offsetSeconds * NS_PER_SECOND;
  if (ticksPerSecond === NS_PER_SECOND) return ns;
  const seconds = ns / NS_PER_SECOND;
  const fraction = ns % NS_PER_SECOND;
  // Round up the fraction so that ticks → ns → ticks is stable for coarser-than-ns resolutions.
  return seconds * ticksPerSecond + (fraction * ticksPerSecond + NS_PER_SECOND - 1n) / NS_PER_SECOND;
}
