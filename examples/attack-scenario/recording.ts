/**
 * Recording the attack scenario with `@sysray/probe-native`: start a capture, run the scenario, stop, and
 * keep only the scenario's own processes (the victim server's and the C2's process trees), so that the
 * capture file holds the attack and nothing else the machine did meanwhile.
 */
import {
  type EventBatch,
  encodeMachineInfoBlock,
  eventBlockBytes,
  ScapEvent,
  type ScapMachineInfo,
  scapSectionHeader,
} from '@sysray/pcapng/scap';
import { type CaptureStats, startCapture } from '@sysray/probe-native';
import { runScenario, type ScenarioOptions, type ScenarioResult } from './scenario.js';

/**
 * The events the demo needs: process lifecycle (the official rules' `spawned_process`, the flow builder's
 * ProcessEvents), files (open/read/write/close for FileFlows and the key-reading rules), sockets (connect,
 * accept, send/recv for NetworkFlows), and the fd bookkeeping the inspector uses to name fds.
 */
export const SCENARIO_EVENTS: readonly string[] = [
  'execve',
  'execveat',
  'clone',
  'fork',
  'vfork',
  'clone3',
  'procexit',
  'open',
  'openat',
  'openat2',
  'creat',
  'close',
  'read',
  'write',
  'pread',
  'pwrite',
  'readv',
  'writev',
  'unlink',
  'unlinkat',
  'rename',
  'renameat',
  'renameat2',
  'mkdir',
  'mkdirat',
  'rmdir',
  'chdir',
  'fchdir',
  'dup',
  'dup2',
  'dup3',
  'fcntl',
  'pipe',
  'pipe2',
  'socket',
  'bind',
  'connect',
  'listen',
  'accept',
  'accept4',
  'sendto',
  'recvfrom',
  'sendmsg',
  'recvmsg',
  'setuid',
  'setgid',
  'setresuid',
  'setresgid',
];

/** Options of {@link recordScenario}. */
export interface RecordOptions
  extends Pick<ScenarioOptions, 'beacons' | 'intervalSec' | 'uploadBytes' | 'onEvent' | 'timeoutMs'> {
  /** Bytes of read/write/send/recv data kept per event (default 64: request lines readable, files not). */
  snaplen?: number;
  /** Host name written into the machine info block (default: this machine's). */
  hostname?: string;
  /**
   * The probe's ring buffer, a power of two (default 64 MiB: every process of the machine is traced while the
   * scenario runs, and a busy machine must not fill it).
   */
  ringBufferBytes?: number;
}

/** What {@link recordScenario} produced. */
export interface Recording {
  /** The capture file: section header, machine info, then the scenario's events in time order. */
  bytes: Uint8Array;
  /** What the scenario did (pids, planted files, what the C2 received). */
  scenario: ScenarioResult;
  /** The probe's counters at the end. */
  stats: CaptureStats;
  /** Events captured on the whole machine, and those kept (the scenario's processes). */
  eventsSeen: number;
  eventsKept: number;
  /** Thread ids kept: the servers, their threads and every descendant. */
  tids: number[];
}

/** Errors of the recording. */
export class RecordingError extends Error {
  constructor(
    readonly code: 'NOTHING_RECORDED' | 'DROPPED_EVENTS',
    message: string,
  ) {
    super(message);
    this.name = 'RecordingError';
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

const CLONES = new Set(['clone', 'fork', 'vfork', 'clone3']);

/**
 * The thread ids descending from `roots`: a clone/fork return in a kept thread keeps the child it returns,
 * and a child's own return (or execve) whose `pid` or `ptid` is kept is kept too (threads of a kept process
 * report the process's parent as `ptid` but the process as `pid`). Iterated to a fixed point, so the order
 * in which the CPUs delivered parent and child returns does not matter.
 */
export function scenarioThreads(batches: readonly EventBatch[], roots: readonly number[]): Set<number> {
  const links: [from: number, to: number][] = [];
  const ev = new ScapEvent();
  for (const batch of batches)
    for (let i = 0; i < batch.count; i++) {
      ev.load(batch, i);
      const name = ev.name;
      if (!CLONES.has(name) && name !== 'execve') continue;
      const res = num(ev.param('res'));
      if (CLONES.has(name) && res !== undefined && res > 0) links.push([ev.tid, res]);
      for (const p of ['pid', 'ptid']) {
        const parent = num(ev.param(p));
        if (parent !== undefined && parent > 0 && parent !== ev.tid) links.push([parent, ev.tid]);
      }
    }
  const kept = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [from, to] of links)
      if (kept.has(from) && !kept.has(to)) {
        kept.add(to);
        grew = true;
      }
  }
  return kept;
}

/**
 * The capture file of the kept threads' events: a section header, the machine info block, then every kept
 * event block sorted by time (stable, so same-time events keep the probe's order). No process or fd list:
 * the scenario's processes all start after the capture does, so their events describe them fully.
 */
export function scenarioCapture(
  machine: ScapMachineInfo | undefined,
  batches: readonly EventBatch[],
  tids: ReadonlySet<number>,
): { bytes: Uint8Array; kept: number } {
  const ev = new ScapEvent();
  const kept: { ts: bigint; seq: number; block: Uint8Array }[] = [];
  for (const batch of batches)
    for (let i = 0; i < batch.count; i++) {
      ev.load(batch, i);
      if (tids.has(ev.tid)) kept.push({ ts: ev.ts, seq: kept.length, block: eventBlockBytes(batch, i) });
    }
  kept.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.seq - b.seq));
  const parts = [scapSectionHeader(), ...(machine ? [encodeMachineInfoBlock(machine)] : [])];
  for (const k of kept) parts.push(k.block);
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, kept: kept.length };
}

/**
 * Records one run of the scenario: starts the probe (root, or CAP_BPF + CAP_PERFMON; a `ProbeError` says
 * what is missing), runs {@link runScenario}, stops the probe, and returns the capture of the scenario's
 * processes only.
 * @throws ProbeError when the probe cannot run; ScenarioError when the scenario fails; RecordingError when
 * the probe lost events or nothing of the scenario was captured.
 */
export async function recordScenario(options: RecordOptions = {}): Promise<Recording> {
  const capture = startCapture({
    events: SCENARIO_EVENTS,
    snaplen: options.snaplen ?? 64,
    ringBufferBytes: options.ringBufferBytes ?? 64 << 20,
  });
  const batches: EventBatch[] = [];
  const drained = (async () => {
    for await (const batch of capture) batches.push(batch);
  })();
  let scenario: ScenarioResult;
  try {
    scenario = await runScenario({
      beacons: options.beacons ?? 6,
      intervalSec: options.intervalSec ?? 0.5,
      uploadBytes: options.uploadBytes ?? 256 << 10,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  } finally {
    await capture.stop();
    await drained;
  }
  const stats = capture.stats();
  const tids = scenarioThreads(batches, [scenario.victim.pid, scenario.c2.pid]);
  const machine = capture.info.machineInfo;
  const { bytes, kept } = scenarioCapture(
    machine && options.hostname !== undefined ? { ...machine, hostname: options.hostname } : machine,
    batches,
    tids,
  );
  if (kept === 0)
    throw new RecordingError('NOTHING_RECORDED', 'the probe delivered no event of the scenario processes');
  if (stats.dropped > 0)
    throw new RecordingError(
      'DROPPED_EVENTS',
      `the probe dropped ${stats.dropped} events (ring buffer full ${stats.droppedRingFull}, queue ${stats.droppedQueue}, missed ${stats.droppedMissed}); record again on a quieter machine`,
    );
  return {
    bytes,
    scenario,
    stats,
    eventsSeen: batches.reduce((n, b) => n + b.count, 0),
    eventsKept: kept,
    tids: [...tids].sort((a, b) => a - b),
  };
}
