/** Alerts in Falco's JSON output format. */

import type { Priority } from '../priority.js';
import type { CompiledRule } from '../ruleset.js';

/** An alert as Falco prints it with `json_output: true`. */
export interface FalcoAlert {
  /** Event time, ISO 8601 with nanoseconds, UTC. */
  time: string;
  /** Rule name. */
  rule: string;
  /** Rule priority. */
  priority: Priority;
  /** `<time>: <Priority> <message>`, as Falco's `output`. */
  output: string;
  /** Every field of the output format with its value (`null` when it could not be extracted). */
  output_fields: Record<string, string | number | boolean | null>;
  /** Event source. */
  source: string;
  /** Rule tags. */
  tags: string[];
  /** Host name given in the options. */
  hostname: string;
}

/** Options of {@link createAlert}. */
export interface AlertOptions<E> {
  /** Event timestamp in nanoseconds since the epoch; default: now. */
  timestamp?: (event: E) => bigint | number;
  /** Host name; default `''`. */
  hostname?: string;
  /** `iso8601` (default) or Falco's default `%H:%M:%S.%09d` clock time (UTC) in the `output` prefix. */
  timeFormat?: 'iso8601' | 'clock';
}

/** Formats nanoseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`. */
export function formatIsoNanos(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  const frac = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/** Builds the JSON alert Falco emits for a rule that matched an event. */
export function createAlert<E>(rule: CompiledRule<E>, event: E, options: AlertOptions<E> = {}): FalcoAlert {
  const raw = options.timestamp ? options.timestamp(event) : BigInt(Date.now()) * 1_000_000n;
  const ns = typeof raw === 'bigint' ? raw : BigInt(Math.trunc(raw));
  const time = formatIsoNanos(ns);
  const prefix = options.timeFormat === 'clock' ? time.slice(11, 29) : time;
  const message = rule.output.render(event);
  return {
    time,
    rule: rule.name,
    priority: rule.priority,
    output: `${prefix}: ${rule.priority} ${message}`,
    output_fields: rule.output.fields(event),
    source: rule.source,
    tags: [...rule.tags],
    hostname: options.hostname ?? '',
  };
}
