/**
 * `@sysray/plugin-api`: a Falco plugin host for Node. Load native plugins (shared libraries built against
 * plugin API 3.x) or write plugins in TypeScript with the same capability model (event sourcing, field
 * extraction); get their events as scap {@link EventBatch}es of plugin events (type 322), write them with
 * `@sysray/pcapng/scap`, run `@sysray/falco-rules` rules on their fields, and serve them to Wireshark as
 * extcap interfaces.
 *
 * @packageDocumentation
 */
export type { EventBatch } from '@sysray/pcapng/scap';
export { type AsyncEventsOptions, PluginAsyncEvents } from './async-events.js';
export { PluginError, type PluginErrorCode } from './errors.js';
export {
  batchFromBlocks,
  type EncodedPluginEvent,
  encodePluginBlocks,
  PLUGIN_EVENT_TYPE,
} from './events.js';
export { EXTCAP_DLT, type ExtcapOptions, runExtcap } from './extcap.js';
export { fieldDef, pluginIdOf, pluginPayload } from './fields.js';
export {
  type JsonLinesConfig,
  type JsonLinesOptions,
  type JsonRecord,
  jsonLinesSource,
} from './jsonl-source.js';
export {
  type LoadOptions,
  loadAndInit,
  loadPlugin,
  type PluginSpec,
  parsePluginArg,
} from './load.js';
export { loadAddon, type NativeAddon } from './native.js';
export { type OpenOptions, Plugin, PluginCapture } from './plugin.js';
export { compilePluginRules, type RunRulesOptions, runRulesOnPlugin } from './rules.js';
export { type JsonSchema, validateJsonSchema } from './schema.js';
export {
  defineTable,
  listTables,
  type StateFieldInfo,
  StateTable,
  type StateTableInfo,
  type StateType,
  type StateValue,
  stateTable,
  type TableDefinition,
} from './tables.js';
export {
  definePlugin,
  type FieldArg,
  type TsEventInput,
  type TsEventStream,
  type TsField,
  type TsPluginDefinition,
} from './ts-plugin.js';
export {
  HOST_API_VERSION,
  HOST_EVENT_SCHEMA_VERSION,
  type OpenParam,
  type PluginCapabilities,
  type PluginField,
  type PluginFieldType,
  type PluginInfo,
  type PluginMetric,
  type PluginProgress,
} from './types.js';
