/**
 * Symbolic parameter values for crafted events: flag names (`O_RDONLY|O_CLOEXEC`), `AT_FDCWD`, errno names
 * (`-ENOENT`) and octal modes (`'0644'`), turned into the numbers the scap encoder writes.
 */
import { ERRNO_NAMES, flagNames, PT, type ScapParamInfo } from '@sysray/pcapng/scap';

/** `AT_FDCWD` as the drivers write it in `dirfd` parameters. */
export const AT_FDCWD = -100;

const ERRNO_VALUES = new Map<string, number>(
  Object.entries(ERRNO_NAMES).map(([value, name]) => [name, Number(value)]),
);

const flagValueCache = new Map<string, Map<string, number>>();

/**
 * Name → value of a flag table of the event table. `@sysray/pcapng/scap` exposes value → names
 * (`flagNames`), so the table is recovered by asking for the names of every single bit and of every small
 * value: the smallest value named exactly `[name]` is that name's value (decomposition only names a flag
 * for values holding all its bits, so no smaller value can be named by it alone).
 */
function flagValues(table: string): Map<string, number> {
  let map = flagValueCache.get(table);
  if (map) return map;
  map = new Map();
  const probe = (v: number) => {
    const names = flagNames(table, v, true);
    if (names.length === 1 && !map!.has(names[0]!)) map!.set(names[0]!, v);
  };
  for (let v = 0; v < 4096; v++) probe(v);
  for (let bit = 12; bit < 32; bit++) probe(2 ** bit);
  flagValueCache.set(table, map);
  return map;
}

function fail(message: string): never {
  throw new TypeError(message);
}

function flagsValue(info: ScapParamInfo, v: string | readonly unknown[]): number {
  const names = typeof v === 'string' ? v.split('|') : v.map(String);
  const table = info.flagTable;
  if (!table) fail(`parameter '${info.name}' takes a number (it has no flag names)`);
  const values = flagValues(table);
  let out = 0;
  for (const raw of names) {
    const name = raw.trim();
    if (/^(0x[\da-f]+|\d+)$/i.test(name)) {
      out = (out | Number(name)) >>> 0;
      continue;
    }
    const value = values.get(name);
    if (value === undefined)
      fail(`unknown flag '${name}' for '${info.name}' (one of ${[...values.keys()].join(', ')})`);
    out = (out | value) >>> 0;
  }
  return out;
}

function errnoValue(name: string): number | undefined {
  const m = /^(-?)(E[A-Z0-9]+)$/.exec(name);
  if (!m) return undefined;
  const value = ERRNO_VALUES.get(m[2]!);
  return value === undefined ? undefined : -value;
}

const FLAG_TYPES: ReadonlySet<number> = new Set([
  PT.FLAGS8,
  PT.FLAGS16,
  PT.FLAGS32,
  PT.ENUMFLAGS8,
  PT.ENUMFLAGS16,
  PT.ENUMFLAGS32,
]);
const NUMERIC_TYPES: ReadonlySet<number> = new Set([
  PT.INT8,
  PT.INT16,
  PT.INT32,
  PT.INT64,
  PT.UINT8,
  PT.UINT16,
  PT.UINT32,
  PT.UINT64,
  PT.ERRNO,
  PT.FD,
  PT.PID,
  PT.UID,
  PT.GID,
  PT.MODE,
  PT.SYSCALLID,
  PT.SIGTYPE,
]);

/**
 * The value to encode for a symbolic parameter value, or `v` itself when it is not symbolic:
 * - flag parameters: `'O_RDONLY|O_CLOEXEC'` or `['O_RDONLY', 'O_CLOEXEC']` (names of the parameter's table);
 * - fd and errno parameters: `'AT_FDCWD'`, `'-ENOENT'` (also `'ENOENT'`: results are negative);
 * - modes and other integers: `'0644'` (octal, leading 0), `'0x1f'`, `'12'`.
 * @throws TypeError naming the parameter and the value that cannot be converted.
 */
export function symbolicParam(info: ScapParamInfo, v: unknown): unknown {
  if (FLAG_TYPES.has(info.type) && (typeof v === 'string' || Array.isArray(v))) {
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
    return flagsValue(info, v);
  }
  if (typeof v !== 'string' || !NUMERIC_TYPES.has(info.type)) return v;
  if (v === 'AT_FDCWD' && info.type === PT.FD) return AT_FDCWD;
  const errno = errnoValue(v);
  if (errno !== undefined && (info.type === PT.FD || info.type === PT.ERRNO || info.type === PT.PID))
    return errno;
  if (/^-?0[0-7]+$/.test(v)) return Number.parseInt(v, 8);
  if (/^0x[\da-f]+$/i.test(v)) return Number.parseInt(v, 16);
  if (/^-?\d+n?$/.test(v)) {
    const n = Number(v.replace(/n$/, ''));
    return Number.isSafeInteger(n) ? n : BigInt(v.replace(/n$/, ''));
  }
  return fail(`'${v}' is not a value for ${info.typeName} parameter '${info.name}'`);
}
