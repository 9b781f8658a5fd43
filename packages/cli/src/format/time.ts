/** Nanoseconds per second. */
const NS = 1_000_000_000n;

/** `1700000000.123456789`: seconds since the epoch with 9 decimals (tshark's `frame.time_epoch`). */
export function epochSeconds(ns: bigint): string {
  const negative = ns < 0n;
  const abs = negative ? -ns : ns;
  const text = `${abs / NS}.${(abs % NS).toString().padStart(9, '0')}`;
  return negative ? `-${text}` : text;
}

/** `2026-11-23 12:00:00.123456789` (UTC), nanoseconds kept; falls back to epoch seconds out of range. */
export function utcTime(ns: bigint): string {
  let seconds = ns / NS;
  let fraction = ns % NS;
  if (fraction < 0n) {
    fraction += NS;
    seconds -= 1n;
  }
  const ms = Number(seconds) * 1000;
  const date = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime())) return `${epochSeconds(ns)} s`;
  const iso = date.toISOString(); // 2026-11-23T12:00:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${fraction.toString().padStart(9, '0')}`;
}

/** `1.234567890 s` for a span in nanoseconds. */
export function duration(ns: bigint): string {
  return `${epochSeconds(ns)} s`;
}
