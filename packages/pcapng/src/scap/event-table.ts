import {
  DYNAMIC_PARAM_TABLES,
  EC,
  EF,
  EVENT_COUNT,
  EVENT_ROWS,
  FLAG_TABLES,
  type GeneratedEventName,
  PT,
  PT_NAMES,
} from './event-table.generated.js';

export { EC, EF, EVENT_COUNT, PT, PT_NAMES };

/** Name of an event type in the libs event table (`"openat"`, `"execve"`, …). */
export type ScapEventName = GeneratedEventName;

/** Description of one parameter of an event type. */
export interface ScapParamInfo {
  /** Parameter name, e.g. `"fd"`. */
  readonly name: string;
  /** Parameter type id (see {@link PT}). */
  readonly type: number;
  /** Parameter type name without the `PT_` prefix, e.g. `"FD"`. */
  readonly typeName: string;
  /** Print format id (libs `PF_*`: 0 NA, 1 DEC, 2 HEX, 6 OCT, …). */
  readonly fmt: number;
  /** For flag and enum parameters: the name of the table of symbolic names. */
  readonly flagTable: string | undefined;
  /** For `PT_DYN` parameters: the name of the table of sub-types. */
  readonly dynamicTable: string | undefined;
  /** For `PT_FSRELPATH` parameters: the index of the parameter holding the directory fd. */
  readonly dirfdParam: number | undefined;
}

/** Description of one event type of the libs event table. */
export interface ScapEventInfo {
  /** Event type id. */
  readonly type: number;
  /** libs enum name without the `PPME_` prefix, e.g. `"SYSCALL_OPENAT_2_E"`. */
  readonly enumName: string;
  /** Event name, e.g. `"openat"` (`"NA"` for unused slots). */
  readonly name: string;
  /** `'>'` for enter events (even ids), `'<'` for exit events (odd ids). */
  readonly direction: '>' | '<';
  /** Category bits (see {@link EC}): the syscall category in the low bits, the source in the high bits. */
  readonly category: number;
  /** Flag bits (see {@link EF}). */
  readonly flags: number;
  /** True when parameter lengths are 32-bit (`EF_LARGE_PAYLOAD`), else 16-bit. */
  readonly largePayload: boolean;
  /** True for event versions the drivers no longer emit (`EF_OLD_VERSION`). */
  readonly oldVersion: boolean;
  /** True for table slots that are never emitted (`EF_UNUSED`). */
  readonly unused: boolean;
  /** Parameters in wire order. */
  readonly params: readonly ScapParamInfo[];
}

function buildTable(): ScapEventInfo[] {
  const out: ScapEventInfo[] = [];
  EVENT_ROWS.forEach(([enumName, name, category, flags, params], type) => {
    out.push({
      type,
      enumName,
      name,
      direction: (type & 1) === 0 ? '>' : '<',
      category,
      flags,
      largePayload: (flags & EF.LARGE_PAYLOAD) !== 0,
      oldVersion: (flags & EF.OLD_VERSION) !== 0,
      unused: (flags & EF.UNUSED) !== 0,
      params: params.map((p) => ({
        name: p.name,
        type: p.type,
        typeName: PT_NAMES[p.type] ?? 'NONE',
        fmt: p.fmt,
        flagTable: typeof p.info === 'string' && p.type !== PT.DYN ? p.info : undefined,
        dynamicTable: typeof p.info === 'string' && p.type === PT.DYN ? p.info : undefined,
        dirfdParam: typeof p.info === 'number' ? p.info : undefined,
      })),
    });
  });
  return out;
}

/** Every event type of the libs event table, indexed by type id. */
export const EVENT_TABLE: readonly ScapEventInfo[] = buildTable();

/** Event names indexed by type id (hot-path friendly). */
export const EVENT_NAMES: readonly string[] = EVENT_TABLE.map((e) => e.name);

/** Per type id: 1 when parameter lengths are 32-bit. */
export const EVENT_LARGE: Uint8Array = Uint8Array.from(EVENT_TABLE, (e) => (e.largePayload ? 1 : 0));

/** Per type id: the number of parameters the current table defines. */
export const EVENT_NPARAMS: Uint8Array = Uint8Array.from(EVENT_TABLE, (e) => e.params.length);

const paramIndexCache: (Map<string, number> | undefined)[] = new Array(EVENT_COUNT);

/** The description of event type `type`, or `undefined` when the id is outside the table. */
export function eventInfo(type: number): ScapEventInfo | undefined {
  return EVENT_TABLE[type];
}

/** Index of the parameter called `name` in event type `type`, or -1. */
export function paramIndexOf(type: number, name: string): number {
  let m = paramIndexCache[type];
  if (m === undefined) {
    const info = EVENT_TABLE[type];
    if (!info) return -1;
    m = new Map(info.params.map((p, i) => [p.name, i]));
    paramIndexCache[type] = m;
  }
  return m.get(name) ?? -1;
}

let byName: Map<string, number[]> | undefined;

/** Every type id whose event name is `name` (enter and exit, every version), ascending. */
export function eventTypesByName(name: string): number[] {
  if (!byName) {
    byName = new Map();
    for (const e of EVENT_TABLE) {
      if (e.unused && e.name === 'NA') continue;
      let l = byName.get(e.name);
      if (!l) {
        l = [];
        byName.set(e.name, l);
      }
      l.push(e.type);
    }
  }
  return [...(byName.get(name) ?? [])];
}

/**
 * Symbolic names of `value` in flag table `table`. For bit-flag tables (`exact` false) every entry whose bits
 * are all set in the value is named, in table order, and its bits are then cleared (so `O_RDWR` wins over
 * `O_WRONLY`); an entry with value 0 is named only when the whole value is 0. For enum tables (`exact` true)
 * the entry equal to the value is named; when none is, the value is decomposed as bit flags.
 * Returns `[]` for tables that have no transcribed names.
 */
export function flagNames(table: string, value: number, exact = false): string[] {
  const list = FLAG_TABLES[table];
  if (!list) return [];
  if (exact) {
    for (const [n, v] of list) if (v === value) return [n];
  }
  const out: string[] = [];
  let rest = value >>> 0;
  for (const [n, v] of list) {
    if (v === 0) {
      if (value === 0) {
        out.push(n);
        break;
      }
      continue;
    }
    if ((rest & v) >>> 0 === v) {
      out.push(n);
      rest = (rest & ~v) >>> 0;
    }
  }
  return out;
}

/** Sub-type `[type id, print format]` of index `index` in PT_DYN table `table`, or undefined. */
export function dynamicParamType(table: string, index: number): readonly [number, number] | undefined {
  return DYNAMIC_PARAM_TABLES[table]?.[index];
}

/** Whether event type `type` is an enter event (`'>'`), by the libs rule: even ids enter, odd ids exit. */
export function isEnterEvent(type: number): boolean {
  return (type & 1) === 0;
}

/** Well-known event type ids used by this package. */
export const EventType = {
  /** `PPME_PLUGINEVENT_E`: plugin id + payload. */
  PLUGIN: 322,
  /** `PPME_ASYNCEVENT_E`: plugin id + name + payload. */
  ASYNC: 402,
  /** `PPME_CONTAINER_JSON_2_E`. */
  CONTAINER_JSON_2: 324,
} as const;
