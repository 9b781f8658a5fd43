import type { BlockCursor } from '@sysray/pcapng';
import {
  addMetadataBlock,
  EventBatch,
  EventTypeCounter,
  emptyCaptureInfo,
  isEventBlock,
  isScapBlock,
  type ScapCaptureInfo,
  ScapEvent,
} from '@sysray/pcapng/scap';
import { formatBytes } from '../progress.js';
import { duration, utcTime } from './time.js';

/** Events of one type id, as `sysray info --json` reports them (`scap.eventTypes`). */
export interface ScapEventTypeCount {
  /** Event type id (the libs event table's index: even ids enter, odd ids exit). */
  type: number;
  /** Event name (`openat`); `unknown` for ids beyond the table. */
  name: string;
  dir: '>' | '<';
  count: number;
}

/** The machine a Falco capture was written on (its machine info block). */
export interface ScapMachineSummary {
  hostname: string;
  numCpus: number;
  /** Bytes of memory (decimal string). */
  memorySizeBytes: string;
  /** Highest pid (decimal string). */
  maxPid: string;
}

/**
 * What `sysray info --json` adds under `scap` for a Falco capture (a file holding sysdig blocks). Times are
 * nanoseconds since the epoch as decimal strings.
 */
export interface ScapSummary {
  /** Events (EV/EVF blocks of every version). */
  events: number;
  /** Events by type id, most frequent first. */
  eventTypes: ScapEventTypeCount[];
  /** Events by name (enter and exit together), most frequent first. */
  eventNames: Record<string, number>;
  /** Events the reader flagged as malformed. */
  problemEvents: number;
  /** Earliest and latest event timestamp, and the span between them; `null` without events. */
  firstEventTime: string | null;
  lastEventTime: string | null;
  eventTimeSpan: string | null;
  /** The last machine info block, `null` when there is none. */
  machine: ScapMachineSummary | null;
  /** Threads of the process list blocks. */
  threads: number;
  /** Distinct processes (pids) of the process list blocks. */
  processes: number;
  /** Entries of the fd list blocks. */
  fds: number;
  /** Addresses of the interface list blocks. */
  interfaces: number;
  /** Users and groups of the user list blocks. */
  users: number;
  groups: number;
}

/**
 * Summarises the Falco (sysdig) blocks of a capture while `info` walks it: events by type (with
 * `EventTypeCounter`), their time span, and the machine info, process, fd, interface and user lists. Feed it
 * every block with {@link visit} and call {@link endWindow} after each window of the cursor.
 */
export class ScapSummarizer {
  /** The capture's metadata lists, as `readScap` would fill `reader.info`. */
  readonly info: ScapCaptureInfo = emptyCaptureInfo();
  private readonly counter = new EventTypeCounter();
  private readonly ev = new ScapEvent();
  private batch: EventBatch | undefined;
  private scapBlocks = 0;
  private problems = 0;
  private first: bigint | undefined;
  private last: bigint | undefined;

  /** Takes the cursor's current block into account (non-scap blocks are ignored). */
  visit(cursor: BlockCursor): void {
    const t = cursor.blockType >>> 0;
    if (!isScapBlock(t)) return;
    this.scapBlocks++;
    if (isEventBlock(t)) {
      this.batch ??= new EventBatch(
        cursor.bytes,
        cursor.fileOffset - cursor.blockOffset,
        64,
        this.counter.total + 1,
      );
      const batch = this.batch;
      batch.addEventBlock(t, cursor.bodyOffset, cursor.bodyLength, cursor.littleEndian, cursor.blockIndex);
      const i = batch.count - 1;
      if (batch.problems[i] !== 0) {
        this.problems++;
        return;
      }
      const ts = this.ev.load(batch, i).ts;
      if (this.first === undefined || ts < this.first) this.first = ts;
      if (this.last === undefined || ts > this.last) this.last = ts;
      return;
    }
    addMetadataBlock(cursor, this.info);
  }

  /** Counts the events of the window just walked (call before the cursor moves to the next window). */
  endWindow(): void {
    if (this.batch === undefined) return;
    this.counter.add(this.batch);
    this.batch = undefined;
  }

  /** The summary, or `undefined` when the capture holds no sysdig block. */
  result(): ScapSummary | undefined {
    this.endWindow();
    if (this.scapBlocks === 0) return undefined;
    const info = this.info;
    const machine = info.machineInfo;
    const eventNames: Record<string, number> = {};
    for (const { name, count } of this.counter.byName()) eventNames[name] = count;
    const haveTimes = this.first !== undefined && this.last !== undefined;
    return {
      events: this.counter.total,
      eventTypes: this.counter.byType(),
      eventNames,
      problemEvents: this.problems,
      firstEventTime: haveTimes ? this.first!.toString() : null,
      lastEventTime: haveTimes ? this.last!.toString() : null,
      eventTimeSpan: haveTimes ? (this.last! - this.first!).toString() : null,
      machine:
        machine === undefined
          ? null
          : {
              hostname: machine.hostname,
              numCpus: machine.numCpus,
              memorySizeBytes: machine.memorySizeBytes.toString(),
              maxPid: machine.maxPid.toString(),
            },
      threads: info.threads.size,
      processes: new Set([...info.threads.values()].map((t) => t.pid)).size,
      fds: info.fds.length,
      interfaces: info.interfaces.length,
      users: info.users.length,
      groups: info.groups.length,
    };
  }
}

/** The text rows `sysray info` adds for a Falco capture: `[label, value]`. */
export function scapSummaryRows(s: ScapSummary): [string, string][] {
  const rows: [string, string][] = [];
  if (s.machine) {
    const m = s.machine;
    rows.push([
      'Machine',
      `${JSON.stringify(m.hostname)}, ${m.numCpus} CPU${m.numCpus === 1 ? '' : 's'}, ${formatBytes(Number(m.memorySizeBytes))} memory, max pid ${m.maxPid}`,
    ]);
  }
  rows.push(['Process list', `${s.threads} threads, ${s.processes} processes`]);
  rows.push(['Fd list', `${s.fds} fds`]);
  if (s.interfaces) rows.push(['Interface list', `${s.interfaces} addresses`]);
  if (s.users || s.groups) rows.push(['User list', `${s.users} users, ${s.groups} groups`]);
  rows.push([
    'Events',
    `${s.events}${s.problemEvents ? ` (${s.problemEvents} malformed)` : ''}, ${Object.keys(s.eventNames).length} types`,
  ]);
  if (s.firstEventTime !== null && s.lastEventTime !== null && s.eventTimeSpan !== null) {
    rows.push(['First event time', `${utcTime(BigInt(s.firstEventTime))} UTC`]);
    rows.push(['Last event time', `${utcTime(BigInt(s.lastEventTime))} UTC`]);
    rows.push(['Event time span', duration(BigInt(s.eventTimeSpan))]);
  }
  const byName = new Map<string, { enter: number; exit: number }>();
  for (const t of s.eventTypes) {
    const entry = byName.get(t.name) ?? { enter: 0, exit: 0 };
    if (t.dir === '>') entry.enter += t.count;
    else entry.exit += t.count;
    byName.set(t.name, entry);
  }
  for (const [name, count] of Object.entries(s.eventNames)) {
    const dirs = byName.get(name)!;
    rows.push([`  ${name}`, `${count} (${dirs.enter} >, ${dirs.exit} <)`]);
  }
  return rows;
}
