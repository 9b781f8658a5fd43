import { decodeBlock } from '@sysray/pcapng';
import type { Command } from '../command.js';
import { blockJsonLine } from '../format/json.js';
import { blockLine } from '../format/text.js';
import { walkBlocks } from '../input.js';

/**
 * `sysray dump FILE [--json]`: every block of a pcapng file, one line each — readable text, or NDJSON
 * whose field names are a stable contract (see `blockToJson`).
 */
export const dumpCommand: Command = {
  name: 'dump',
  summary: 'print every block of a pcapng file, one per line (text or NDJSON)',
  description: [
    'Print every block of a pcapng file (or gzip-compressed one), one line per block: its index, byte',
    'offset, type and key fields, with a tshark-like summary of each packet. With --json, one JSON object',
    'per line (NDJSON) with the block’s decoded fields and options: `index`, `offset`, `section`, `type`',
    '(`"EPB"`, …); for packets `interfaceId`, `timestamp` (ns since the epoch, decimal string),',
    '`capturedLength`, `originalLength`, `data` (hex); `options` keyed by option name (repeatable ones as',
    'arrays), bigints as decimal strings and bytes as hex; unknown blocks with `blockType` and `body` (hex).',
    'Blocks before a malformed one are printed before the error.',
  ].join('\n'),
  arguments: [{ name: 'FILE', description: 'a .pcapng or .pcapng.gz file, or - for standard input' }],
  options: {
    json: { type: 'boolean', short: 'j', description: 'print NDJSON, one object per block' },
    'no-progress': { type: 'boolean', description: 'never draw a progress bar' },
    'require-interface': {
      type: 'boolean',
      description: 'fail (NO_INTERFACES) on a capture that describes no interface, as libpcap does',
    },
  },
  examples: [
    { command: 'sysray dump examples/data/demo.pcapng', description: 'one readable line per block' },
    {
      command: 'sysray dump examples/data/demo.pcapng --json | jq -r \'select(.type=="EPB") | .timestamp\'',
      description: 'packet timestamps (ns) with jq',
    },
    { command: 'sysray dump big.pcapng | head', description: 'the first blocks of a large file' },
  ],
  async run({ args, options, stdout, ...context }) {
    const file = args[0]!;
    const json = options.json === true;
    await walkBlocks(
      { args, options, stdout, ...context },
      file,
      (cursor) => {
        const block = decodeBlock(cursor);
        stdout.line(json ? blockJsonLine(block) : blockLine(block, cursor.interfaces));
      },
      { streamsToStdout: true, requireInterface: options['require-interface'] === true },
    );
    return 0;
  },
};
