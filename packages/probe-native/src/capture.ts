/** `startCapture`: the probe loaded and attached, its ring buffer read on a native thread, batches to JS. */
import { type EventBatch, readScapSync, type ScapCaptureInfo, scapSectionHeader } from '@sysray/pcapng/scap';
import { chunkToBatch } from './batches.js';
import { ProbeError } from './errors.js';
import { addonError, loadAddon } from './native.js';
import { probeUnavailable } from './preflight.js';
import { scanProc } from './proc-scan.js';
import { PROCEXIT, packRecipes, RECIPES, SUPPORTED_EVENTS } from './recipes.js';

/** Options of {@link startCapture}. */
export interface CaptureOptions {
  /** Event names to capture (system call names and `procexit`); default: every supported one. */
  events?: readonly string[];
  /** Bytes of read/write/send/recv data kept per event (default 0: sizes only, no data). At most 4096. */
  snaplen?: number;
  /** More processes (thread-group ids) never traced; this process is never traced anyway. */
  ignorePids?: readonly number[];
  /** Size of the BPF ring buffer, a power of two (default 8 MiB). */
  ringBufferBytes?: number;
  /** Bytes a CPU writes into the ring buffer before it wakes the reader (default 1 MiB). */
  wakeBytes?: number;
  /** The reader also polls this often, in ms (default 20). */
  pollMs?: number;
  /** Largest chunk handed to JS at once, in bytes (default 4 MiB). */
  chunkBytes?: number;
  /**
   * Bytes delivered but not yet consumed beyond which new chunks are dropped and counted (default 256 MiB). The
   * native reader never waits for the consumer: a consumer that falls behind costs counted drops of whole chunks
   * here, not a full ring buffer.
   */
  maxQueuedBytes?: number;
  /** Scan /proc for the process and fd tables at start (default true). */
  scanProc?: boolean;
}

/** Counters of a capture. */
export interface CaptureStats {
  /** Events the kernel wrote into the ring buffer. */
  emitted: number;
  /** Events handed to the consumer as batches. */
  delivered: number;
  /**
   * Events lost: ring buffer full, oversize events, chunks dropped because the consumer fell behind, and
   * system calls the kernel skipped the probe for.
   */
  dropped: number;
  /** Of `dropped`: the ring buffer was full (the per-CPU kernel counters, summed). */
  droppedRingFull: number;
  /** Ring-buffer-full drops per CPU (index = CPU number). */
  droppedPerCpu: number[];
  /** Of `dropped`: larger than the probe's event size limit. */
  droppedOversize: number;
  /** Of `dropped`: read by the reader while more than `maxQueuedBytes` waited for the consumer. */
  droppedQueue: number;
  /** Of `dropped`: system calls the kernel did not run the probe for, because it was running on that CPU already. */
  droppedMissed: number;
  /** Batches delivered. */
  batches: number;
}

/** A running capture: an async iterable of event batches (read it once). */
export interface LiveCapture extends AsyncIterable<EventBatch> {
  /** Machine info, process and fd tables of the /proc scan (seed an inspector with it). */
  readonly info: ScapCaptureInfo;
  /** Section header + MI + PL + FDL blocks: write it first, then each batch's bytes, to get a capture file. */
  readonly header: Uint8Array;
  /** Current counters. */
  stats(): CaptureStats;
  /** Detaches the probe; the iteration ends after the events still in the ring buffer. Resolves with the final counters. */
  stop(): Promise<CaptureStats>;
}

const MIN_WAKE = 4096;

function selectRecipes(events: readonly string[] | undefined) {
  if (!events) return { recipes: RECIPES, procexit: true };
  const known = new Set(SUPPORTED_EVENTS);
  const unknown = events.filter((e) => !known.has(e));
  if (unknown.length)
    throw new ProbeError(
      'BAD_OPTIONS',
      `unknown event name${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; supported: ${SUPPORTED_EVENTS.join(', ')}`,
    );
  const set = new Set(events);
  return { recipes: RECIPES.filter((r) => set.has(r.name)), procexit: set.has(PROCEXIT) };
}

function checkInt(name: string, v: number | undefined, min: number, max: number): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < min || v > max)
    throw new ProbeError('BAD_OPTIONS', `${name} must be an integer in [${min}, ${max}], got ${v}`);
}

/**
 * Loads the eBPF probe, attaches it to the syscall and process-exit tracepoints and starts reading.
 * Every batch holds complete scap EV_V2 blocks: `batch.bytes` appended after {@link LiveCapture.header} is a
 * capture file.
 * @throws ProbeError `NOT_PERMITTED` (not root, no CAP_BPF + CAP_PERFMON), `NO_BTF`, `UNSUPPORTED_PLATFORM`,
 * `LOAD_REFUSED`, `ATTACH_REFUSED`, `ADDON_MISSING`, `BAD_OPTIONS`.
 */
export function startCapture(options: CaptureOptions = {}): LiveCapture {
  checkInt('snaplen', options.snaplen, 0, 4096);
  checkInt('wakeBytes', options.wakeBytes, MIN_WAKE, 1 << 30);
  checkInt('ringBufferBytes', options.ringBufferBytes, 1 << 16, 1 << 30);
  if (
    options.ringBufferBytes !== undefined &&
    (options.ringBufferBytes & (options.ringBufferBytes - 1)) !== 0
  )
    throw new ProbeError(
      'BAD_OPTIONS',
      `ringBufferBytes must be a power of two, got ${options.ringBufferBytes}`,
    );
  checkInt('pollMs', options.pollMs, 1, 60_000);
  checkInt('chunkBytes', options.chunkBytes, 1 << 16, 1 << 30);
  checkInt('maxQueuedBytes', options.maxQueuedBytes, 1 << 16, 2 ** 40);
  for (const pid of options.ignorePids ?? []) checkInt('ignorePids entry', pid, 1, 2 ** 32 - 1);
  const { recipes, procexit } = selectRecipes(options.events);
  const why = probeUnavailable();
  if (why) throw why;
  const addon = loadAddon();
  const ignored = Uint32Array.from(new Set([process.pid, ...(options.ignorePids ?? [])]));

  const queue: EventBatch[] = [];
  let ended = false;
  let failure: unknown;
  let waiter: (() => void) | undefined;
  let delivered = 0;
  let batches = 0;
  let nextNum = 1;
  let fileOffset = 0;
  let finalStats: CaptureStats | undefined;
  let stopWaiters: (() => void)[] = [];

  const wake = () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };

  let handle: object;
  try {
    handle = addon.open(
      {
        snaplen: options.snaplen ?? 0,
        wakeBytes: options.wakeBytes ?? 1 << 20,
        pollMs: options.pollMs ?? 20,
        chunkBytes: options.chunkBytes ?? 4 << 20,
        procEvents: procexit ? 1 : 0,
        ringBytes: options.ringBufferBytes ?? 8 << 20,
        maxQueuedBytes: options.maxQueuedBytes ?? 256 << 20,
      },
      packRecipes(recipes),
      ignored,
      (chunk) => {
        if (chunk === null) {
          finalStats = stats();
          addon.close(handle);
          ended = true;
          for (const w of stopWaiters) w();
          stopWaiters = [];
          wake();
          return;
        }
        try {
          const batch = chunkToBatch(chunk, nextNum, fileOffset);
          nextNum += batch.count;
          fileOffset += chunk.length;
          queue.push(batch);
          delivered += batch.count;
          batches++;
        } catch (e) {
          failure = e;
        }
        wake();
      },
    );
  } catch (e) {
    throw addonError(e);
  }

  function stats(): CaptureStats {
    if (finalStats) return { ...finalStats, droppedPerCpu: [...finalStats.droppedPerCpu] };
    const [emittedPerCpu, ringPerCpu, oversizePerCpu, , missed, droppedQueue] = addon.stats(handle);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const ring = sum(ringPerCpu);
    const oversize = sum(oversizePerCpu);
    return {
      emitted: sum(emittedPerCpu),
      delivered,
      dropped: ring + oversize + droppedQueue + missed,
      droppedRingFull: ring,
      droppedPerCpu: ringPerCpu,
      droppedOversize: oversize,
      droppedQueue,
      droppedMissed: missed,
      batches,
    };
  }

  const snapshot = options.scanProc === false ? undefined : scanProc(new Set(ignored));
  const parts = [scapSectionHeader(), ...(snapshot?.blocks ?? [])];
  const header = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    header.set(p, o);
    o += p.length;
  }
  const info = readScapSync(header).info;
  let iterated = false;
  let stopping = false;

  return {
    info,
    header,
    stats,
    stop() {
      if (!stopping) {
        stopping = true;
        addon.stop(handle);
      }
      if (ended) return Promise.resolve(stats());
      return new Promise<CaptureStats>((resolve) => stopWaiters.push(() => resolve(stats())));
    },
    [Symbol.asyncIterator](): AsyncIterator<EventBatch> {
      if (iterated) throw new ProbeError('BAD_STATE', 'a live capture can be iterated only once');
      iterated = true;
      return {
        async next(): Promise<IteratorResult<EventBatch>> {
          for (;;) {
            if (failure) throw failure;
            const b = queue.shift();
            if (b) {
              if (!ended) addon.consumed(handle, b.bytes.length);
              return { value: b, done: false };
            }
            if (ended) return { value: undefined, done: true };
            await new Promise<void>((resolve) => {
              waiter = resolve;
            });
          }
        },
        async return(): Promise<IteratorResult<EventBatch>> {
          if (!stopping) {
            stopping = true;
            addon.stop(handle);
          }
          if (!ended) await new Promise<void>((resolve) => stopWaiters.push(resolve));
          return { value: undefined, done: true };
        },
      };
    },
  };
}
