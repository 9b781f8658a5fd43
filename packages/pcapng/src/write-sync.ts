import { BlockEncoder } from './encode-block.js';
import type { PcapngBlock } from './types.js';

/** Joins byte arrays into one. */
export function concatBytes(
  parts: readonly Uint8Array[],
  total = parts.reduce((n, p) => n + p.length, 0),
): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Encodes blocks into one pcapng byte array, synchronously (browsers too). A default SHB is added when
 * the first block is not one.
 *
 * @example
 * ```ts
 * const bytes = writePcapngSync([...readPcapngSync(input)].filter((b) => b.type !== 'NRB'));
 * ```
 */
export function writePcapngSync(blocks: Iterable<PcapngBlock>): Uint8Array {
  const encoder = new BlockEncoder();
  const parts: Uint8Array[] = [];
  for (const block of blocks) parts.push(encoder.encode(block));
  return concatBytes(parts);
}
