import avro from 'avsc';
import { bigintLongType } from './long.js';
import { type AvroSchemaJSON, buildSysFlowSchema, SYSFLOW_SCHEMA, SYSFLOW_TYPES } from './schema.js';
import type { SysFlowType } from './types.js';

/** The parts of an avsc `Type` this package walks (avsc's typings leave most of them out). */
export interface AvscType extends avro.Type {
  /** Record fields (records only). */
  readonly fields?: {
    /** Field name. */
    name: string;
    /** Field type. */
    type: AvscType;
  }[];
  /** Item type (arrays only). */
  readonly itemsType?: AvscType;
  /** Value type (maps only). */
  readonly valuesType?: AvscType;
  /** Branch types (unions only). */
  readonly types?: AvscType[];
  /** Symbols (enums only). */
  readonly symbols?: string[];
  /** Size in bytes (fixed only). */
  readonly size?: number;
}

/** A parsed SysFlow-shaped schema: the top record and its union branches in union order. */
export interface ParsedSysFlowSchema {
  /** The whole `SysFlow` record type. */
  type: AvscType;
  /** The branches of `SysFlow.rec`, in union order. */
  branches: AvscType[];
}

/**
 * Parses a schema with every `long` as a `bigint`, unions of distinguishable branches unwrapped
 * (`["null", X]` reads as `null` or the X value). Logical-type annotations are ignored: SysFlow stores
 * nanoseconds in longs that some old schemas label `timestamp-millis`.
 */
export function parseSchema(schema: AvroSchemaJSON): AvscType {
  return avro.Type.forSchema(schema as avro.Schema, {
    registry: { long: bigintLongType },
    wrapUnions: 'auto',
    omitRecordMethods: true,
  }) as AvscType;
}

/**
 * Checks that a parsed schema has the SysFlow shape (a record whose first field is a union of records)
 * and returns its branches. Throws a plain `Error` with the reason otherwise.
 */
export function sysflowBranches(type: AvscType): ParsedSysFlowSchema {
  const field = type.typeName === 'record' ? type.fields?.[0] : undefined;
  const union = field?.type;
  if (!union?.typeName.startsWith('union') || !union.types) {
    throw new Error('schema is not a record whose first field is a union (not a SysFlow schema)');
  }
  for (const branch of union.types) {
    if (branch.typeName !== 'record') throw new Error(`union branch ${branch.typeName} is not a record`);
  }
  return { type, branches: union.types };
}

/** Short name of a named type: `sysflow.flow.NetworkFlow` → `NetworkFlow`. */
export function shortName(type: avro.Type): string {
  const name = type.name ?? type.typeName;
  return name.slice(name.lastIndexOf('.') + 1);
}

let readerCache: ParsedSysFlowSchema | undefined;
let writerCache: ParsedSysFlowSchema | undefined;

/** The v5 schema with the read defaults (see {@link buildSysFlowSchema}), parsed once. */
export function readerSchema(): ParsedSysFlowSchema {
  readerCache ??= sysflowBranches(parseSchema(buildSysFlowSchema(true)));
  return readerCache;
}

/** The v5 schema exactly as written into `.sf` headers, parsed once. */
export function writerSchema(): ParsedSysFlowSchema {
  writerCache ??= sysflowBranches(parseSchema(SYSFLOW_SCHEMA));
  return writerCache;
}

const branchIndex = new Map<string, number>(SYSFLOW_TYPES.map((name, i) => [name, i]));

/** Index of a branch name in the v5 union, or `undefined` when the name is not a SysFlow type. */
export function sysflowTypeIndex(name: string): number | undefined {
  return branchIndex.get(name);
}

/** True when `name` is one of the 12 SysFlow branch names. */
export function isSysFlowType(name: unknown): name is SysFlowType {
  return typeof name === 'string' && branchIndex.has(name);
}
