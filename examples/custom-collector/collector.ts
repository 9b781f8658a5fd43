/**
 * A custom SysFlow collector: the eBPF probe's event batches → an inspector (thread and fd tables) → the
 * SysFlow flow builder → rotated `.sf` files. What sf-collector does, as a Node program you can change.
 */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { basename } from 'node:path';
import { Inspector } from '@sysray/inspector';
import { type CaptureStats, startCapture } from '@sysray/probe-native';
import { SysFlowBuilder, type SysFlowRecord } from '@sysray/sysflow-format';
import { type ClosedFile, RotatingSysFlowFiles, type RotationLimits } from './rotating-files.js';

/** Options of {@link runCollector}. */
export interface CollectorOptions {
  /** Output directory of the `.sf` files. */
  outDir: string;
  /** File name prefix (default `sysflow`). */
  prefix?: string;
  /** When to start a new file. */
  rotate?: RotationLimits;
  /** System calls to capture (default: every one the probe supports). */
  events?: readonly string[];
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /** A command to run once the probe is attached; the capture stops when it exits. */
  command?: readonly string[];
  /** stdio of the command (default `'inherit'`). */
  commandStdio?: StdioOptions;
  /** Stop when this signal aborts (e.g. on SIGINT). */
  signal?: AbortSignal;
  /** `SFHeader.exporter` (default: the host name). */
  exporter?: string;
  /** Called with each completed file. */
  onFile?: (file: ClosedFile) => void;
  /** Called once the probe is attached (and the command, if any, started). */
  onStart?: (info: { pid?: number }) => void;
}

/** What a collector run did. */
export interface CollectorResult {
  /** The completed `.sf` files, oldest first. */
  files: ClosedFile[];
  /** Records written, every file's headers and re-written entities included. */
  records: number;
  /** The probe's final counters. */
  stats: CaptureStats;
  /** pid and exit status of the command, when one was run. */
  command?: { pid: number; code: number | null; signal: NodeJS.Signals | null };
}

function startCommand(argv: readonly string[], stdio: StdioOptions): ChildProcess {
  const [file, ...args] = argv;
  if (!file) throw new Error('command: empty');
  return spawn(file, args, { stdio });
}

/**
 * Captures live until the command exits, the duration ends or `signal` aborts, writing SysFlow records into
 * rotated files. Needs root, or `CAP_BPF` + `CAP_PERFMON` (the probe throws a `ProbeError` saying so).
 */
export async function runCollector(options: CollectorOptions): Promise<CollectorResult> {
  const files = new RotatingSysFlowFiles({ dir: options.outDir, prefix: options.prefix, ...options.rotate });
  const capture = startCapture(options.events ? { events: options.events } : {});

  // Stop conditions: each one calls stop(); the batch loop below ends after the events still buffered.
  let stopping: Promise<CaptureStats> | undefined;
  const stop = () => {
    stopping ??= capture.stop();
    return stopping;
  };
  const timer =
    options.durationSeconds !== undefined ? setTimeout(stop, options.durationSeconds * 1000) : undefined;
  const onAbort = () => void stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) void stop();
  let child: ChildProcess | undefined;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  if (options.command) {
    try {
      child = startCommand(options.command, options.commandStdio ?? 'inherit');
    } catch (error) {
      await stop();
      throw error;
    }
    const c = child;
    exited = new Promise((resolve) => {
      c.once('exit', (code, sig) => resolve({ code, signal: sig }));
      c.once('error', (error) => {
        console.error(`command ${options.command?.join(' ')}: ${error.message}`);
        resolve({ code: null, signal: null });
      });
    });
    void exited.then(stop);
  }
  options.onStart?.({ pid: child?.pid });

  // The pipeline: probe → inspector (seeded with the /proc scan) → flow builder → current file.
  const insp = new Inspector({ showAllEvents: true });
  insp.seed(capture.info);
  let pending: SysFlowRecord[] = [];
  const builder = new SysFlowBuilder(insp, (r) => pending.push(r), {
    exporter: options.exporter,
    filename: basename(files.open(Date.now())),
  });
  for (const tid of capture.info.threads.keys()) builder.seededTids.add(tid);
  let at = Date.now();
  const flush = async () => {
    if (pending.length === 0) return;
    const out = pending;
    pending = [];
    await files.write(out);
  };
  try {
    for await (const batch of capture) {
      for (let i = 0; i < batch.count; i++) {
        const ctx = insp.process(batch, i);
        if (!ctx) continue;
        // Rotate between events only (a flow and the entities written for it stay in one file), on event time.
        at = Number(ctx.ts / 1_000_000n);
        const reason = files.due(at, pending.length);
        if (reason) {
          await flush();
          const closed = await files.close(at, reason);
          options.onFile?.(closed);
          builder.rotate({ filename: basename(files.open(at)) });
        }
        builder.process(ctx);
      }
      await flush();
    }
    builder.finish();
    await flush();
    const last = await files.close(at, 'end');
    options.onFile?.(last);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await stop();
    if (files.path) await files.close(at, 'end').catch(() => {});
  }
  const stats = await stop();
  const records = files.closed.reduce((n, f) => n + f.records, 0);
  const result: CollectorResult = { files: files.closed, records, stats };
  if (child && exited) result.command = { pid: child.pid ?? -1, ...(await exited) };
  return result;
}
