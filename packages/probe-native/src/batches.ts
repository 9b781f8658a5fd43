/** Ring-buffer chunks (complete little-endian EV_V2 blocks back to back) as `EventBatch`es. */
import { EventBatch } from '@sysray/pcapng/scap';
import { ProbeError } from './errors.js';

/**
 * Indexes a chunk of event blocks as an {@link EventBatch} (no copy: the batch views `bytes`).
 * `firstNum` is the capture-wide number of its first event.
 * @throws ProbeError `INTERNAL` when a block's length does not fit the chunk.
 */
export function chunkToBatch(bytes: Uint8Array, firstNum: number, fileOffset = 0): EventBatch {
  const batch = new EventBatch(bytes, fileOffset, Math.max(16, bytes.length >>> 7), firstNum);
  const view = batch.view;
  let off = 0;
  while (off + 12 <= bytes.length) {
    const type = view.getUint32(off, true);
    const total = view.getUint32(off + 4, true);
    if (total < 12 || total % 4 !== 0 || off + total > bytes.length)
      throw new ProbeError(
        'INTERNAL',
        `probe block of ${total} bytes at chunk offset ${off} does not fit its chunk`,
      );
    batch.addEventBlock(type, off + 8, total - 12, true);
    off += total;
  }
  if (off !== bytes.length)
    throw new ProbeError(
      'INTERNAL',
      `${bytes.length - off} stray bytes after the last probe block of a chunk`,
    );
  return batch;
}
