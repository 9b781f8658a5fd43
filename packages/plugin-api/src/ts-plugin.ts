/**
 * TypeScript plugins: the same capabilities as native ones (event sourcing, field extraction), declared as
 * an object. {@link loadPlugin} turns a definition into a {@link Plugin}.
 */
import type { FieldValue } from '@sysray/falco-rules';
import type { ScapEvent } from '@sysray/pcapng/scap';
import type { DriverBatch, DriverCapture, ExtractRequest, PluginDriver } from './driver.js';
import { PluginError } from './errors.js';
import { type EncodedPluginEvent, encodePluginBlocks } from './events.js';
import { pluginPayload } from './fields.js';
import type { JsonSchema } from './schema.js';
import {
  HOST_API_VERSION,
  type OpenParam,
  type PluginField,
  type PluginInfo,
  type PluginProgress,
} from './types.js';

/** One event from a TypeScript source: bytes, a string (UTF-8) or any other value (sent as JSON). */
export type TsEventInput = Uint8Array | string | { data: unknown; ts?: bigint | number | Date };

/** The argument of a field reference, as an extractor sees it. */
export interface FieldArg {
  /** `field[key]` */
  key?: string;
  /** `field[3]` */
  index?: number;
}

/** A field of a TypeScript plugin: its declaration plus how to extract it from the parsed event. */
export interface TsField<P> extends PluginField {
  extract(parsed: P, arg: FieldArg | undefined, event: ScapEvent): FieldValue | undefined | null;
}

/** What `open` returns: events (or arrays of events, one batch each), sync or async. */
export type TsEventStream =
  | Iterable<TsEventInput | TsEventInput[]>
  | AsyncIterable<TsEventInput | TsEventInput[]>;

/**
 * A TypeScript plugin. Giving `open` makes it an event source (it then needs `id` and `eventSource`);
 * giving `fields` makes it a field extractor.
 */
export interface TsPluginDefinition<P = unknown, C = unknown> {
  name: string;
  version?: string;
  description?: string;
  contact?: string;
  /** Plugin id (999 is reserved by Falco for development). */
  id?: number;
  /** Event source name. */
  eventSource?: string;
  /** JSON schema of the init config (the config is validated against it and parsed before `init`). */
  initSchema?: JsonSchema;
  /** Called with the parsed config (with a schema) or the config text (without). */
  init?(config: C): void | Promise<void>;
  /** A new config after init (validated and parsed like `init`'s); without it, `Plugin.setConfig` is `NOT_SUPPORTED`. */
  setConfig?(config: C): void | Promise<void>;
  /** Suggested open parameters. */
  openParams?: OpenParam[] | (() => OpenParam[]);
  /** Opens a capture: returns the events. */
  open?(params: string): TsEventStream | Promise<TsEventStream>;
  /** Progress of the open capture, 0 … 100. */
  progress?(): PluginProgress | undefined;
  /** Decodes an event's payload once per event; extractors get the result. Default: the raw bytes. */
  parse?(data: Uint8Array, event: ScapEvent): P;
  /** Text of an event (`evt.plugininfo`, extcap info column). */
  eventToString?(parsed: P, event: ScapEvent): string;
  fields?: TsField<P>[];
  /** Sources whose events the fields apply to (default: `eventSource`). */
  extractEventSources?: string[];
  /** Events per batch when the stream yields single events (default 512). */
  batchSize?: number;
  destroy?(): void;
}

/** Identity helper that types a plugin definition (`P`: parsed event, `C`: config). */
export function definePlugin<P = Uint8Array, C = unknown>(
  def: TsPluginDefinition<P, C>,
): TsPluginDefinition<P, C> {
  return def;
}

const utf8 = new TextEncoder();

function toTs(v: bigint | number | Date | undefined): bigint {
  if (v === undefined) return BigInt(Date.now()) * 1_000_000n;
  if (typeof v === 'bigint') return v;
  if (v instanceof Date) return BigInt(v.getTime()) * 1_000_000n;
  return BigInt(Math.trunc(v));
}

function encodeInput(e: TsEventInput): EncodedPluginEvent {
  if (e instanceof Uint8Array) return { ts: toTs(undefined), data: e };
  if (typeof e === 'string') return { ts: toTs(undefined), data: utf8.encode(e) };
  if (e === null || typeof e !== 'object' || !('data' in e))
    throw new PluginError('BAD_EVENT', 'a TypeScript source produced something that is not an event');
  const d = e.data;
  const data =
    d instanceof Uint8Array ? d : typeof d === 'string' ? utf8.encode(d) : utf8.encode(JSON.stringify(d));
  return { ts: toTs(e.ts), data };
}

function isAsync(s: TsEventStream): s is AsyncIterable<TsEventInput | TsEventInput[]> {
  return typeof (s as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

class TsCapture implements DriverCapture {
  private readonly it: Iterator<TsEventInput | TsEventInput[]> | AsyncIterator<TsEventInput | TsEventInput[]>;
  private done = false;

  constructor(
    stream: TsEventStream,
    private readonly id: number,
    private readonly batchSize: number,
    private readonly progressFn: (() => PluginProgress | undefined) | undefined,
    private readonly name: string,
  ) {
    this.it = isAsync(stream) ? stream[Symbol.asyncIterator]() : stream[Symbol.iterator]();
  }

  async next(): Promise<DriverBatch> {
    if (this.done) return { status: 'eof', count: 0 };
    const events: EncodedPluginEvent[] = [];
    try {
      while (events.length < this.batchSize) {
        const r = await this.it.next();
        if (r.done) {
          this.done = true;
          break;
        }
        if (Array.isArray(r.value)) {
          for (const e of r.value) events.push(encodeInput(e));
          break;
        }
        events.push(encodeInput(r.value));
      }
    } catch (e) {
      if (e instanceof PluginError) throw e;
      throw new PluginError('NEXT_FAILED', `source '${this.name}' failed: ${(e as Error).message}`, {
        plugin: this.name,
        lastError: (e as Error).message,
        cause: e,
      });
    }
    if (events.length === 0 && this.done) return { status: 'eof', count: 0 };
    const progress = this.progress();
    const out: DriverBatch = {
      status: 'events',
      bytes: encodePluginBlocks(events, this.id),
      count: events.length,
    };
    if (progress) out.progress = progress;
    return out;
  }

  progress(): PluginProgress | undefined {
    return this.progressFn?.();
  }

  close(): void {
    this.done = true;
    void this.it.return?.();
  }
}

/** @internal The driver of a TypeScript plugin. */
export class TsDriver<P, C> implements PluginDriver {
  readonly info: PluginInfo;
  private error: string | undefined;
  private cache: { batch: unknown; index: number; parsed: P } | undefined;

  constructor(private readonly def: TsPluginDefinition<P, C>) {
    const sourcing = typeof def.open === 'function';
    const fields = def.fields ?? [];
    if (sourcing && (!def.id || !def.eventSource))
      throw new PluginError('BAD_METADATA', `source plugin '${def.name}' needs an id and an eventSource`, {
        plugin: def.name,
      });
    this.info = {
      kind: 'typescript',
      name: def.name,
      version: def.version ?? '0.0.0',
      description: def.description ?? '',
      contact: def.contact ?? '',
      requiredApiVersion: HOST_API_VERSION,
      id: def.id ?? 0,
      eventSource: def.eventSource ?? '',
      capabilities: {
        sourcing,
        extraction: fields.length > 0,
        parsing: false,
        async: false,
        metrics: false,
        captureListening: false,
      },
      broken: [],
      fields: fields.map(({ extract: _extract, ...f }) => f),
      extractEventSources: def.extractEventSources ?? [],
      initSchema: def.initSchema ? JSON.stringify(def.initSchema) : undefined,
      reconfigurable: typeof def.setConfig === 'function',
      parseEventSources: [],
      asyncEvents: [],
      asyncEventSources: [],
      dumpsState: false,
    };
    if (typeof def.setConfig === 'function') {
      const set = def.setConfig.bind(def);
      this.setConfig = async (config: string) => {
        const value = (this.def.initSchema ? JSON.parse(config) : config) as C;
        try {
          await set(value);
        } catch (e) {
          this.error = (e as Error).message;
          throw new PluginError('BAD_CONFIG', `'${this.def.name}' rejected the config: ${this.error}`, {
            plugin: this.def.name,
            lastError: this.error,
            cause: e,
          });
        }
      };
    }
  }

  setConfig?: (config: string) => Promise<void>;

  private wrap<T>(what: string, code: PluginError['code'], fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof PluginError) throw e;
      this.error = (e as Error).message;
      throw new PluginError(code, `${what} of '${this.def.name}' failed: ${this.error}`, {
        plugin: this.def.name,
        lastError: this.error,
        cause: e,
      });
    }
  }

  async init(config: string): Promise<void> {
    const value = (this.def.initSchema ? JSON.parse(config) : config) as C;
    try {
      await this.def.init?.(value);
    } catch (e) {
      this.error = (e as Error).message;
      throw new PluginError('INIT_FAILED', `init of '${this.def.name}' failed: ${this.error}`, {
        plugin: this.def.name,
        lastError: this.error,
        cause: e,
      });
    }
  }

  lastError(): string | undefined {
    return this.error;
  }

  listOpenParams(): OpenParam[] {
    const p = this.def.openParams;
    return typeof p === 'function' ? this.wrap('list_open_params', 'BAD_METADATA', p) : (p ?? []);
  }

  async open(params: string): Promise<DriverCapture> {
    let stream: TsEventStream;
    try {
      stream = await this.def.open!(params);
    } catch (e) {
      this.error = (e as Error).message;
      throw new PluginError('OPEN_FAILED', `open of '${this.def.name}' failed: ${this.error}`, {
        plugin: this.def.name,
        lastError: this.error,
        cause: e,
      });
    }
    const progress = this.def.progress?.bind(this.def);
    return new TsCapture(stream, this.info.id, this.def.batchSize ?? 512, progress, this.def.name);
  }

  private parsed(ev: ScapEvent): P | undefined {
    const c = this.cache;
    if (c && c.batch === ev.batch && c.index === ev.index) return c.parsed;
    const data = pluginPayload(ev);
    if (data === undefined) return undefined;
    const parsed = this.def.parse ? this.def.parse(data, ev) : (data as unknown as P);
    this.cache = { batch: ev.batch, index: ev.index, parsed };
    return parsed;
  }

  eventToString(event: ScapEvent): string | undefined {
    const fn = this.def.eventToString;
    if (!fn) return undefined;
    return this.wrap('event_to_string', 'EXTRACT_FAILED', () => {
      const p = this.parsed(event);
      return p === undefined ? undefined : fn.call(this.def, p, event);
    });
  }

  extractor(req: ExtractRequest): (event: ScapEvent) => FieldValue | undefined {
    const field = this.def.fields![req.fieldId]!;
    const arg: FieldArg | undefined = !req.argPresent
      ? undefined
      : req.argKey !== undefined
        ? { key: req.argKey, index: req.argIndex }
        : { index: req.argIndex };
    return (ev) =>
      this.wrap(`extraction of ${field.name}`, 'EXTRACT_FAILED', () => {
        const p = this.parsed(ev);
        if (p === undefined) return undefined;
        return field.extract(p, arg, ev) ?? undefined;
      });
  }

  destroy(): void {
    this.cache = undefined;
    this.def.destroy?.();
  }
}
