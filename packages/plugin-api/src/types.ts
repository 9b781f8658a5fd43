/** Shapes shared by native and TypeScript plugins: metadata, fields, open params, capabilities. */

/**
 * The plugin API version this host implements (falcosecurity/libs `plugin_api.h`): a plugin loads when it requires
 * the same major and a minor (with the same minor, a patch) not above it, as Falco checks.
 */
export const HOST_API_VERSION = '3.12.0';

/**
 * The event schema version the host claims for the events plugins may see (API 3.12
 * `get_required_event_schema_version`). `@sysray/pcapng/scap`'s event table records no libs schema version, so the
 * host claims the schema-3 baseline, the version Falco assumes for a plugin that states none: a plugin that
 * extracts fields from or parses syscall events and requires a newer minor (or another major) fails `init` with
 * `SCHEMA_VERSION`.
 */
export const HOST_EVENT_SCHEMA_VERSION = '3.0.0';

/** Plugin field types, as plugins declare them in `get_fields`. */
export type PluginFieldType = 'string' | 'uint64' | 'bool' | 'reltime' | 'abstime' | 'ipaddr' | 'ipnet';

/** One field a plugin extracts (the `get_fields` JSON entry). */
export interface PluginField {
  /** Full field name, e.g. `test.msg`. */
  name: string;
  type: PluginFieldType;
  /** The field extracts a list of values. */
  isList?: boolean;
  /** Argument: `field[arg]`. */
  arg?: { isRequired?: boolean; isIndex?: boolean; isKey?: boolean };
  /** Name shown instead of `name` (Wireshark). */
  display?: string;
  desc?: string;
  /** Extra properties (`hidden`, `info`, `conversation`). */
  properties?: string[];
}

/** An open parameter suggestion (`list_open_params`). */
export interface OpenParam {
  /** A string usable as an `open()` parameter. */
  value: string;
  desc?: string;
  /** When `value` holds several parameters joined by this separator. */
  separator?: string;
}

/** Capabilities a plugin implements. What a plugin lacks is `false`, never assumed. */
export interface PluginCapabilities {
  /** Event sourcing: `open`, `close`, `next_batch`. */
  sourcing: boolean;
  /** Field extraction: `get_fields`, `extract_fields`. */
  extraction: boolean;
  /** Event parsing (`parse_event`): `Plugin.parseEvent`; `runRulesOnPlugin` parses every event first. */
  parsing: boolean;
  /**
   * Async events (`get_async_events`, `set_async_event_handler`): `Plugin.asyncEvents()` gives the events the plugin
   * sends from its own threads as scap async events (type 402); `Plugin.dumpState()` drives `dump_state`.
   */
  async: boolean;
  /** Metrics (`get_metrics`, API 3.12 layout): `Plugin.metrics()`. */
  metrics: boolean;
  /**
   * Capture listening (`capture_open`, `capture_close`, with routines): the plugin hears every capture open and
   * close (see `Plugin.open`'s `listeners` and `Plugin.captureOpen`).
   */
  captureListening: boolean;
}

/** One metric a plugin reports (`get_metrics`). */
export interface PluginMetric {
  /** The metric's name, as the plugin gives it. */
  name: string;
  /** `monotonic` values only grow (counters); `non-monotonic` ones go up and down (gauges). */
  type: 'monotonic' | 'non-monotonic';
  /** The C type of the value: `u32`, `s32`, `u64`, `s64` (64-bit integers are `bigint`s), `double`, `float`, `int`. */
  valueType: 'u32' | 's32' | 'u64' | 's64' | 'double' | 'float' | 'int';
  value: number | bigint;
}

/** Everything a plugin says about itself, read once at load. */
export interface PluginInfo {
  /** `native` for a shared library, `typescript` for a {@link definePlugin} plugin. */
  kind: 'native' | 'typescript';
  /** Path of the shared library (native plugins). */
  path?: string;
  name: string;
  version: string;
  description: string;
  contact: string;
  /** Plugin API version the plugin requires. */
  requiredApiVersion: string;
  /**
   * The event schema version the plugin says it requires before init (`get_required_event_schema_version(NULL)`);
   * `undefined` when it has no such function or answers only from its state. Checked after init (see
   * {@link HOST_EVENT_SCHEMA_VERSION}).
   */
  requiredEventSchemaVersion?: string;
  /** Plugin id (0 when the plugin has no event source). */
  id: number;
  /** Event source name (`''` when none). */
  eventSource: string;
  capabilities: PluginCapabilities;
  /** Capabilities whose metadata was malformed, with why (they are off in {@link capabilities}). */
  broken: { capability: keyof PluginCapabilities; reason: string }[];
  /** Extracted fields (empty without the extraction capability). */
  fields: PluginField[];
  /** Sources whose events the extractor accepts (`[]`: its own source, or any when it has none). */
  extractEventSources: string[];
  /** JSON schema of the init config, as text; `undefined` when the plugin declares none. */
  initSchema: string | undefined;
  /** Whether the plugin takes a new config after init (`plugin_set_config`, API 3.4; see `Plugin.setConfig`). */
  reconfigurable: boolean;
  /** Sources whose events the plugin parses (`get_parse_event_sources`; `[]`: its own source, or any without one). */
  parseEventSources: string[];
  /** Names of the async events the plugin sends (`get_async_events`; empty without the async capability). */
  asyncEvents: string[];
  /** Sources the plugin's async events belong to (`get_async_event_sources`; `[]`: any). */
  asyncEventSources: string[];
  /** Whether the plugin dumps its state as async events (`dump_state`; see `Plugin.dumpState`). */
  dumpsState: boolean;
}

/** Read progress of an open capture. */
export interface PluginProgress {
  /** 0 … 100, with two decimals of precision (the plugin reports 0 … 10000). */
  percent: number;
  /** The plugin's own text, when it gave one. */
  text?: string;
}
