/**
 * Native plugins: the driver over the N-API host (`native/host.cc`, loaded with node-gyp-build from
 * `prebuilds/` or `build/`). Metadata JSON the plugin returns is checked here; capabilities whose metadata is
 * malformed are reported as broken, not assumed.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldValue } from '@sysray/falco-rules';
import type { ScapEvent } from '@sysray/pcapng/scap';
import type { DriverBatch, DriverCapture, ExtractRequest, PluginDriver } from './driver.js';
import { PluginError, toPluginError } from './errors.js';
import type {
  OpenParam,
  PluginField,
  PluginFieldType,
  PluginInfo,
  PluginMetric,
  PluginProgress,
} from './types.js';

/** @internal What the addon says about a plugin at load. */
export interface RawInfo {
  path: string;
  requiredApiVersion: string;
  name: string;
  version: string;
  description: string;
  contact: string;
  hasId: boolean;
  id: number;
  hasEventSource: boolean;
  eventSource: string;
  hasOpen: boolean;
  hasClose: boolean;
  hasNextBatch: boolean;
  hasEventToString: boolean;
  hasGetFields: boolean;
  hasExtractFields: boolean;
  hasParseEvent: boolean;
  hasAsync: boolean;
  hasSetConfig: boolean;
  hasMetrics?: boolean;
  hasCaptureListen?: boolean;
  hasDumpState?: boolean;
  requiredEventSchemaVersion?: string;
  asyncEvents?: string | null;
  asyncEventSources?: string | null;
  parseEventSources?: string | null;
  fields?: string | null;
  extractEventSources?: string | null;
  initSchemaType?: number;
  initSchema?: string | null;
}

/** @internal A capture of the addon (or of an isolated plugin's child process). */
export interface RawCapture {
  next(): Promise<{
    rc: number;
    eof: boolean;
    columns?: ArrayBuffer;
    count: number;
    bytes?: ArrayBuffer;
    progress?: { pct: number; text?: string };
  }>;
  progress(): { pct: number; text?: string } | undefined;
  close(): void;
}

interface RawPlugin {
  info(): RawInfo;
  init(config: string): void;
  setConfig(config: string): void;
  parse(bytes: Uint8Array, evtnum: number, evtsrc: string): void;
  lastError(): string | null;
  listOpenParams(): string | null;
  open(params: string): RawCapture;
  eventToString(bytes: Uint8Array, evtnum: number): string | undefined;
  prepareField(
    fieldId: number,
    name: string,
    argKey: string | null,
    argIndex: number,
    argPresent: boolean,
    ftype: number,
    isList: boolean,
  ): number;
  extract(prepared: number, bytes: Uint8Array, evtnum: number): FieldValue | undefined;
  metrics(): { name: string; type: number; valueType: number; value: number | bigint }[];
  captureOpen(): void;
  captureClose(): void;
  routines(): number;
  asyncStart(names: string[], wake: () => void): void;
  asyncTake(): { bytes: ArrayBuffer; count: number; dropped: number };
  asyncStop(): void;
  dumpState(names: string[]): { bytes: ArrayBuffer; count: number };
  destroy(): void;
}

/** The native host addon: its plugin class (used through `loadPlugin`) and API version. */
export interface NativeAddon {
  NativePlugin: new (path: string) => unknown;
  /** Plugin API version the host implements, e.g. `3.12.0`. */
  apiVersion: string;
  /** Event schema version the host checks plugins against (see `HOST_EVENT_SCHEMA_VERSION`). */
  eventSchemaVersion: string;
}

/** @internal The addon's state-table functions (see `tables.ts`). */
export interface RawTables {
  tablesList(): { name: string; keyType: number; owner: string }[];
  tableDefine(name: string, keyType: number, fields: [string, number][]): void;
  tableFields(name: string): { name: string; type: number; readOnly: boolean }[];
  tableSize(name: string): number;
  tableGet(name: string, key: unknown): Record<string, unknown> | undefined;
  tableSet(name: string, key: unknown, values: Record<string, unknown>): void;
  tableDelete(name: string, key: unknown): boolean;
  tableClear(name: string): void;
}

interface Addon extends NativeAddon, RawTables {
  NativePlugin: new (path: string) => RawPlugin;
}

/** @internal The addon's state-table functions. */
export function rawTables(): RawTables {
  return addonInternal();
}

let addon: Addon | undefined;

/** @internal The package root (`src/..` when running from sources, `dist/..` when built). */
export function packageRoot(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  return join(here, '..');
}

/**
 * Loads the native host addon (once).
 * @throws PluginError `LOAD_FAILED` when no binary for this platform exists (build it: `pnpm build`).
 */
export function loadAddon(): NativeAddon {
  return addonInternal();
}

function addonInternal(): Addon {
  if (addon) return addon;
  const root = packageRoot();
  const require = createRequire(join(root, 'package.json'));
  try {
    const load = require('node-gyp-build') as (dir: string) => unknown;
    addon = load(root) as Addon;
  } catch (e) {
    throw new PluginError(
      'LOAD_FAILED',
      `the native plugin host is not built for ${process.platform}-${process.arch} (run \`pnpm build\` in packages/plugin-api): ${(e as Error).message}`,
      { cause: e },
    );
  }
  return addon;
}

const FIELD_TYPES: Record<PluginFieldType, number> = {
  uint64: 8,
  string: 9,
  reltime: 20,
  abstime: 21,
  bool: 25,
  ipaddr: 40,
  ipnet: 41,
};

function parseJson(text: string | null | undefined, what: string): unknown {
  if (text === null || text === undefined) throw new Error(`${what} returned NULL`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not well-formed JSON: ${(e as Error).message}`);
  }
}

function parseFields(text: string | null | undefined): PluginField[] {
  const v = parseJson(text, 'get_fields');
  if (!Array.isArray(v)) throw new Error('get_fields did not return a JSON array');
  const seen = new Set<string>();
  return v.map((f, i) => {
    if (f === null || typeof f !== 'object') throw new Error(`get_fields entry ${i} is not an object`);
    const o = f as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') throw new Error(`get_fields entry ${i} has no name`);
    if (typeof o.type !== 'string' || !(o.type in FIELD_TYPES))
      throw new Error(`field ${o.name} has an unknown type ${String(o.type)}`);
    if (seen.has(o.name)) throw new Error(`field ${o.name} is defined twice`);
    seen.add(o.name);
    const field: PluginField = { name: o.name, type: o.type as PluginFieldType };
    if (o.isList === true) field.isList = true;
    if (o.arg !== undefined) {
      const a = (o.arg ?? {}) as Record<string, unknown>;
      field.arg = { isRequired: a.isRequired === true, isIndex: a.isIndex === true, isKey: a.isKey === true };
      if (field.arg.isRequired && !field.arg.isIndex && !field.arg.isKey)
        throw new Error(`field ${o.name} arg has isRequired true, but none of isKey nor isIndex is true`);
    }
    if (typeof o.display === 'string') field.display = o.display;
    if (typeof o.desc === 'string') field.desc = o.desc;
    if (Array.isArray(o.properties)) field.properties = o.properties.filter((p) => typeof p === 'string');
    return field;
  });
}

function parseStringList(text: string | null | undefined, what: string): string[] {
  const v = parseJson(text, what);
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    throw new Error(`${what} is not a JSON array of strings`);
  return (v as string[]).filter((s) => s !== '');
}

function progressOf(p: { pct: number; text?: string } | undefined): PluginProgress | undefined {
  if (!p) return undefined;
  const out: PluginProgress = { percent: Math.min(10000, p.pct) / 100 };
  if (p.text !== undefined) out.text = p.text;
  return out;
}

/** @internal Checks a plugin's raw metadata and derives its capabilities. */
export function readInfo(raw: RawInfo): PluginInfo {
  const broken: PluginInfo['broken'] = [];
  if (!/^\d+\.\d+\.\d+/.test(raw.version))
    throw new PluginError('BAD_METADATA', `plugin provided an invalid version string: '${raw.version}'`, {
      plugin: raw.name,
    });
  let sourcing = raw.hasOpen && raw.hasClose && raw.hasNextBatch;
  if (sourcing && raw.hasId && raw.id !== 0 && raw.eventSource === '') {
    sourcing = false;
    broken.push({ capability: 'sourcing', reason: 'plugin has an id but no event source' });
  } else if (sourcing && raw.eventSource !== '' && (!raw.hasId || raw.id === 0)) {
    sourcing = false;
    broken.push({ capability: 'sourcing', reason: 'plugin has an event source but no id' });
  }
  let extraction = raw.hasGetFields && raw.hasExtractFields;
  let fields: PluginField[] = [];
  let extractEventSources: string[] = [];
  if (extraction) {
    try {
      fields = parseFields(raw.fields);
      if (raw.extractEventSources !== undefined)
        extractEventSources = parseStringList(raw.extractEventSources, 'get_extract_event_sources');
    } catch (e) {
      extraction = false;
      fields = [];
      broken.push({ capability: 'extraction', reason: (e as Error).message });
    }
  }
  let parsing = raw.hasParseEvent;
  let parseEventSources: string[] = [];
  if (parsing && raw.parseEventSources !== undefined) {
    try {
      parseEventSources = parseStringList(raw.parseEventSources, 'get_parse_event_sources');
    } catch (e) {
      parsing = false;
      broken.push({ capability: 'parsing', reason: (e as Error).message });
    }
  }
  let async = raw.hasAsync;
  let asyncEvents: string[] = [];
  let asyncEventSources: string[] = [];
  if (async) {
    try {
      asyncEvents = parseStringList(raw.asyncEvents, 'get_async_events');
      if (asyncEvents.length === 0) throw new Error('get_async_events lists no event names');
      if (raw.asyncEventSources !== undefined)
        asyncEventSources = parseStringList(raw.asyncEventSources, 'get_async_event_sources');
    } catch (e) {
      async = false;
      asyncEvents = [];
      asyncEventSources = [];
      broken.push({ capability: 'async', reason: (e as Error).message });
    }
  }
  let initSchema: string | undefined;
  if (raw.initSchemaType === 1 && raw.initSchema) {
    try {
      const s = JSON.parse(raw.initSchema) as unknown;
      if (s === null || typeof s !== 'object') throw new Error('not an object');
    } catch (e) {
      throw new PluginError(
        'BAD_METADATA',
        `init schema of '${raw.name}' is not valid JSON: ${(e as Error).message}`,
        {
          plugin: raw.name,
        },
      );
    }
    initSchema = raw.initSchema;
  }
  const info: PluginInfo = {
    kind: 'native',
    path: raw.path,
    name: raw.name,
    version: raw.version,
    description: raw.description,
    contact: raw.contact,
    requiredApiVersion: raw.requiredApiVersion,
    id: raw.id,
    eventSource: raw.eventSource,
    capabilities: {
      sourcing,
      extraction,
      parsing,
      async,
      metrics: raw.hasMetrics === true,
      captureListening: raw.hasCaptureListen === true,
    },
    broken,
    fields,
    extractEventSources,
    initSchema,
    reconfigurable: raw.hasSetConfig,
    parseEventSources,
    asyncEvents,
    asyncEventSources,
    dumpsState: async && raw.hasDumpState === true,
  };
  if (raw.requiredEventSchemaVersion !== undefined)
    info.requiredEventSchemaVersion = raw.requiredEventSchemaVersion;
  return info;
}

const METRIC_VALUE_TYPES: PluginMetric['valueType'][] = [
  'u32',
  's32',
  'u64',
  's64',
  'double',
  'float',
  'int',
];

/** @internal Maps addon capture results to driver batches. */
export class NativeCapture implements DriverCapture {
  private eof = false;
  constructor(
    private readonly raw: RawCapture,
    private readonly name: string,
  ) {}

  async next(): Promise<DriverBatch> {
    if (this.eof) return { status: 'eof', count: 0 };
    let r: Awaited<ReturnType<RawCapture['next']>>;
    try {
      r = await this.raw.next();
    } catch (e) {
      throw toPluginError(e, this.name);
    }
    const progress = progressOf(r.progress);
    if (r.rc === -1)
      return progress ? { status: 'timeout', count: 0, progress } : { status: 'timeout', count: 0 };
    if (r.rc === 2 || r.eof) {
      // Events that came with SS_PLUGIN_EOF are delivered; the next call reports the end.
      this.eof = true;
      if (r.count === 0)
        return progress ? { status: 'eof', count: 0, progress } : { status: 'eof', count: 0 };
    }
    const out: DriverBatch = {
      status: 'events',
      count: r.count,
      bytes: r.bytes ? new Uint8Array(r.bytes) : new Uint8Array(0),
    };
    if (r.columns) out.columns = r.columns;
    if (progress) out.progress = progress;
    return out;
  }

  progress(): PluginProgress | undefined {
    return progressOf(this.raw.progress());
  }

  close(): void {
    this.raw.close();
  }
}

/** @internal Parses what `list_open_params` returned. */
export function parseOpenParams(text: string | null, plugin: string): OpenParam[] {
  if (text === null || text === '') return [];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new PluginError(
      'BAD_METADATA',
      `list_open_params is not well-formed JSON: ${(e as Error).message}`,
      {
        plugin,
      },
    );
  }
  if (!Array.isArray(v) || v.some((p) => p === null || typeof p !== 'object' || typeof p.value !== 'string'))
    throw new PluginError('BAD_METADATA', 'list_open_params is not an array of { value } objects', {
      plugin,
    });
  return (v as Record<string, unknown>[]).map((p) => {
    const o: OpenParam = { value: p.value as string };
    if (typeof p.desc === 'string') o.desc = p.desc;
    if (typeof p.separator === 'string') o.separator = p.separator;
    return o;
  });
}

/** @internal The driver of a native plugin. */
export class NativeDriver implements PluginDriver {
  readonly info: PluginInfo;
  private readonly raw: RawPlugin;

  constructor(path: string) {
    const { NativePlugin } = addonInternal();
    try {
      this.raw = new NativePlugin(path);
    } catch (e) {
      throw toPluginError(e, path);
    }
    this.info = readInfo(this.raw.info());
  }

  init(config: string): void {
    this.raw.init(config);
  }

  setConfig(config: string): void {
    this.call(() => this.raw.setConfig(config));
  }

  parseEvent(event: ScapEvent, source: string): void {
    this.call(() => this.raw.parse(event.raw, event.num, source));
  }

  lastError(): string | undefined {
    return this.raw.lastError() ?? undefined;
  }

  listOpenParams(): OpenParam[] {
    return parseOpenParams(
      this.call(() => this.raw.listOpenParams()),
      this.info.name,
    );
  }

  open(params: string): DriverCapture {
    return new NativeCapture(
      this.call(() => this.raw.open(params)),
      this.info.name,
    );
  }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw toPluginError(e, this.info.name);
    }
  }

  eventToString(event: ScapEvent): string | undefined {
    return this.call(() => this.raw.eventToString(event.raw, event.num));
  }

  metrics(): PluginMetric[] {
    return this.call(() => this.raw.metrics()).map((m) => ({
      name: m.name,
      type: m.type === 0 ? 'monotonic' : 'non-monotonic',
      valueType: METRIC_VALUE_TYPES[m.valueType]!,
      value: m.value,
    }));
  }

  captureListen(open: boolean): void {
    this.call(() => (open ? this.raw.captureOpen() : this.raw.captureClose()));
  }

  asyncStart(wake: () => void): void {
    this.call(() => this.raw.asyncStart(this.info.asyncEvents, wake));
  }

  asyncTake(): { bytes: Uint8Array; count: number; dropped: number } {
    const r = this.raw.asyncTake();
    return { bytes: new Uint8Array(r.bytes), count: r.count, dropped: r.dropped };
  }

  asyncStop(): void {
    this.call(() => this.raw.asyncStop());
  }

  dumpState(): { bytes: Uint8Array; count: number } {
    const r = this.call(() => this.raw.dumpState(this.info.asyncEvents));
    return { bytes: new Uint8Array(r.bytes), count: r.count };
  }

  /** @internal How many routines the plugin has running (capture listening). */
  routines(): number {
    return this.raw.routines();
  }

  extractor(req: ExtractRequest): (event: ScapEvent) => FieldValue | undefined {
    const f = req.field;
    const prepared = this.call(() =>
      this.raw.prepareField(
        req.fieldId,
        f.name,
        req.argKey ?? null,
        req.argIndex,
        req.argPresent,
        FIELD_TYPES[f.type],
        f.isList === true,
      ),
    );
    const raw = this.raw;
    const name = this.info.name;
    const small = (v: FieldValue): FieldValue =>
      typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    return (ev) => {
      let v: FieldValue | undefined;
      try {
        v = raw.extract(prepared, ev.raw, ev.num);
      } catch (e) {
        throw toPluginError(e, name);
      }
      if (v === undefined) return undefined;
      return Array.isArray(v) ? v.map((x) => small(x) as never) : small(v);
    };
  }

  destroy(): void {
    this.raw.destroy();
  }
}
