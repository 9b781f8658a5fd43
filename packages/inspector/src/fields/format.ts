/** Text forms of event parameters and times as libsinsp renders them in fields. */
import {
  ERRNO_NAMES,
  PT,
  paramText,
  type ScapEvent,
  type ScapFlags,
  type ScapParamValue,
} from '@sysray/pcapng/scap';
import type { EventContext } from '../context.js';

function pad(n: number, w = 2): string {
  return n.toString().padStart(w, '0');
}

/** `HH:MM:SS.nnnnnnnnn` (UTC) of a timestamp in ns. */
export function clockTime(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${frac}`;
}

/** `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` (UTC). */
export function dateTime(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${clockTime(ns)}`;
}

/** An errno result's name (`ENOENT`), or the number. */
export function errnoText(v: number): string {
  if (v >= 0) return v.toString();
  return ERRNO_NAMES[-v] ?? v.toString();
}

function isFlags(v: unknown): v is ScapFlags {
  return v !== null && typeof v === 'object' && 'value' in v && 'names' in v;
}

/**
 * Parameter `i` of `ev` as `evt.arg.NAME` shows it: the resolved form when there is one (fd → `<f>/path`,
 * errno → `ENOENT`, flags → `O_RDWR|O_CREAT`), else the plain value.
 */
export function argText(c: EventContext, ev: ScapEvent, i: number): string | undefined {
  let v: ScapParamValue | undefined;
  try {
    v = ev.param(i);
  } catch {
    return undefined;
  }
  if (v === undefined) return undefined;
  const info = ev.paramInfo(i);
  const type = info?.type;
  if (typeof v === 'number' || typeof v === 'bigint') {
    const n = Number(v);
    if (type === PT.FD) {
      if (n < 0) return errnoText(n);
      const f = c.thread?.fds.get(n) ?? (c.fd && c.fdNum === n ? c.fd : undefined);
      if (f) return `<${f.typeChar}>${f.name}`;
      return n.toString();
    }
    if (type === PT.ERRNO || type === PT.PID) return n < 0 ? errnoText(n) : v.toString();
  }
  if (isFlags(v)) return v.names.length > 0 ? v.names.join('|') : v.value.toString();
  try {
    return paramText(v, info);
  } catch {
    return undefined;
  }
}

/** Parameter `name`: index in the exit event, else in the paired enter event. */
export function findParam(c: EventContext, name: string): { ev: ScapEvent; i: number } | undefined {
  const i = c.ev.paramIndex(name);
  if (i >= 0 && i < c.ev.nparams) return { ev: c.ev, i };
  if (c.hasEnter) {
    const j = c.enter.paramIndex(name);
    if (j >= 0 && j < c.enter.nparams) return { ev: c.enter, i: j };
  }
  return undefined;
}
