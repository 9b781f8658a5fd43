import { BlockCursor } from './cursor.js';
import { decodeBlock } from './decode-block.js';
import { PcapngError } from './errors.js';
import type { ReadOptions } from './read-options.js';
import type { PcapngBlock } from './types.js';

/**
 * Checks what can only be checked once the input has ended: no partial block left, something read,
 * and (if asked) an interface seen.
 */
export function finishInput(cursor: BlockCursor, options: ReadOptions): void {
  cursor.finish();
  if (cursor.blockIndex < 0)
    throw new PcapngError('NOT_PCAPNG', 'input is empty', { offset: 0, blockIndex: 0, file: cursor.file });
  if (options.requireInterface && !cursor.sawInterface) {
    throw new PcapngError('NO_INTERFACES', 'the capture file has no Interface Description Blocks', {
      offset: cursor.nextFileOffset,
      blockIndex: cursor.blockIndex + 1,
      file: cursor.file,
    });
  }
}

/**
 * Reads every block of a whole pcapng file held in memory, synchronously. Packet data are views into
 * `bytes`. Works in browsers (no Node imports); gzip-compressed input needs the async `readPcapng`.
 *
 * @example
 * ```ts
 * import { readPcapngSync } from '@sysray/pcapng/sync';
 * for (const block of readPcapngSync(bytes)) if (block.type === 'EPB') console.log(block.timestamp);
 * ```
 */
export function* readPcapngSync(
  bytes: Uint8Array,
  options: ReadOptions = {},
): Generator<PcapngBlock, void, undefined> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new PcapngError(
      'NOT_PCAPNG',
      'input is gzip-compressed: use the async readPcapng, which inflates it',
      {
        offset: 0,
      },
    );
  }
  const cursor = new BlockCursor(options);
  cursor.load(bytes, 0);
  while (cursor.next()) yield decodeBlock(cursor);
  finishInput(cursor, options);
}
