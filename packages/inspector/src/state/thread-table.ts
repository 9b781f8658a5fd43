/** The thread table: threads by tid, parent walks, exited-thread purging and a memory bound. */
import type { ThreadInfo } from './thread.js';

/** Default bound on threads kept (libsinsp's default `max_thread_table_size`). */
export const DEFAULT_MAX_THREADS = 131072;

/** Slots of the lookup cache in front of the map (a power of two). */
const CACHE_SLOTS = 1024;

/** Threads by tid. */
export class ThreadTable {
  /** Threads by tid (change them through the table's methods). */
  readonly threads: ReadonlyMap<number, ThreadInfo>;
  private readonly byTid = new Map<number, ThreadInfo>();
  /**
   * A direct-mapped cache of recent lookups, slot `tid % CACHE_SLOTS`: hundreds of busy threads are looked
   * up once per event, and a slot compare is cheaper than a map lookup. Kept in step with every change.
   */
  private readonly slotTid = new Float64Array(CACHE_SLOTS).fill(Number.NaN);
  private readonly slotThread: (ThreadInfo | undefined)[] = new Array(CACHE_SLOTS).fill(undefined);
  /** Threads marked exited, removed by {@link purgeExited}. */
  private readonly exitedTids: number[] = [];
  /** Number of threads evicted because the table was full. */
  evicted = 0;

  constructor(readonly maxThreads: number = DEFAULT_MAX_THREADS) {
    this.threads = this.byTid;
  }

  /** Number of threads. */
  get size(): number {
    return this.threads.size;
  }

  /** The thread `tid`, if known. */
  get(tid: number): ThreadInfo | undefined {
    const slot = tid & (CACHE_SLOTS - 1);
    if (this.slotTid[slot] === tid) return this.slotThread[slot];
    const t = this.byTid.get(tid);
    if (t !== undefined) {
      this.slotTid[slot] = tid;
      this.slotThread[slot] = t;
    }
    return t;
  }

  private forget(tid: number): void {
    this.byTid.delete(tid);
    const slot = tid & (CACHE_SLOTS - 1);
    if (this.slotTid[slot] === tid) {
      this.slotTid[slot] = Number.NaN;
      this.slotThread[slot] = undefined;
    }
  }

  /** Adds (or replaces) a thread; evicts the least recently active threads when over the bound. */
  add(t: ThreadInfo): ThreadInfo {
    this.byTid.set(t.tid, t);
    const slot = t.tid & (CACHE_SLOTS - 1);
    if (this.slotTid[slot] === t.tid) this.slotThread[slot] = t;
    if (this.byTid.size > this.maxThreads) this.evict();
    return t;
  }

  /** Removes thread `tid` now. */
  remove(tid: number): void {
    this.forget(tid);
  }

  /** Marks a thread exited; it is removed at the next {@link purgeExited}. */
  markExited(t: ThreadInfo): void {
    t.exited = true;
    this.exitedTids.push(t.tid);
  }

  /** Removes threads marked exited (libsinsp removes them before parsing the next event). */
  purgeExited(): void {
    const list = this.exitedTids;
    for (let i = 0; i < list.length; i++) {
      const tid = list[i]!;
      const t = this.threads.get(tid);
      if (t?.exited) this.forget(tid);
    }
    list.length = 0;
  }

  /** Whether threads are waiting to be purged. */
  get hasExited(): boolean {
    return this.exitedTids.length > 0;
  }

  /** The main thread of `t`'s process (itself when unknown). */
  mainThread(t: ThreadInfo): ThreadInfo {
    if (t.tid === t.pid) return t;
    return this.get(t.pid) ?? t;
  }

  /** The main thread of `t`'s parent process, if known. */
  parent(t: ThreadInfo): ThreadInfo | undefined {
    const main = this.mainThread(t);
    if (main.ptid <= 0 || main.ptid === main.tid) return undefined;
    const p = this.get(main.ptid);
    return p ? this.mainThread(p) : undefined;
  }

  /** The `n`-th ancestor process (1 = parent); `undefined` past the first unknown one. */
  ancestor(t: ThreadInfo, n: number): ThreadInfo | undefined {
    let cur: ThreadInfo | undefined = this.mainThread(t);
    for (let i = 0; i < n && cur; i++) cur = this.parent(cur);
    return cur;
  }

  /** Number of threads of `pid`'s process. */
  threadCount(pid: number): number {
    let n = 0;
    for (const t of this.threads.values()) if (t.pid === pid) n++;
    return n;
  }

  private evict(): void {
    const target = Math.floor(this.maxThreads * 0.9);
    const all = [...this.threads.values()].sort((a, b) => a.lastEventNum - b.lastEventNum);
    for (let i = 0; i < all.length && this.threads.size > target; i++) {
      this.forget(all[i]!.tid);
      this.evicted++;
    }
  }
}
