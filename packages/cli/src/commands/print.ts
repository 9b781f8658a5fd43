import { printSysFlow, resolveSysFlow, type SysFlowPrintFormat } from '@sysray/sysflow-format';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { chunksWithProgress, openInput } from '../input.js';

/** `sysray print FILE.sf [--json|--csv]`: the records of a SysFlow file, sysprint-style. */
export const printCommand: Command = {
  name: 'print',
  summary: 'print the records of a SysFlow file (.sf), one per line, like sysprint (text, NDJSON or CSV)',
  description: [
    'Print every record of a SysFlow file (.sf, any schema version up to 5), one line per record, with',
    'flows and events resolved to their process, parent, container and files, like sysprint: time, type',
    'tag (H C P F PE NF FF FE NE PF POD KE), operation flags, pid:tid exe args, then the record’s own',
    'details. With --json, one JSON object per record (NDJSON): `{"type": "NetworkFlow", "rec": {…}}` with',
    'the fields in schema order, longs as decimal strings, file ids as hex, enums as symbols. With --csv,',
    'a header line then one RFC 4180 row per record.',
  ].join('\n'),
  arguments: [{ name: 'FILE', description: 'a .sf file, or - for standard input' }],
  options: {
    json: { type: 'boolean', short: 'j', description: 'print NDJSON, one object per record' },
    csv: { type: 'boolean', description: 'print CSV: a header line, then one row per record' },
    'no-progress': { type: 'boolean', description: 'never draw a progress bar' },
  },
  examples: [
    { command: 'sysray print trace.sf', description: 'one readable line per record' },
    {
      command: 'sysray print trace.sf --json | jq -r \'select(.type=="ProcessEvent") | .ts\'',
      description: 'process event times (ns), with jq',
    },
    { command: 'sysray print trace.sf --csv > trace.csv', description: 'a table for a spreadsheet' },
  ],
  async run({ args, options, stdout, progress }) {
    if (options.json === true && options.csv === true)
      throw new UsageError('--json and --csv cannot be used together', 'print');
    const format: SysFlowPrintFormat = options.json === true ? 'json' : options.csv === true ? 'csv' : 'text';
    const input = await openInput(args[0]!);
    const bar = progress({
      ...(input.fileSize === undefined ? {} : { total: input.fileSize }),
      label: args[0]!,
      sharesTerminalWithStdout: true,
    });
    for await (const line of printSysFlow(
      resolveSysFlow(chunksWithProgress(input, bar), { sourceName: args[0]! }),
      format,
    )) {
      stdout.line(line);
      if (stdout.full) await stdout.flush();
    }
    return 0;
  },
};
