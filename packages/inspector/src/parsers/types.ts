/** The shape of an event parser. */
import type { EventContext } from '../context.js';
import type { SwitchClock } from '../state/cpu-time.js';
import type { InspectorTables } from '../tables.js';

/** Everything a parser may touch: the event context and the tables (plus inspector options). */
export interface ParseEnv extends InspectorTables {
  /** Maximum fds per process. */
  readonly maxFds: number;
  /** Last scheduler switch per CPU. */
  readonly switches: SwitchClock;
}

/** Updates state from one event (`ctx.thread` is already resolved, `ctx.fd`/`ctx.fdNum` may be set). */
export type EventParser = (ctx: EventContext, env: ParseEnv) => void;

/** Converts a decoded numeric value to a number (`undefined` for anything else). */
export function toNum(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (
    v !== null &&
    typeof v === 'object' &&
    'value' in v &&
    typeof (v as { value: unknown }).value === 'number'
  )
    return (v as { value: number }).value;
  return undefined;
}

/** Converts a decoded numeric value to a bigint (0n for anything else). */
export function toBig(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return 0n;
}

/** Splits a NUL-separated byte buffer into strings (trailing empty entry dropped). */
export function splitNul(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v as string[];
  if (!(v instanceof Uint8Array)) return typeof v === 'string' ? [v] : undefined;
  if (v.length === 0) return [];
  const parts = UTF8.decode(v).split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

const UTF8 = new TextDecoder();
