/**
 * The contract between the rules engine and whatever produces events: a {@link FieldSet} names the
 * fields it provides (with libsinsp's type names) and hands out typed extractors.
 */
import { RuleError } from './errors.js';

/**
 * libsinsp field types (the `PT_` prefix dropped). Plugin field types (`string`, `uint64`, `bool`,
 * `reltime`, `abstime`, `ipaddr`, `ipnet`) map onto these with {@link normalizeFieldType}.
 */
export type FieldType =
  | 'CHARBUF'
  | 'FSPATH'
  | 'FSRELPATH'
  | 'BYTEBUF'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'DOUBLE'
  | 'BOOL'
  | 'RELTIME'
  | 'ABSTIME'
  | 'IPADDR'
  | 'IPV4ADDR'
  | 'IPV6ADDR'
  | 'IPNET'
  | 'IPV4NET'
  | 'IPV6NET'
  | 'PORT'
  | 'L4PROTO'
  | 'MODE'
  | 'FLAGS8'
  | 'FLAGS16'
  | 'FLAGS32'
  | 'ENUMFLAGS8'
  | 'ENUMFLAGS16'
  | 'ENUMFLAGS32'
  | 'SYSCALLID'
  | 'SIGTYPE'
  | 'ERRNO'
  | 'FD'
  | 'PID'
  | 'UID'
  | 'GID'
  | 'DYN';

const ALL_TYPES = new Set<string>([
  'CHARBUF',
  'FSPATH',
  'FSRELPATH',
  'BYTEBUF',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'DOUBLE',
  'BOOL',
  'RELTIME',
  'ABSTIME',
  'IPADDR',
  'IPV4ADDR',
  'IPV6ADDR',
  'IPNET',
  'IPV4NET',
  'IPV6NET',
  'PORT',
  'L4PROTO',
  'MODE',
  'FLAGS8',
  'FLAGS16',
  'FLAGS32',
  'ENUMFLAGS8',
  'ENUMFLAGS16',
  'ENUMFLAGS32',
  'SYSCALLID',
  'SIGTYPE',
  'ERRNO',
  'FD',
  'PID',
  'UID',
  'GID',
  'DYN',
]);

const PLUGIN_TYPES: Record<string, FieldType> = {
  string: 'CHARBUF',
  uint64: 'UINT64',
  bool: 'BOOL',
  reltime: 'RELTIME',
  abstime: 'ABSTIME',
  ipaddr: 'IPADDR',
  ipnet: 'IPNET',
};

/**
 * Maps `PT_UINT64`, `UINT64` or a plugin type name (`uint64`, `string`, …) to a {@link FieldType}.
 * Throws a {@link RuleError} (`UNKNOWN_FIELD_TYPE`) for anything else.
 */
export function normalizeFieldType(name: string): FieldType {
  const bare = name.startsWith('PT_') ? name.slice(3) : name;
  if (ALL_TYPES.has(bare)) return bare as FieldType;
  const plugin = PLUGIN_TYPES[bare];
  if (plugin) return plugin;
  throw new RuleError('UNKNOWN_FIELD_TYPE', `unknown field type '${name}'`);
}

/** How a field takes an argument (`proc.aname[2]`, `evt.arg.name`, `container.label[app]`). */
export type FieldArgMode = 'none' | 'required' | 'optional';

/** The definition of one field, as the compiler asks for it. */
export interface FieldDef {
  /** Full name, e.g. `proc.name`. */
  name: string;
  /** libsinsp type. */
  type: FieldType;
  /** Whether an argument is taken; default `'none'`. */
  arg?: FieldArgMode;
  /** What the argument is: a numeric index, a string key, or either. Default `'key'`. */
  argKind?: 'index' | 'key' | 'any';
  /** The extractor returns an array of values (libsinsp `EPF_IS_LIST`). */
  isList?: boolean;
  /** Human description. */
  desc?: string;
  /** Usable in conditions only, not outputs (`EPF_FILTER_ONLY`). */
  filterOnly?: boolean;
  /** Usable in outputs only (`EPF_PRINT_ONLY`). */
  printOnly?: boolean;
  /** May not be used as a right-hand side field (`EPF_NO_RHS`). */
  noRhs?: boolean;
  /** Transformers may not be applied (`EPF_NO_TRANSFORMER`). */
  noTransformer?: boolean;
  /** Deprecated field: using it produces a `LOAD_DEPRECATED_ITEM` warning. */
  deprecated?: boolean;
  /**
   * Relative cost of extracting the field, for evaluation order: 1 (the default) for a value the event or its
   * state holds ready, more for values computed per event (formatted, parsed, looked up, walked). A
   * `Ruleset` runs checks of cost-1 fields first in an `and`; verdicts never depend on it.
   */
  cost?: number;
}

/** A single extracted scalar. Numbers may be `number` or `bigint`; IP addresses are strings. */
export type FieldScalar = string | number | bigint | boolean | Uint8Array;

/** What an extractor returns: a scalar, a list of scalars for list fields, or `undefined`. */
export type FieldValue = FieldScalar | readonly FieldScalar[];

/** Reads one field from an event. `undefined` means "cannot extract": every check on it is false. */
export type Extractor<E> = (event: E) => FieldValue | undefined;

/**
 * Event-type information for the event-type index. Codes are small integers `0 … count-1`;
 * one event name may map to several codes (e.g. enter and exit events).
 */
export interface EventTypeInfo<E> {
  /** Number of event type codes. */
  readonly count: number;
  /** Codes for an event name as written in `evt.type = name`; `undefined` if unknown. */
  codes(name: string): readonly number[] | undefined;
  /** The code of an event. */
  of(event: E): number;
  /**
   * The `evt.type` value every event of a code has, or `undefined` when it depends on the event (e.g.
   * generic syscall events named by their syscall number). When given, each rule is compiled once per
   * group of codes with its `evt.type` checks decided in advance (they are then never evaluated).
   */
  name?(code: number): string | undefined;
}

/**
 * A named provider of fields for one event source (`syscall`, `k8s_audit`, a plugin's source…).
 * Several field sets may serve the same source; they are searched in the order given.
 */
export interface FieldSet<E> {
  /** Event source served, matched against a rule's `source` (default `syscall`). */
  readonly source: string;
  /** Looks up a field definition by its exact name. */
  field(name: string): FieldDef | undefined;
  /** Every field (for listings and diagnostics). */
  fields(): Iterable<FieldDef>;
  /**
   * Returns the extractor for a field and its (already validated) argument. May throw a
   * {@link RuleError} for an argument the field does not accept.
   */
  extractor(def: FieldDef, arg: string | undefined): Extractor<E>;
  /** Present when events carry an event type: enables the event-type index. */
  readonly eventTypes?: EventTypeInfo<E>;
}

/** A field resolved from a name as written in a condition or output. */
export interface ResolvedField<E> {
  def: FieldDef;
  arg: string | undefined;
  fieldSet: FieldSet<E>;
}

/**
 * Resolves `name` (and an optional bracket argument) against field sets, the way libsinsp does:
 * an exact name first, otherwise the longest field that takes an argument and prefixes the name
 * followed by `.` (so `evt.arg.flags` is `evt.arg` with argument `flags`).
 */
export function resolveField<E>(
  sets: readonly FieldSet<E>[],
  name: string,
  arg: string | undefined,
): ResolvedField<E> | undefined {
  for (const fs of sets) {
    const def = fs.field(name);
    if (def) return { def, arg, fieldSet: fs };
  }
  if (arg !== undefined) return undefined;
  let dot = name.lastIndexOf('.');
  while (dot > 0) {
    const prefix = name.slice(0, dot);
    for (const fs of sets) {
      const def = fs.field(prefix);
      if (def && (def.arg === 'required' || def.arg === 'optional')) {
        return { def, arg: name.slice(dot + 1), fieldSet: fs };
      }
    }
    dot = name.lastIndexOf('.', dot - 1);
  }
  return undefined;
}

/** One field of {@link createObjectFieldSet}. */
export interface ObjectFieldSpec<E> extends Omit<FieldDef, 'type'> {
  /** Field type; a libsinsp (`UINT64`, `PT_UINT64`) or plugin (`uint64`) name. */
  type: FieldType | string;
  /**
   * How to read the value. Default: the property named exactly like the field (`event['proc.name']`),
   * else the nested path (`event.proc.name`). With an argument, the value found is indexed by it
   * (`value[arg]`, numeric for arrays).
   */
  get?: (event: E, arg: string | undefined) => FieldValue | undefined;
}

/** Options of {@link createObjectFieldSet}. */
export interface ObjectFieldSetOptions<E> {
  /** Event source served; default `syscall`. */
  source?: string;
  /** Fields provided. */
  fields: readonly ObjectFieldSpec<E>[];
  /**
   * Event names, in code order, for the event-type index, and how to get an event's name
   * (default: the `evt.type` field).
   */
  eventTypes?: { names: readonly string[]; nameOf?: (event: E) => string | undefined };
}

function readPath(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function asFieldValue(v: unknown): FieldValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (
    typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'bigint' ||
    typeof v === 'boolean' ||
    v instanceof Uint8Array
  )
    return v;
  if (Array.isArray(v)) return v as FieldScalar[];
  return undefined;
}

/**
 * Builds a {@link FieldSet} over plain JavaScript objects (JSON events, test fixtures).
 *
 * @example
 * ```ts
 * const fs = createObjectFieldSet({ fields: [{ name: 'proc.name', type: 'CHARBUF' }] });
 * ```
 */
export function createObjectFieldSet<E = Record<string, unknown>>(
  opts: ObjectFieldSetOptions<E>,
): FieldSet<E> {
  const defs = new Map<string, FieldDef>();
  const getters = new Map<string, ObjectFieldSpec<E>['get']>();
  for (const spec of opts.fields) {
    const { get, type, ...rest } = spec;
    const def: FieldDef = { ...rest, type: normalizeFieldType(type) };
    defs.set(def.name, def);
    getters.set(def.name, get);
  }
  const set: FieldSet<E> = {
    source: opts.source ?? 'syscall',
    field: (name) => defs.get(name),
    fields: () => defs.values(),
    extractor(def, arg) {
      const custom = getters.get(def.name);
      if (custom) return (e) => custom(e, arg);
      const flat = def.name;
      const path = def.name.split('.');
      const base = (e: E): unknown => {
        const o = e as Record<string, unknown>;
        const v = o[flat];
        return v !== undefined ? v : readPath(o, path);
      };
      if (arg === undefined) return (e) => asFieldValue(base(e));
      const index = /^\d+$/.test(arg) ? Number(arg) : -1;
      if (def.argKind === 'index' && index < 0) {
        throw new RuleError('LOAD_ERR_COMPILE_CONDITION', `field '${def.name}' requires a numeric argument`);
      }
      return (e) => {
        const v = base(e);
        if (Array.isArray(v)) return index >= 0 ? asFieldValue(v[index]) : undefined;
        if (v !== null && typeof v === 'object') return asFieldValue((v as Record<string, unknown>)[arg]);
        return undefined;
      };
    },
  };
  if (opts.eventTypes) {
    const names = opts.eventTypes.names;
    const byName = new Map<string, number[]>();
    names.forEach((n, i) => {
      const list = byName.get(n);
      if (list) list.push(i);
      else byName.set(n, [i]);
    });
    const evtType = defs.get('evt.type');
    const plainEvtType = evtType !== undefined && !getters.get('evt.type');
    const nameOf =
      opts.eventTypes.nameOf ??
      (plainEvtType
        ? (e: E) => {
            // A constant key keeps this property load monomorphic: it runs once per event.
            const v = (e as Record<string, unknown>)['evt.type'] ?? readPath(e, ['evt', 'type']);
            return typeof v === 'string' ? v : undefined;
          }
        : evtType
          ? (() => {
              const ex = set.extractor(evtType, undefined);
              return (e: E) => {
                const v = ex(e);
                return typeof v === 'string' ? v : undefined;
              };
            })()
          : () => undefined);
    const unknown = names.length;
    const info: EventTypeInfo<E> = {
      count: names.length + 1,
      codes: (n) => byName.get(n),
      of(e) {
        const n = nameOf(e);
        const c = n === undefined ? undefined : byName.get(n);
        return c ? c[0]! : unknown;
      },
    };
    // Codes come from the `evt.type` field itself, so a code's name is that field's value (unless a custom
    // `nameOf` decides codes some other way).
    if (!opts.eventTypes.nameOf && evtType) info.name = (code) => (code < unknown ? names[code] : undefined);
    (set as { eventTypes?: EventTypeInfo<E> }).eventTypes = info;
  }
  return set;
}
