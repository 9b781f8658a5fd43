/** {@link PluginAsyncEvents}: the async events a plugin sends from its own threads, as an async iterable of batches. */
import type { EventBatch } from '@sysray/pcapng/scap';
import type { PluginDriver } from './driver.js';
import { PluginError } from './errors.js';
import { batchFromBlocks } from './events.js';

/** Options of `Plugin.asyncEvents`. */
export interface AsyncEventsOptions {
  /** Stops the stream (the handler is reset, iteration ends). */
  signal?: AbortSignal;
}

/**
 * The async events of a plugin (`set_async_event_handler`): iterate it for {@link EventBatch}es of scap async
 * events (`PPME_ASYNCEVENT_E`, type 402: plugin id, event name, payload), numbered from 1 across the stream. Every
 * event was checked by the host before it was queued (type, parameters, a name the plugin lists in
 * `get_async_events`); the plugin's own id is set in each. Events wait in a bounded queue (65536 events) until
 * JS takes them; the plugin's handler call fails when it is full ({@link dropped} counts those).
 * {@link close} (or leaving the `for await` loop) resets the handler. An open stream keeps the process alive, as
 * the plugin may send at any time: close the streams you stop reading.
 */
export class PluginAsyncEvents implements AsyncIterable<EventBatch> {
  /** Events delivered so far. */
  events = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  private lastDropped = 0;

  /** @internal Use `Plugin.asyncEvents()`. */
  constructor(
    private readonly driver: PluginDriver,
    private readonly name: string,
    options: AsyncEventsOptions,
    private readonly onClose: () => void,
  ) {
    driver.asyncStart!(() => {
      const w = this.wake;
      this.wake = undefined;
      w?.();
    });
    options.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  /** Events the plugin tried to send while the queue was full (its handler call failed for each). */
  get dropped(): number {
    return this.lastDropped;
  }

  /**
   * The events waiting now, as one batch (`null` when none wait or the stream is closed): no waiting.
   * @throws PluginError `BAD_EVENT` if the host's blocks do not tile (a host bug)
   */
  take(): EventBatch | null {
    if (this.closed) return null;
    const r = this.driver.asyncTake!();
    this.lastDropped = r.dropped;
    if (r.count === 0) return null;
    const batch = batchFromBlocks(r.bytes, r.count, this.events + 1);
    this.events += r.count;
    return batch;
  }

  /** Waits for the next batch of events; `null` once the stream is closed. */
  async next(): Promise<EventBatch | null> {
    for (;;) {
      if (this.closed) return null;
      const b = this.take();
      if (b) return b;
      if (this.wake)
        throw new PluginError(
          'BAD_STATE',
          `a next() call already waits on the async events of '${this.name}'`,
        );
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EventBatch> {
    try {
      for (;;) {
        const b = await this.next();
        if (b === null) return;
        yield b;
      }
    } finally {
      await this.close();
    }
  }

  /** @internal Closes now (the plugin is being destroyed). */
  closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.driver.asyncStop!();
    } finally {
      this.onClose();
      const w = this.wake;
      this.wake = undefined;
      w?.();
    }
  }

  /**
   * Resets the plugin's async event handler (`set_async_event_handler` with NULL: the plugin stops sending) and
   * ends iteration. Events still queued are dropped. Idempotent.
   * @throws PluginError `ASYNC_FAILED` when the plugin refuses the reset
   */
  async close(): Promise<void> {
    this.closeNow();
  }
}
