/**
 * CPU-time state, as libsinsp derives `thread.cpu*` and `thread.exectime`/`totexectime`:
 * - `procinfo` events (the drivers emit one per thread and second, with the thread's cumulative user and
 *   system CPU ticks) give the ticks used since the thread's previous `procinfo`: with 100 ticks a second,
 *   the percent of a CPU over the last second (libsinsp caps it at 100, and gives 0 on a thread's first);
 * - scheduler `switch` events give, per CPU, the time since the previous switch on that CPU: the CPU time of
 *   the thread switched out (the event's thread), which is also summed per thread.
 */

/** What one `procinfo` event gave: ticks used since the thread's previous `procinfo`, capped at 100. */
export interface CpuUsage {
  total: number;
  user: number;
  system: number;
}

/** Cumulative ticks of a thread at its last `procinfo`. */
export interface CpuTicks {
  user: number;
  system: number;
}

const CAP = 100;

/** The usage since `last` (undefined: the thread's first `procinfo`, usage 0). */
export function cpuUsage(last: CpuTicks | undefined, now: CpuTicks): CpuUsage {
  if (!last) return { total: 0, user: 0, system: 0 };
  const user = Math.max(0, now.user - last.user);
  const system = Math.max(0, now.system - last.system);
  return { total: Math.min(CAP, user + system), user: Math.min(CAP, user), system: Math.min(CAP, system) };
}

/** Time of the last scheduler switch per CPU. */
export class SwitchClock {
  private readonly last = new Map<number, bigint>();

  /** Time since the previous switch on `cpu` (0 for its first), and remembers `ts` as the latest. */
  exectime(cpu: number, ts: bigint): bigint {
    const prev = this.last.get(cpu);
    this.last.set(cpu, ts);
    return prev === undefined || ts < prev ? 0n : ts - prev;
  }
}
