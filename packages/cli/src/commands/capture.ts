import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { type CaptureStats, ProbeError, SUPPORTED_EVENTS, startCapture } from '@sysray/probe-native';
import type { Command } from '../command.js';
import { InputError, UsageError } from '../errors.js';

/** The `--events` names (comma-separated, the option may repeat), or `undefined` when not given. */
function eventNames(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

function positiveNumber(raw: unknown, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got '${String(raw)}'`, 'capture');
  return n;
}

/** Resolves on SIGINT/SIGTERM (removing its handlers once settled). */
function interrupted(): { promise: Promise<void>; dispose(): void } {
  let done!: () => void;
  const promise = new Promise<void>((r) => {
    done = r;
  });
  const on = () => done();
  process.once('SIGINT', on);
  process.once('SIGTERM', on);
  return {
    promise,
    dispose() {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

/**
 * `sysray capture -o OUT.scap [--duration S] [--events LIST] [--snaplen N] [-- CMD ARGS...]`: a live capture with
 * the eBPF probe of `@sysray/probe-native`, written as a Falco capture file.
 */
export const captureCommand: Command = {
  name: 'capture',
  summary: 'capture system calls live with the eBPF probe into a Falco capture (.scap); Linux, root',
  description: [
    'Load the eBPF probe of @sysray/probe-native, scan /proc for the processes and open files, and write a',
    'Falco capture: machine info, process list, fd lists, then every event as the kernel wrote it. With a',
    'command after --, run it and capture until it exits; else capture for --duration seconds, or until',
    'interrupted (Ctrl-C). The capture reads back with `sysray events` and opens in Wireshark/tshark.',
    'Needs root (or CAP_BPF and CAP_PERFMON) and a kernel with BTF. This process itself is never traced.',
    '',
    `Events (--events): ${SUPPORTED_EVENTS.join(', ')}.`,
  ].join('\n'),
  arguments: [
    {
      name: 'COMMAND',
      description: 'a command (after --) to run and capture until it exits',
      required: false,
      variadic: true,
    },
  ],
  options: {
    output: {
      type: 'string',
      short: 'o',
      valueName: 'OUT',
      description: 'the .scap file to write (required)',
    },
    duration: {
      type: 'string',
      short: 'd',
      valueName: 'S',
      description: 'stop after S seconds (without a command: default until interrupted)',
    },
    events: {
      type: 'string',
      short: 'e',
      multiple: true,
      valueName: 'LIST',
      description: 'only these events (execve,openat,connect,procexit; may repeat; default all)',
    },
    snaplen: {
      type: 'string',
      short: 's',
      valueName: 'N',
      description: 'bytes of read/write/send/recv data kept per event (default 0, at most 4096)',
    },
    json: { type: 'boolean', short: 'j', description: 'print the summary as JSON' },
  },
  examples: [
    {
      command: 'sudo sysray capture -o ls.scap -- ls /tmp',
      description: 'capture while `ls /tmp` runs',
    },
    {
      command: 'sudo sysray capture -o net.scap -d 10 -e connect,accept4,execve,procexit',
      description: 'ten seconds of connects, accepts and execs',
    },
    { command: 'sysray events ls.scap --filter "proc.name = ls"', description: 'then read it back' },
  ],
  exitStatus:
    '0 ok (whatever the command exited with), 1 the capture could not start or be written, 2 usage error.',
  async run({ args, options, stdout }) {
    const out = options.output;
    if (typeof out !== 'string' || out === '' || out === '-')
      throw new UsageError('capture needs -o OUT.scap (a file to write)', 'capture');
    const duration = positiveNumber(options.duration, 'duration');
    const snaplenRaw = positiveNumber(options.snaplen, 'snaplen');
    const events = eventNames(options.events);
    let capture: ReturnType<typeof startCapture>;
    try {
      capture = startCapture({
        ...(events ? { events } : {}),
        ...(snaplenRaw === undefined ? {} : { snaplen: Math.floor(snaplenRaw) }),
      });
    } catch (e) {
      if (e instanceof ProbeError) {
        if (e.code === 'BAD_OPTIONS') throw new UsageError(e.message, 'capture');
        throw new InputError(e.code, `capture: ${e.message}`);
      }
      throw e;
    }
    const file = createWriteStream(out);
    let writeError: Error | undefined;
    file.on('error', (e) => {
      writeError = e;
    });
    const write = async (bytes: Uint8Array) => {
      if (writeError) return;
      if (!file.write(bytes)) await Promise.race([once(file, 'drain'), once(file, 'error')]).catch(() => {});
    };
    const writing = (async () => {
      await write(capture.header);
      for await (const batch of capture) await write(batch.bytes);
    })();

    const stopReasons: Promise<unknown>[] = [];
    const signals = interrupted();
    stopReasons.push(signals.promise);
    let timer: NodeJS.Timeout | undefined;
    if (duration !== undefined)
      stopReasons.push(
        new Promise<void>((r) => {
          timer = setTimeout(r, duration * 1000);
        }),
      );
    let childStatus: string | undefined;
    if (args.length > 0) {
      const child = spawn(args[0]!, args.slice(1), { stdio: 'inherit' });
      stopReasons.push(
        new Promise<void>((resolve) => {
          child.on('error', (e) => {
            childStatus = `could not run ${args[0]}: ${e.message}`;
            resolve();
          });
          child.on('exit', (code, signal) => {
            childStatus = signal ? `killed by ${signal}` : `exited with ${code}`;
            resolve();
          });
        }),
      );
    }
    let stats: CaptureStats;
    try {
      await Promise.race(stopReasons);
      // Events of the command's last moments (its exit) are still on their way through the ring buffer.
      if (args.length > 0) await new Promise((r) => setTimeout(r, 100));
    } finally {
      if (timer) clearTimeout(timer);
      signals.dispose();
      stats = await capture.stop();
      await writing;
      file.end();
      await once(file, 'close').catch(() => {});
    }
    if (writeError)
      throw new InputError(
        (writeError as NodeJS.ErrnoException).code ?? 'EIO',
        `capture: ${writeError.message}`,
        out,
      );
    if (options.json === true) {
      stdout.line(
        JSON.stringify({ output: out, ...stats, ...(childStatus ? { command: childStatus } : {}) }),
      );
    } else {
      stdout.line(
        `${out}: ${stats.delivered} events written, ${stats.dropped} dropped` +
          `${childStatus ? `; ${args[0]} ${childStatus}` : ''}`,
      );
    }
    return 0;
  },
};
