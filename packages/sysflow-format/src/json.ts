import { type AvscType, isSysFlowType, readerSchema, sysflowTypeIndex } from './avro-types.js';
import { SysFlowError } from './errors.js';
import type { SysFlowRecord } from './types.js';

/** A JSON value. */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/**
 * The nested JSON form of a record (what python3-avro's reading prints): `{"type": <branch name>,
 * "rec": {<fields under their schema names, in schema order>}}`, with longs as decimal strings, `fixed`
 * (FOIDs) and `bytes` as lowercase hex, enums as symbol names, maps as objects, null unions as `null`.
 */
export interface SysFlowRecordJSON {
  /** Branch name, e.g. `"NetworkFlow"`. */
  type: string;
  /** The fields under their schema names. */
  rec: { [field: string]: JSONValue };
}

type Conv = (value: unknown) => unknown;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of a byte array. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

/** Bytes of a hex string (even length, 0-9a-f in either case); throws `TypeError` otherwise. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError(`not a hex string: ${hex}`);
  return Buffer.from(hex, 'hex');
}

function compile(type: AvscType, toJSON: boolean, cache: Map<AvscType, Conv>): Conv {
  const known = cache.get(type);
  if (known) return known;
  let conv: Conv | undefined;
  cache.set(type, (v) => conv!(v));
  conv = build(type, toJSON, cache);
  cache.set(type, conv);
  return conv;
}

function build(type: AvscType, toJSON: boolean, cache: Map<AvscType, Conv>): Conv {
  switch (type.typeName) {
    case 'abstract:long':
    case 'long':
      return toJSON
        ? (v) => (typeof v === 'bigint' ? v.toString() : v)
        : (v) => (typeof v === 'string' || typeof v === 'number' ? BigInt(v) : v);
    case 'fixed':
    case 'bytes':
      return toJSON
        ? (v) => (v instanceof Uint8Array ? toHex(v) : v)
        : (v) => (typeof v === 'string' ? fromHex(v) : v);
    case 'array': {
      const item = compile(type.itemsType!, toJSON, cache);
      return (v) => (Array.isArray(v) ? v.map(item) : v);
    }
    case 'map': {
      const item = compile(type.valuesType!, toJSON, cache);
      return (v) => {
        if (v === null || typeof v !== 'object') return v;
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = item(x);
        return out;
      };
    }
    case 'record': {
      const fields = type.fields!.map((field) => [field.name, compile(field.type, toJSON, cache)] as const);
      return (v) => {
        if (v === null || typeof v !== 'object') return v;
        const out: Record<string, unknown> = {};
        for (const [name, conv] of fields) out[name] = conv((v as Record<string, unknown>)[name]);
        return out;
      };
    }
    case 'union:unwrapped': {
      // SysFlow's inner unions are ["null", X].
      const branches = type.types!.filter((t) => t.typeName !== 'null').map((t) => compile(t, toJSON, cache));
      const only = branches.length === 1 ? branches[0]! : (v: unknown) => v;
      return (v) => (v === null || v === undefined ? v : only(v));
    }
    default:
      return (v) => v;
  }
}

let toCache: Conv[] | undefined;
let fromCache: Conv[] | undefined;

function converters(toJSON: boolean): Conv[] {
  if (toJSON) {
    toCache ??= ((c) => readerSchema().branches.map((b) => compile(b, true, c)))(new Map());
    return toCache;
  }
  fromCache ??= ((c) => readerSchema().branches.map((b) => compile(b, false, c)))(new Map());
  return fromCache;
}

/**
 * The JSON form of a record (see {@link SysFlowRecordJSON}); `JSON.stringify` it for one NDJSON line.
 *
 * @example
 * ```ts
 * for await (const r of readSysFlow('trace.sf')) process.stdout.write(`${JSON.stringify(recordToJSON(r))}\n`);
 * ```
 */
export function recordToJSON(record: SysFlowRecord): SysFlowRecordJSON {
  const index = sysflowTypeIndex(record.type);
  if (index === undefined)
    throw new SysFlowError('INVALID_RECORD', `unknown record type ${String(record.type)}`);
  return { type: record.type, rec: converters(true)[index]!(record.rec) as SysFlowRecordJSON['rec'] };
}

/**
 * Key of a `Container`'s own `type` field (its `ContainerType`) in the flat form, where `type` names the record
 * type.
 */
export const CONTAINER_TYPE_KEY = 'containerType';

/**
 * The flat JSON form of a record (one NDJSON line of `sysray print --json`): `type` is the record's schema
 * name (e.g. `"NetworkFlow"`), then its fields under their schema names in schema order, valued as in
 * {@link SysFlowRecordJSON}. The one name clash, `Container.type`, is written as {@link CONTAINER_TYPE_KEY}.
 */
export interface SysFlowFlatJSON {
  /** Record type, e.g. `"NetworkFlow"`. */
  type: string;
  /** The record's fields. */
  [field: string]: JSONValue;
}

/** {@link SysFlowRecordJSON} → {@link SysFlowFlatJSON}. */
export function flattenRecordJSON(json: SysFlowRecordJSON): SysFlowFlatJSON {
  const out: SysFlowFlatJSON = { type: json.type };
  for (const [field, value] of Object.entries(json.rec)) {
    out[field === 'type' ? CONTAINER_TYPE_KEY : field] = value;
  }
  return out;
}

/** {@link SysFlowFlatJSON} → {@link SysFlowRecordJSON}. */
function unflattenRecordJSON(json: SysFlowFlatJSON): SysFlowRecordJSON {
  const rec: { [field: string]: JSONValue } = {};
  for (const [field, value] of Object.entries(json)) {
    if (field === 'type') continue;
    rec[field === CONTAINER_TYPE_KEY && json.type === 'Container' ? 'type' : field] = value;
  }
  return { type: json.type, rec };
}

/**
 * The flat JSON form of a record (see {@link SysFlowFlatJSON}), as `sysray print --json` writes it.
 *
 * @example
 * ```ts
 * for await (const r of readSysFlow('trace.sf')) process.stdout.write(`${JSON.stringify(recordToFlatJSON(r))}\n`);
 * ```
 */
export function recordToFlatJSON(record: SysFlowRecord): SysFlowFlatJSON {
  return flattenRecordJSON(recordToJSON(record));
}

/**
 * The inverse of {@link recordToJSON} and {@link recordToFlatJSON}: longs from decimal strings (or numbers),
 * FOIDs from hex. The result is checked only when it is written ({@link createSysFlowWriter} validates every
 * record).
 */
export function recordFromJSON(
  input: SysFlowRecordJSON | SysFlowFlatJSON | { type: string; rec: unknown },
): SysFlowRecord {
  const json =
    input !== null && typeof input === 'object' && !('rec' in input)
      ? unflattenRecordJSON(input as SysFlowFlatJSON)
      : (input as { type: string; rec: unknown });
  if (json === null || typeof json !== 'object' || !isSysFlowType(json.type)) {
    throw new SysFlowError(
      'INVALID_RECORD',
      `unknown record type ${String((json as { type?: unknown })?.type)}`,
    );
  }
  const index = sysflowTypeIndex(json.type)!;
  try {
    return { type: json.type, rec: converters(false)[index]!(json.rec) } as SysFlowRecord;
  } catch (error) {
    throw new SysFlowError('INVALID_RECORD', `bad ${json.type} JSON: ${(error as Error).message}`, {}, error);
  }
}
