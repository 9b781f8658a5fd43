import type { EventBatch } from './batch.js';
import type { ScapEvent } from './event.js';
import { EVENT_COUNT, EVENT_TABLE, eventTypesByName } from './event-table.js';
import type { ScapCaptureInfo } from './reader.js';

/** A way to name a thread: a map or a function from tid to process name. */
export type ThreadNameLookup = ReadonlyMap<number, string> | ((tid: number) => string | undefined);

/** Options of {@link formatEventLine}. */
export interface FormatLineOptions {
  /** Render times in UTC (default) or in the local time zone, as `sysdig -r` does. */
  timeZone?: 'utc' | 'local';
}

function pad(n: number, w: number): string {
  return n.toString().padStart(w, '0');
}

/** `HH:MM:SS.nnnnnnnnn` of a ns timestamp, in UTC or local time. */
export function formatEventTime(ts: bigint, timeZone: 'utc' | 'local' = 'utc'): string {
  const ms = Number(ts / 1_000_000n);
  const ns = Number(ts % 1_000_000_000n);
  const d = new Date(ms);
  const [h, m, s] =
    timeZone === 'utc'
      ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
      : [d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ns, 9)}`;
}

/**
 * One line for an event as `sysdig -r` prints it by default:
 * `num time cpu procname (tid) dir type args`, e.g.
 * `42 10:15:01.123456789 0 curl (1234) < openat fd=3 dirfd=-100(AT_FDCWD) name=/etc/hosts flags=1(O_RDONLY) …`.
 * The process name comes from `threadNames` (`<NA>` when unknown); `num` defaults to the event's number.
 */
export function formatEventLine(
  ev: ScapEvent,
  num: number = ev.num,
  threadNames?: ThreadNameLookup,
  options: FormatLineOptions = {},
): string {
  const tid = ev.tid;
  const name =
    threadNames === undefined
      ? undefined
      : typeof threadNames === 'function'
        ? threadNames(tid)
        : threadNames.get(tid);
  const args = ev.argsText();
  return `${num} ${formatEventTime(ev.ts, options.timeZone)} ${ev.cpu} ${name || '<NA>'} (${tid}) ${ev.direction} ${ev.name}${args ? ` ${args}` : ''}`;
}

const CLONE_NAMES = new Set(['clone', 'fork', 'vfork', 'clone3']);
const EXEC_NAMES = new Set(['execve', 'execveat']);

/**
 * Tracks process names by thread id, as `sysdig` does for `proc.name`: seeded from the capture's process
 * list, updated by clone/fork exits (the child gets the `comm` it reports) and successful execve exits.
 * Pass it (or its `get`) as the `threadNames` of {@link formatEventLine}; call {@link update} on every event,
 * in order, before formatting it.
 */
export class ThreadNames {
  private readonly names = new Map<number, string>();

  /** Adds every thread of the capture's process list (call again when the reader's info grows). */
  seed(info: Pick<ScapCaptureInfo, 'threads'>): void {
    for (const [tid, t] of info.threads) if (!this.names.has(tid)) this.names.set(tid, t.comm);
  }

  /** Updates names from one event. */
  update(ev: ScapEvent): void {
    if (ev.direction !== '<') return;
    const n = ev.name;
    if (!CLONE_NAMES.has(n) && !EXEC_NAMES.has(n)) return;
    const comm = ev.param('comm');
    if (typeof comm !== 'string' || comm === '') return;
    const res = ev.param('res');
    if (CLONE_NAMES.has(n)) {
      if (res === 0) this.names.set(ev.tid, comm);
      else if (typeof res === 'number' && res > 0 && !this.names.has(res)) this.names.set(res, comm);
    } else if (res === 0) {
      this.names.set(ev.tid, comm);
    }
  }

  /** Process name of `tid`, if known. */
  get = (tid: number): string | undefined => this.names.get(tid);

  /** Number of threads named. */
  get size(): number {
    return this.names.size;
  }
}

/** Counts events by type while batches stream by — what `sysray info` reports. */
export class EventTypeCounter {
  private readonly counts = new Float64Array(65536);
  /** Events counted. */
  total = 0;

  /** Counts every event of a batch (reads only each header's type field). */
  add(batch: EventBatch): void {
    const v = batch.view;
    const c = this.counts;
    for (let i = 0; i < batch.count; i++) {
      const t = v.getUint16(batch.offsets[i]! + 20, batch.endian[i] === 1);
      c[t]!++;
    }
    this.total += batch.count;
  }

  /** Counts per event type id, with name and direction, most frequent first. */
  byType(): { type: number; name: string; dir: '>' | '<'; count: number }[] {
    const out: { type: number; name: string; dir: '>' | '<'; count: number }[] = [];
    this.counts.forEach((count, type) => {
      if (count === 0) return;
      out.push({
        type,
        name: type < EVENT_COUNT ? EVENT_TABLE[type]!.name : 'unknown',
        dir: (type & 1) === 0 ? '>' : '<',
        count,
      });
    });
    return out.sort((a, b) => b.count - a.count || a.type - b.type);
  }

  /** Counts per event name (enter and exit, all versions together), most frequent first. */
  byName(): { name: string; count: number }[] {
    const m = new Map<string, number>();
    for (const r of this.byType()) m.set(r.name, (m.get(r.name) ?? 0) + r.count);
    return [...m]
      .map(([name, count]) => ({ name, count }))
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  }
}

/**
 * A per-type-id mask for `--filter-type NAME,...`: `mask[ev.type] === 1` for every version, enter and exit, of
 * the named events. Names the table does not know are returned in `unknown` (the mask ignores them).
 */
export function eventTypeMask(names: readonly string[]): { mask: Uint8Array; unknown: string[] } {
  const mask = new Uint8Array(65536);
  const unknown: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    const types = eventTypesByName(name);
    if (types.length === 0) unknown.push(name);
    for (const t of types) mask[t] = 1;
  }
  return { mask, unknown };
}
