/**
 * custom-collector: live system calls → SysFlow `.sf` files, rotated by time, size or record count.
 *
 *   sudo tsx main.ts [--out DIR] [--rotate-seconds N] [--rotate-bytes M] [--rotate-records R]
 *                    [--events openat,connect,...] [--duration S] [--prefix P] [-- COMMAND ARGS...]
 */
import { parseArgs } from 'node:util';
import { ProbeError, probeUnavailable, SUPPORTED_EVENTS } from '@sysray/probe-native';
import { runCollector } from './collector.js';

const USAGE =
  'usage: sudo tsx main.ts [--out DIR] [--rotate-seconds N] [--rotate-bytes M] [--rotate-records R]\n' +
  '                        [--events a,b,...] [--duration S] [--prefix P] [--exporter NAME] [-- COMMAND ARGS...]';

function usage(message: string): never {
  console.error(`custom-collector: ${message}\n${USAGE}`);
  process.exit(2);
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) usage(`--${name} must be a positive number, got '${text}'`);
  return v;
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o', default: 'sysflow-out' },
        prefix: { type: 'string', default: 'sysflow' },
        'rotate-seconds': { type: 'string' },
        'rotate-bytes': { type: 'string' },
        'rotate-records': { type: 'string' },
        events: { type: 'string', short: 'e' },
        duration: { type: 'string', short: 'd' },
        exporter: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine();
  if (values.help) {
    console.log(`${USAGE}\n\nevents: ${SUPPORTED_EVENTS.join(' ')}`);
    return 0;
  }
  const events = values.events
    ?.split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const durationSeconds = positive('duration', values.duration);
  const command = positionals.length > 0 ? positionals : undefined;
  const unavailable = probeUnavailable();
  if (unavailable) {
    console.error(`custom-collector: ${unavailable.message}`);
    return 1;
  }
  const abort = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => abort.abort());
  const started = Date.now();
  const result = await runCollector({
    outDir: values.out,
    prefix: values.prefix,
    exporter: values.exporter,
    events,
    durationSeconds,
    command,
    signal: abort.signal,
    rotate: {
      seconds: positive('rotate-seconds', values['rotate-seconds']),
      bytes: positive('rotate-bytes', values['rotate-bytes']),
      records: positive('rotate-records', values['rotate-records']),
    },
    onStart: ({ pid }) =>
      console.error(
        `capturing${pid ? ` while pid ${pid} (${command?.join(' ')}) runs` : ''}` +
          `${durationSeconds ? ` for up to ${durationSeconds} s` : ''}${command || durationSeconds ? '' : ' until Ctrl-C'}`,
      ),
    onFile: (f) => console.error(`wrote ${f.path}: ${f.records} records, ${f.bytes} bytes (${f.reason})`),
  });
  const s = result.stats;
  console.error(
    `${result.files.length} file(s), ${result.records} records in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `events delivered ${s.delivered}, dropped ${s.dropped}`,
  );
  if (result.command) return result.command.code ?? 1;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(
      `custom-collector: ${error instanceof ProbeError ? `${error.code}: ` : ''}${(error as Error).message}`,
    );
    process.exit(1);
  },
);
