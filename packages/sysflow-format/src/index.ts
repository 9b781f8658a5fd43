/**
 * `@sysray/sysflow-format`: SysFlow telemetry files (`.sf`, Avro object containers) — the schema v5 as
 * avsc types and TypeScript types, streaming and synchronous readers with schema resolution for older
 * writer schemas, a writer, OID resolution of flows and events to their entities, and sysprint-style
 * text, JSON and CSV output.
 *
 * @packageDocumentation
 */
export { type AvscType, parseSchema } from './avro-types.js';
export {
  DEFAULT_MAX_BLOCK_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  type ReadOptions,
} from './block-decoder.js';
export {
  fileOID,
  ipv4ToInt,
  SysFlowBuilder,
  type SysFlowBuilderOptions,
  type SysFlowEmit,
  syscallResult,
} from './builder/builder.js';
export {
  type BuildSysFlowOptions,
  buildSysFlow,
  type CaptureInput,
  type ConvertOptions,
  type ConvertResult,
  convertCaptureToSysFlow,
} from './builder/convert.js';
export * as SysFlowOpFlags from './builder/opflags.js';
export type { SysFlowSource } from './byte-source.js';
export { SysFlowEncoder, type WriteOptions } from './encoder.js';
export { SysFlowError, type SysFlowErrorCode, type SysFlowErrorLocation } from './errors.js';
export {
  createSysFlowFieldSet,
  SYSFLOW_SOURCE,
  type SysFlowFieldEvent,
  type SysFlowFieldSetOptions,
  sysflowFieldDefs,
} from './fields/fieldset.js';
export {
  baseName,
  cleanPath,
  containerTypeName,
  dirName,
  isOpenRead,
  isOpenWrite,
  openFlagNames,
  opFlagNames,
  protoName,
  splitSocketPath,
} from './fields/values.js';
export {
  CONTAINER_TYPE_KEY,
  flattenRecordJSON,
  fromHex,
  type JSONValue,
  recordFromJSON,
  recordToFlatJSON,
  recordToJSON,
  type SysFlowFlatJSON,
  type SysFlowRecordJSON,
  toHex,
} from './json.js';
export { bigintLongType } from './long.js';
export {
  loadSysFlowPolicy,
  loadSysFlowPolicyFiles,
  type PolicyFilter,
  type PolicyInput,
  type PolicyLoadOptions,
  type PolicyLoadResult,
  type PolicyRule,
  policyLoadError,
  SysFlowPolicy,
} from './policy/load.js';
export {
  type PolicyAlert,
  type PolicyRuleMatch,
  policyAlert,
  type RunPolicyOptions,
  runPolicy,
} from './policy/run.js';
export {
  DEFAULT_POLICY_OUTPUT,
  FALCO_PRIORITY_OF,
  SYSFLOW_PRIORITIES,
  type SysFlowPriority,
  sysflowPriorityOf,
} from './policy/scan.js';
export {
  csvField,
  formatIPv4,
  formatOpFlags,
  formatSysFlowCSVHeader,
  formatSysFlowCSVRow,
  formatSysFlowJSON,
  formatSysFlowText,
  formatTimestamp,
  OP_FLAGS,
  printSysFlow,
  SYSFLOW_CSV_COLUMNS,
  SYSFLOW_TYPE_TAGS,
  type SysFlowPrintFormat,
  sysflowCSVValues,
} from './print.js';
export { readSysFlow, readSysFlowBatches } from './read-stream.js';
export { readSysFlowBatchesSync, readSysFlowHeader, readSysFlowSync } from './read-sync.js';
export {
  foidKey,
  oidKey,
  type ResolvedSysFlowRecord,
  type ResolveOptions,
  resolveRecords,
  resolveSysFlow,
  SysFlowEntityTables,
  type SysFlowRef,
} from './resolve.js';
export {
  type AvroSchemaJSON,
  buildSysFlowSchema,
  CONTAINER_TYPES,
  K8S_ACTIONS,
  K8S_COMPONENTS,
  OBJECT_STATES,
  SYSFLOW_SCHEMA,
  SYSFLOW_SCHEMA_VERSION,
  SYSFLOW_TYPES,
} from './schema.js';
export type * from './types.js';
export {
  createSysFlowWriter,
  type SysFlowSink,
  type SysFlowWriteResult,
  type SysFlowWriter,
  type SysFlowWriterOptions,
  writeSysFlow,
  writeSysFlowSync,
} from './write-stream.js';
