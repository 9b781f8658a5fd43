import { compileFilter, InspectorError, inspectCapture } from '@sysray/inspector';
import { eventTypeMask, formatEventLine, ScapEvent, ThreadNames } from '@sysray/pcapng/scap';
import type { Command, OptionValues } from '../command.js';
import { UsageError } from '../errors.js';
import { openInput } from '../input.js';
import { walkScap } from '../scap-input.js';

/**
 * The line as one line: control characters (a string parameter may end in a newline, as the JSON of a
 * container event does) become `.`, as sysdig prints non-printable bytes.
 */
export function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, '.');
}

/** The `--filter-type` names (comma-separated, the option may repeat), or `undefined` when not given. */
export function filterTypeNames(options: OptionValues): string[] | undefined {
  const raw = options['filter-type'];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  return values.flatMap((v) => v.split(',')).map((v) => v.trim());
}

/**
 * `sysray events FILE [--json] [--filter-type NAME,...] [--filter COND]`: the events of a Falco capture, one
 * line each like `sysdig -r`, or NDJSON.
 */
export const eventsCommand: Command = {
  name: 'events',
  summary: 'print the events of a Falco capture (.scap), one per line like sysdig -r (text or NDJSON)',
  description: [
    'Print every event of a Falco capture (.scap, plain or gzip-compressed), one line per event as',
    '`sysdig -r` prints them: number, time (UTC), cpu, process name (tid), direction (> enter, < exit),',
    'type and parameters. With --json, one JSON object per line (NDJSON) whose fields are a contract:',
    '`num` (1-based event number), `ts` (ns since the epoch, decimal string), `cpu`, `tid`, `type`',
    '(`"openat"`), `dir` (`">"` or `"<"`), `params` (decoded parameters by name; byte buffers as hex,',
    '64-bit values beyond 2^53 as strings), and `problem` on a malformed event.',
    '',
    '--filter-type keeps events of the named types (every version, enter and exit). --filter keeps the',
    'events a Falco condition matches (fields evt.*, proc.*, fd.*, user.*, container.*, …; no macros),',
    'evaluated as libsinsp does: on exit events and enter-only events, with the process and fd state',
    'built from the capture, so enter events of syscalls with an exit event are not shown.',
  ].join('\n'),
  arguments: [{ name: 'FILE', description: 'a .scap or .scap.gz capture, or - for standard input' }],
  options: {
    json: { type: 'boolean', short: 'j', description: 'print NDJSON, one object per event' },
    'filter-type': {
      type: 'string',
      multiple: true,
      valueName: 'NAME,...',
      description: 'only events of these types (openat,execve; may repeat)',
    },
    filter: {
      type: 'string',
      short: 'f',
      valueName: 'COND',
      description: "only events matching a Falco condition ('evt.type = openat and fd.name startswith /etc')",
    },
    'no-progress': { type: 'boolean', description: 'never draw a progress bar' },
  },
  examples: [
    { command: 'sysray events capture.scap', description: 'every event, like sysdig -r capture.scap' },
    {
      command: 'sysray events capture.scap.gz --filter-type execve,openat',
      description: 'only execve and openat events (enter and exit)',
    },
    {
      command: "sysray events capture.scap --filter 'evt.type = openat and fd.name startswith /etc'",
      description: 'events a Falco condition matches (like sysdig -r capture.scap COND)',
    },
    {
      command:
        'sysray events capture.scap --json | jq -r \'select(.type=="execve" and .dir=="<") | .params.exe\'',
      description: 'programs executed, with jq',
    },
  ],
  async run(context) {
    const { args, options, stdout } = context;
    const file = args[0]!;
    const json = options.json === true;
    const names = filterTypeNames(options);
    let mask: Uint8Array | undefined;
    if (names !== undefined) {
      const known = eventTypeMask(names);
      if (known.unknown.length > 0)
        throw new UsageError(
          `unknown event type${known.unknown.length > 1 ? 's' : ''} ${known.unknown.map((n) => `'${n}'`).join(', ')} in --filter-type`,
          'events',
        );
      if (names.every((n) => n === '')) throw new UsageError('--filter-type names no event type', 'events');
      mask = known.mask;
    }
    const condition = typeof options.filter === 'string' ? options.filter : undefined;
    if (condition !== undefined) {
      let predicate: ReturnType<typeof compileFilter>;
      try {
        predicate = compileFilter(condition);
      } catch (error) {
        if (error instanceof InspectorError) throw new UsageError(error.message, 'events');
        throw error;
      }
      const input = await openInput(file);
      const progress = context.progress({
        label: file === '-' ? 'stdin' : file,
        sharesTerminalWithStdout: true,
      });
      try {
        for await (const ctx of inspectCapture(input.source)) {
          const ev = ctx.ev;
          if (mask !== undefined && mask[ev.type] !== 1) continue;
          if (!predicate(ctx)) continue;
          stdout.line(
            json
              ? JSON.stringify(ev.toJSON())
              : oneLine(formatEventLine(ev, ctx.num, (tid) => ctx.tables.threads.get(tid)?.comm)),
          );
          if (stdout.full) await stdout.flush();
        }
      } catch (error) {
        throw unwrapCaptureError(error);
      } finally {
        progress.done();
      }
      return 0;
    }
    const threads = new ThreadNames();
    const ev = new ScapEvent();
    await walkScap(
      context,
      file,
      async (batch, reader) => {
        threads.seed(reader.info);
        for (let i = 0; i < batch.count; i++) {
          ev.load(batch, i);
          threads.update(ev);
          if (mask !== undefined && mask[ev.type] !== 1) continue;
          stdout.line(json ? JSON.stringify(ev.toJSON()) : oneLine(formatEventLine(ev, ev.num, threads.get)));
          if (stdout.full) await stdout.flush();
        }
      },
      { streamsToStdout: true },
    );
    return 0;
  },
};

/** The reader's own error (a `PcapngError`, printed with its offset) for an inspector's `BAD_CAPTURE`. */
export function unwrapCaptureError(error: unknown): unknown {
  if (error instanceof InspectorError && error.code === 'BAD_CAPTURE' && error.cause instanceof Error)
    return error.cause;
  return error;
}
