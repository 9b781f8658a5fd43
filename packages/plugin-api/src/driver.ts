/** The internal contract between {@link Plugin} and a plugin implementation (native library or TypeScript). */
import type { FieldValue } from '@sysray/falco-rules';
import type { ScapEvent } from '@sysray/pcapng/scap';
import type { OpenParam, PluginField, PluginInfo, PluginMetric, PluginProgress } from './types.js';

/** A field reference resolved for extraction. */
export interface ExtractRequest {
  /** Index of the field in the plugin's field list (`field_id`). */
  fieldId: number;
  field: PluginField;
  /** Key argument (`field[key]`). */
  argKey: string | undefined;
  /** Index argument (`field[3]`). */
  argIndex: number;
  /** Whether an argument was given. */
  argPresent: boolean;
}

/** What one `next_batch` call gave. */
export interface DriverBatch {
  status: 'events' | 'timeout' | 'eof';
  /** Event blocks (see `events.ts`), when `status` is `events`. */
  bytes?: Uint8Array;
  count: number;
  /** The events' EventBatch columns, when the driver wrote them (layout: `batchFromColumns` in events.ts). */
  columns?: ArrayBuffer;
  progress?: PluginProgress;
}

/** An open capture of a driver. */
export interface DriverCapture {
  next(): Promise<DriverBatch>;
  progress(): PluginProgress | undefined;
  close(): void;
}

/** A plugin implementation. Every method may throw a `PluginError`. */
export interface PluginDriver {
  readonly info: PluginInfo;
  init(config: string): void | Promise<void>;
  /** Lets the plugin parse one event of source `source` (`parse_event`); absent without the capability. */
  parseEvent?(event: ScapEvent, source: string): void;
  /** The plugin's metrics (`get_metrics`); absent without the capability. */
  metrics?(): PluginMetric[];
  /** `capture_open` (`open`: true) or `capture_close`; absent without the capture listening capability. */
  captureListen?(open: boolean): void;
  /** Sets the async event handler; `wake` is called on the JS thread when events wait. Absent without async. */
  asyncStart?(wake: () => void): void;
  /** Takes the waiting async events (event blocks). */
  asyncTake?(): { bytes: Uint8Array; count: number; dropped: number };
  /** Resets the async event handler. */
  asyncStop?(): void;
  /** `dump_state`: the plugin's state as async events, synchronously. */
  dumpState?(): { bytes: Uint8Array; count: number };
  /** A new config after init; absent when the plugin cannot take one. */
  setConfig?(config: string): void | Promise<void>;
  lastError(): string | undefined;
  listOpenParams(): OpenParam[];
  open(params: string): DriverCapture | Promise<DriverCapture>;
  /** `undefined` when the plugin does not implement `event_to_string`. */
  eventToString(event: ScapEvent): string | undefined;
  /** A compiled extractor for one field reference. */
  extractor(req: ExtractRequest): (event: ScapEvent) => FieldValue | undefined;
  destroy(): void;
}
