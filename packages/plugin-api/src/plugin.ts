/** {@link Plugin}: one lifecycle and capability model over native and TypeScript plugins. */
import type { FieldSet, FieldValue } from '@sysray/falco-rules';
import type { EventBatch, ScapEvent } from '@sysray/pcapng/scap';
import { type AsyncEventsOptions, PluginAsyncEvents } from './async-events.js';
import type { DriverCapture, PluginDriver } from './driver.js';
import { PluginError, toPluginError } from './errors.js';
import { batchFromBlocks, batchFromColumns } from './events.js';
import { extractRequest, pluginEventFieldSet, pluginFieldSet } from './fields.js';
import { type JsonSchema, validateJsonSchema } from './schema.js';
import type { OpenParam, PluginCapabilities, PluginInfo, PluginMetric, PluginProgress } from './types.js';

/** Options of {@link Plugin.open}. */
export interface OpenOptions {
  /** How long to wait after a `SS_PLUGIN_TIMEOUT` before asking again, in ms (default 10). */
  timeoutBackoffMs?: number;
  /** Stops iteration (the capture is closed). */
  signal?: AbortSignal;
  /**
   * The plugins that hear this capture open and close (`capture_open` right after `open`, `capture_close` before
   * `close`), as libsinsp tells every capture-listening plugin loaded in the inspector. Default: this plugin
   * alone. Plugins without the capture listening capability are skipped.
   */
  listeners?: readonly Plugin[];
}

/**
 * A loaded plugin: metadata, `init`, `open`, field extraction, `event_to_string`. Calls that need a capability
 * the plugin lacks throw `PluginError('NOT_SUPPORTED')`.
 */
export class Plugin {
  /** Metadata read at load. */
  readonly info: PluginInfo;
  private state: 'loaded' | 'initialized' | 'destroyed' = 'loaded';
  private readonly captures = new Set<PluginCapture>();
  private asyncStream: PluginAsyncEvents | undefined;

  /** @internal Use {@link loadPlugin}. */
  constructor(private readonly driver: PluginDriver) {
    this.info = driver.info;
  }

  /** Whether the plugin has `capability`. */
  has(capability: keyof PluginCapabilities): boolean {
    return this.info.capabilities[capability];
  }

  private need(capability: keyof PluginCapabilities, what: string): void {
    if (!this.has(capability)) {
      const broken = this.info.broken.find((b) => b.capability === capability);
      throw new PluginError(
        'NOT_SUPPORTED',
        `plugin '${this.info.name}' has no ${capability} capability${broken ? ` (${broken.reason})` : ''}: cannot ${what}`,
        { plugin: this.info.name },
      );
    }
  }

  private live(what: string): void {
    if (this.state === 'destroyed')
      throw new PluginError('BAD_STATE', `plugin '${this.info.name}' is destroyed: cannot ${what}`, {
        plugin: this.info.name,
      });
    if (this.state !== 'initialized')
      throw new PluginError('BAD_STATE', `plugin '${this.info.name}' is not initialised: call init() first`, {
        plugin: this.info.name,
      });
  }

  /**
   * Checks a config against the plugin's init schema as Falco does: with a JSON schema, an empty config is
   * `{}` and the config must be JSON matching the schema. Returns the config text passed to `init`.
   * @throws PluginError `BAD_CONFIG`
   */
  validateConfig(config: string | Record<string, unknown> = ''): string {
    const text = typeof config === 'string' ? config : JSON.stringify(config);
    const schemaText = this.info.initSchema;
    if (schemaText === undefined) return text;
    const effective = text.trim() === '' ? '{}' : text;
    let value: unknown;
    try {
      value = JSON.parse(effective);
    } catch (e) {
      throw new PluginError(
        'BAD_CONFIG',
        `init config of '${this.info.name}' is not JSON: ${(e as Error).message}`,
        {
          plugin: this.info.name,
        },
      );
    }
    const problems = validateJsonSchema(JSON.parse(schemaText) as JsonSchema, value);
    if (problems.length > 0)
      throw new PluginError(
        'BAD_CONFIG',
        `init config of '${this.info.name}' does not match its schema: ${problems.join('; ')}`,
        { plugin: this.info.name },
      );
    return effective;
  }

  /**
   * Initialises the plugin with a config (text, or an object sent as JSON), validated against the init schema.
   * @throws PluginError `BAD_CONFIG`, `INIT_FAILED`, `BAD_STATE`
   */
  async init(config: string | Record<string, unknown> = ''): Promise<void> {
    if (this.state !== 'loaded')
      throw new PluginError('BAD_STATE', `plugin '${this.info.name}' is already ${this.state}`, {
        plugin: this.info.name,
      });
    const text = this.validateConfig(config);
    try {
      await this.driver.init(text);
    } catch (e) {
      throw toPluginError(e, this.info.name);
    }
    this.state = 'initialized';
  }

  /**
   * Gives an initialised plugin a new config (`plugin_set_config`, plugin API 3.4), validated against the init
   * schema as `init`'s is.
   * @throws PluginError `NOT_SUPPORTED` when the plugin takes no config after init (`info.reconfigurable` is
   * false), `BAD_CONFIG` when the config does not match the schema or the plugin rejects it, `BAD_STATE`
   */
  async setConfig(config: string | Record<string, unknown> = ''): Promise<void> {
    this.live('set its config');
    if (!this.info.reconfigurable || !this.driver.setConfig)
      throw new PluginError(
        'NOT_SUPPORTED',
        `plugin '${this.info.name}' does not take a config after init (no plugin_set_config)`,
        { plugin: this.info.name },
      );
    const text = this.validateConfig(config);
    try {
      await this.driver.setConfig(text);
    } catch (e) {
      throw toPluginError(e, this.info.name);
    }
  }

  /** The plugin's last error string (`get_last_error`), if any. */
  lastError(): string | undefined {
    return this.state === 'initialized' ? this.driver.lastError() : undefined;
  }

  /** Suggested open parameters (`list_open_params`; `[]` when the plugin has none). */
  listOpenParams(): OpenParam[] {
    this.live('list open params');
    this.need('sourcing', 'list open params');
    return this.driver.listOpenParams();
  }

  /**
   * Opens a capture. Iterate it for {@link EventBatch}es of plugin events (type 322 with the plugin id);
   * `next_batch` of native plugins runs on a worker thread.
   * @throws PluginError `OPEN_FAILED`, `NOT_SUPPORTED`, `BAD_STATE`
   */
  async open(params = '', options: OpenOptions = {}): Promise<PluginCapture> {
    this.live('open');
    this.need('sourcing', 'open a capture');
    let dc: DriverCapture;
    try {
      dc = await this.driver.open(params);
    } catch (e) {
      throw toPluginError(e, this.info.name);
    }
    const listening = (options.listeners ?? [this]).filter((p) => p.has('captureListening'));
    const opened: Plugin[] = [];
    try {
      for (const p of listening) {
        p.captureOpen();
        opened.push(p);
      }
    } catch (e) {
      for (const p of opened.reverse()) closeListener(p);
      dc.close();
      throw e;
    }
    const closeListeners = (): PluginError | undefined => {
      let first: PluginError | undefined;
      for (const p of [...opened].reverse()) {
        const e = closeListener(p);
        first ??= e;
      }
      return first;
    };
    const c = new PluginCapture(this, dc, options, closeListeners, () => this.captures.delete(c));
    this.captures.add(c);
    return c;
  }

  /**
   * The plugin's metrics (`get_metrics`), read now: counters (`monotonic`) and gauges with their typed values.
   * @throws PluginError `NOT_SUPPORTED` without the metrics capability, `BAD_METADATA` for malformed metrics,
   * `BAD_STATE` before init
   */
  metrics(): PluginMetric[] {
    this.live('report metrics');
    this.need('metrics', 'report metrics');
    return this.driver.metrics ? this.driver.metrics() : [];
  }

  /**
   * Tells the plugin a capture opened (`capture_open`, with the routine vtable and the table reader and writer
   * vtables). `open()` does this by itself for its `listeners`; call it when you drive a capture the plugin does
   * not source (a `.scap` file read with `@sysray/pcapng/scap`, for example), and {@link captureClose} at its end.
   * Routines the plugin subscribes run on threads of their own until they return false, are unsubscribed, or
   * the capture closes.
   * @throws PluginError `LISTEN_FAILED` when the plugin fails, `NOT_SUPPORTED`, `BAD_STATE`
   */
  captureOpen(): void {
    this.listen(true);
  }

  /**
   * Tells the plugin the capture closed (`capture_close`); its routines still running are stopped after it returns.
   * @throws PluginError `LISTEN_FAILED` when the plugin fails, `NOT_SUPPORTED`, `BAD_STATE`
   */
  captureClose(): void {
    this.listen(false);
  }

  private listen(open: boolean): void {
    const what = open ? 'listen to a capture opening' : 'listen to a capture closing';
    this.live(what);
    this.need('captureListening', what);
    if (!this.driver.captureListen)
      throw new PluginError('NOT_SUPPORTED', `plugin '${this.info.name}' does not listen to captures`, {
        plugin: this.info.name,
      });
    this.driver.captureListen(open);
  }

  /**
   * Starts the plugin's async events (`set_async_event_handler`): the plugin may send them from its own threads
   * from now on; iterate the result for batches of scap async events (type 402). One stream at a time per
   * plugin; `close()` it (or leave the loop) to reset the handler, `destroy()` does too.
   * @throws PluginError `NOT_SUPPORTED` without the async capability, `BAD_STATE` when a stream is open or before
   * init, `ASYNC_FAILED` when the plugin refuses the handler
   */
  asyncEvents(options: AsyncEventsOptions = {}): PluginAsyncEvents {
    this.live('send async events');
    this.need('async', 'send async events');
    if (this.asyncStream)
      throw new PluginError(
        'BAD_STATE',
        `plugin '${this.info.name}' already has an open async event stream`,
        {
          plugin: this.info.name,
        },
      );
    if (!this.driver.asyncStart)
      throw new PluginError('NOT_SUPPORTED', `plugin '${this.info.name}' sends no async events`, {
        plugin: this.info.name,
      });
    const stream = new PluginAsyncEvents(this.driver, this.info.name, options, () => {
      if (this.asyncStream === stream) this.asyncStream = undefined;
    });
    this.asyncStream = stream;
    return stream;
  }

  /**
   * Asks the plugin to dump its state (`dump_state`, as Falco does when it writes a capture): the async events it
   * sends during the call, as one batch of scap async events (type 402; empty when it sent none).
   * @throws PluginError `NOT_SUPPORTED` when the plugin has no `dump_state` (`info.dumpsState` false),
   * `ASYNC_FAILED` when it fails or sends a malformed event, `BAD_STATE` before init
   */
  dumpState(): EventBatch {
    this.live('dump its state');
    if (!this.info.dumpsState || !this.driver.dumpState)
      throw new PluginError(
        'NOT_SUPPORTED',
        `plugin '${this.info.name}' does not dump its state (no plugin_dump_state)`,
        {
          plugin: this.info.name,
        },
      );
    const r = this.driver.dumpState();
    return batchFromBlocks(r.bytes, r.count, 1);
  }

  /** The plugin's text for one of its events (`event_to_string`); `undefined` when it has none. */
  eventToString(event: ScapEvent): string | undefined {
    this.live('format an event');
    this.need('sourcing', 'format events');
    return this.driver.eventToString(event);
  }

  /**
   * Extracts one field from a plugin event (`undefined` when the event has no value for it).
   * @throws PluginError `UNKNOWN_FIELD`, `EXTRACT_FAILED`, `NOT_SUPPORTED`
   */
  extract(event: ScapEvent, field: string, arg?: string): FieldValue | undefined {
    this.live('extract fields');
    this.need('extraction', 'extract fields');
    let req: ReturnType<typeof extractRequest>;
    try {
      req = extractRequest(this.info.fields, field, arg);
    } catch (e) {
      throw new PluginError('UNKNOWN_FIELD', (e as Error).message, { plugin: this.info.name });
    }
    return this.driver.extractor(req)(event);
  }

  /** Whether the plugin parses events of `source` (Falco's rule: its parse sources, else its own source, else any). */
  parses(source: string): boolean {
    if (!this.has('parsing')) return false;
    if (this.info.parseEventSources.length > 0) return this.info.parseEventSources.includes(source);
    return this.info.eventSource === '' || this.info.eventSource === source;
  }

  /**
   * Lets the plugin parse an event (`parse_event`) of source `source` (default: the plugin's own) — once per
   * event, before any field is extracted from it. Parsing plugins keep state, for example in state tables
   * (they get the table reader and writer vtables).
   * @throws PluginError `NOT_SUPPORTED`, `PARSE_FAILED`, `BAD_STATE`
   */
  parseEvent(event: ScapEvent, source = this.info.eventSource || 'syscall'): void {
    this.live('parse events');
    this.need('parsing', 'parse events');
    if (!this.driver.parseEvent)
      throw new PluginError('NOT_SUPPORTED', `plugin '${this.info.name}' does not parse events`, {
        plugin: this.info.name,
      });
    this.driver.parseEvent(event, source);
  }

  /** Event sources the plugin's fields apply to. */
  sources(): string[] {
    if (this.info.extractEventSources.length > 0) return [...this.info.extractEventSources];
    return this.info.eventSource ? [this.info.eventSource] : [];
  }

  /**
   * Field sets for the rules engine: the plugin's fields for each of its sources, plus (with `evt: true`,
   * default) the generic `evt.*` fields of plugin events for its own source.
   */
  fieldSets(options: { evt?: boolean } = {}): FieldSet<ScapEvent>[] {
    const out: FieldSet<ScapEvent>[] = [];
    if (this.has('extraction')) for (const s of this.sources()) out.push(pluginFieldSet(this.driver, s));
    if ((options.evt ?? true) && this.info.eventSource)
      out.push(pluginEventFieldSet(this.driver, this.info.eventSource));
    return out;
  }

  /** @internal Whether the plugin is initialised (not destroyed). */
  get initialized(): boolean {
    return this.state === 'initialized';
  }

  /** Closes open captures and destroys the plugin state. Idempotent. */
  destroy(): void {
    if (this.state === 'destroyed') return;
    for (const c of [...this.captures]) c.closeNow();
    try {
      this.asyncStream?.closeNow();
    } catch {
      // the plugin refused the reset: destroy goes on (the host resets the handler again before destroy)
    }
    this.state = 'destroyed';
    this.driver.destroy();
  }
}

/** `capture_close` of a listener that is still initialised; the failure, when there is one. */
function closeListener(p: Plugin): PluginError | undefined {
  if (!p.initialized) return undefined;
  try {
    p.captureClose();
    return undefined;
  } catch (e) {
    return toPluginError(e, p.info.name);
  }
}

/**
 * An open capture: an async iterable of {@link EventBatch}es. Events are numbered from 1 across the capture.
 * Iteration ends at the plugin's EOF; closing (or breaking out of the loop) closes the plugin instance.
 */
export class PluginCapture implements AsyncIterable<EventBatch> {
  /** Events delivered so far. */
  events = 0;
  private closed = false;
  private lastProgress: PluginProgress | undefined;

  /** @internal */
  constructor(
    private readonly plugin: Plugin,
    private readonly dc: DriverCapture,
    private readonly options: OpenOptions,
    private readonly closeListeners: () => PluginError | undefined,
    private readonly onClose: () => void,
  ) {}

  /**
   * One `next_batch` call: a batch (possibly empty after a plugin timeout), or `null` at EOF.
   * @throws PluginError `NEXT_FAILED`, `BAD_EVENT`, `BAD_STATE`
   */
  async next(): Promise<EventBatch | null> {
    if (this.closed) return null;
    let r: Awaited<ReturnType<DriverCapture['next']>>;
    try {
      r = await this.dc.next();
    } catch (e) {
      throw toPluginError(e, this.plugin.info.name);
    }
    if (r.progress) this.lastProgress = r.progress;
    if (r.status === 'eof') return null;
    const bytes = r.bytes ?? new Uint8Array(0);
    const batch = r.columns
      ? batchFromColumns(bytes, r.columns, r.count, this.events + 1)
      : batchFromBlocks(bytes, r.count, this.events + 1);
    this.events += batch.count;
    return batch;
  }

  /** Read progress (`get_progress`), as of the last batch; `undefined` when the plugin reports none. */
  progress(): PluginProgress | undefined {
    return this.closed ? this.lastProgress : (this.dc.progress() ?? this.lastProgress);
  }

  /**
   * Iterates the batches until EOF. The next `next_batch` trip is already running while the loop body handles
   * the current batch (one batch of read-ahead).
   */
  async *[Symbol.asyncIterator](): AsyncIterator<EventBatch> {
    const backoff = this.options.timeoutBackoffMs ?? 10;
    const signal = this.options.signal;
    const ahead = () => {
      const p = this.next();
      p.catch(() => {}); // observed when awaited below
      return p;
    };
    let pending = ahead();
    try {
      while (!signal?.aborted) {
        const b = await pending;
        if (b === null) return;
        if (b.count === 0) {
          await new Promise((r) => setTimeout(r, backoff));
          pending = ahead();
          continue;
        }
        pending = ahead();
        yield b;
      }
    } finally {
      await this.close();
    }
  }

  /** @internal Closes now: listeners hear `capture_close` first; returns the first listener's failure. */
  closeNow(): PluginError | undefined {
    if (this.closed) return undefined;
    this.closed = true;
    let failed: PluginError | undefined;
    try {
      failed = this.closeListeners();
      this.dc.close();
    } finally {
      this.onClose();
    }
    return failed;
  }

  /**
   * Closes the capture: the listening plugins get `capture_close`, then the plugin instance is closed (`close`).
   * Idempotent.
   * @throws PluginError `LISTEN_FAILED` when a listener's `capture_close` failed (the capture is closed anyway)
   */
  async close(): Promise<void> {
    const failed = this.closeNow();
    if (failed) throw failed;
  }
}
