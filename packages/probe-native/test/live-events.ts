/** The live tests' view of a captured event: its header fields and every parameter decoded, by name. */
import type { ScapEvent } from '@sysray/pcapng/scap';

/** A captured event, decoded. */
export interface Ev {
  num: number;
  name: string;
  tid: number;
  ts: bigint;
  /** Parameters by name (`pK` for one the event table does not name). */
  params: Record<string, unknown>;
}

/** The event under the cursor, decoded into a plain object. */
export function decodeEvent(ev: ScapEvent): Ev {
  const params: Record<string, unknown> = {};
  for (let k = 0; k < ev.nparams; k++) params[ev.paramInfo(k)?.name ?? `p${k}`] = ev.param(k);
  return { num: ev.num, name: ev.name, tid: ev.tid, ts: ev.ts, params };
}
