import { convertCaptureToSysFlow } from '@sysray/sysflow-format';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { chunksWithProgress, openInput } from '../input.js';

/** Bytes of the `.sf` output per byte of capture, as a percentage with two decimals. */
function ratio(bytesOut: number, bytesIn: number): string {
  return bytesIn === 0 ? 'n/a' : `${((100 * bytesOut) / bytesIn).toFixed(2)}%`;
}

/** `sysray convert CAPTURE -o OUT.sf`: a Falco capture to SysFlow records, as SysFlow's collector builds them. */
export const convertCommand: Command = {
  name: 'convert',
  summary: 'turn a Falco capture (.scap, gzip or not) into a SysFlow file (.sf), as sf-collector does',
  description: [
    'Read a Falco capture, rebuild process, file and network state from its events, and write the SysFlow',
    'records that SysFlow’s collector writes for it: the header, containers, processes and files before',
    'their first use, process events, file and network flows, file events. Prints the records written and',
    'the size of the .sf file against the capture. With --json, that summary as one JSON object.',
  ].join('\n'),
  arguments: [
    { name: 'CAPTURE', description: 'a .scap file (gzip-compressed or not), or - for standard input' },
  ],
  options: {
    output: { type: 'string', short: 'o', valueName: 'OUT', description: 'the .sf file to write (required)' },
    exporter: {
      type: 'string',
      short: 'e',
      valueName: 'NAME',
      description: 'SFHeader.exporter, the collector id (default: the capture’s host name)',
    },
    ip: {
      type: 'string',
      valueName: 'ADDR',
      description: 'SFHeader.ip, the exporter’s address (default: empty)',
    },
    json: { type: 'boolean', short: 'j', description: 'print the summary as JSON' },
    'no-progress': { type: 'boolean', description: 'never draw a progress bar' },
  },
  examples: [
    {
      command: 'sysray convert capture.scap -o capture.sf',
      description: 'convert and print the data reduction',
    },
    {
      command: 'sysray convert capture.scap -o capture.sf && sysray print capture.sf',
      description: 'then read it',
    },
  ],
  async run({ args, options, stdout, progress }) {
    const out = options.output;
    if (typeof out !== 'string' || out === '' || out === '-')
      throw new UsageError('convert needs -o OUT.sf (a file to write)', 'convert');
    const file = args[0]!;
    const input = await openInput(file);
    // The bar counts the bytes of the file as stored (compressed or not), against its size.
    const bar = progress({ ...(input.fileSize === undefined ? {} : { total: input.fileSize }), label: file });
    let result: Awaited<ReturnType<typeof convertCaptureToSysFlow>>;
    try {
      result = await convertCaptureToSysFlow(chunksWithProgress(input, bar), out, {
        filename: file,
        ...(typeof options.exporter === 'string' ? { exporter: options.exporter } : {}),
        ...(typeof options.ip === 'string' ? { ip: options.ip } : {}),
      });
    } finally {
      bar.done();
    }
    const bytesIn = input.fileSize ?? result.bytesIn;
    if (options.json === true) {
      stdout.line(
        JSON.stringify({
          capture: file,
          output: out,
          records: result.records,
          captureBytes: bytesIn,
          sysflowBytes: result.bytesOut,
          ratio: bytesIn === 0 ? null : result.bytesOut / bytesIn,
        }),
      );
    } else {
      stdout.line(
        `${out}: ${result.records} records, ${result.bytesOut} bytes = ${ratio(result.bytesOut, bytesIn)} of ${file} (${bytesIn} bytes)`,
      );
    }
    return 0;
  },
};
