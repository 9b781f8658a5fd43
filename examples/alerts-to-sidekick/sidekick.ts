/**
 * Falco alerts to a Falcosidekick-compatible HTTP endpoint, as Falco's `http_output` sends them: one
 * `POST` per alert, `Content-Type: application/json`, the body Falco's JSON output (`output`, `priority`,
 * `rule`, `time`, `output_fields`, `source`, `tags`, `hostname`).
 *
 * Alerts wait in a bounded in-memory queue and go out one at a time, in order. A failed delivery (connection
 * refused or reset, timeout, HTTP 408/425/429/5xx) is retried with exponential backoff — the same alert,
 * until it is accepted — so an endpoint that is briefly down loses nothing and sees no reordering. When the
 * queue is full, `push` waits for room: the producer slows down instead of alerts being dropped.
 */
import type { FalcoAlert } from '@sysray/falco-rules';

/** Options of {@link SidekickForwarder}. */
export interface SidekickOptions {
  /** Endpoint, e.g. `http://127.0.0.1:2801/` (Falcosidekick's default port; it takes alerts on `/`). */
  url: string | URL;
  /** Alerts held in memory at most, the one being sent included (default 1000). */
  maxQueue?: number;
  /** Delay before the first retry of an alert (default 200 ms); each further retry multiplies it by `factor`. */
  initialDelayMs?: number;
  /** Backoff growth per retry (default 2). */
  factor?: number;
  /** Longest delay between two tries (default 30 s). */
  maxDelayMs?: number;
  /** Fraction of each delay that is randomised, 0…1 (default 0.2), so many senders do not retry in step. */
  jitter?: number;
  /** Time allowed for one request (default 10 s); a timeout is retried like a refused connection. */
  timeoutMs?: number;
  /** Extra request headers (an API key, a `User-Agent`, …). */
  headers?: Record<string, string>;
  /** Called before waiting to retry an alert. */
  onRetry?: (retry: RetryInfo) => void;
  /** Called when the endpoint rejects an alert for good (HTTP 4xx other than 408/425/429): it is dropped. */
  onReject?: (alert: FalcoAlert, status: number, body: string) => void;
  /** Random numbers in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
}

/** What {@link SidekickOptions.onRetry} is told. */
export interface RetryInfo {
  alert: FalcoAlert;
  /** How many tries of this alert failed so far (1 after the first failure). */
  attempt: number;
  /** How long the forwarder waits before the next try. */
  delayMs: number;
  /** `HTTP 503`, `ECONNREFUSED`, `ECONNRESET`, `TIMEOUT`, … */
  reason: string;
}

/** Counters of a {@link SidekickForwarder}. */
export interface SidekickStats {
  /** Alerts waiting or being sent. */
  queued: number;
  /** Alerts the endpoint accepted (2xx). */
  delivered: number;
  /** Failed tries that were retried. */
  retries: number;
  /** Alerts the endpoint rejected for good (see `onReject`). */
  rejected: number;
  /** Most alerts held at once. */
  highWater: number;
}

/** Errors of this module. */
export class SidekickError extends Error {
  constructor(
    readonly code: 'BAD_OPTION' | 'CLOSED' | 'FLUSH_TIMEOUT',
    message: string,
  ) {
    super(message);
    this.name = 'SidekickError';
  }
}

type Outcome =
  | { ok: true }
  | { ok: false; retry: boolean; reason: string; status?: number; body?: string; retryAfterMs?: number };

const RETRY_STATUS = new Set([408, 425, 429]);

function positive(name: string, v: number, min = 0): number {
  if (!Number.isFinite(v) || v < min)
    throw new SidekickError('BAD_OPTION', `${name} must be a number >= ${min}, got ${v}`);
  return v;
}

/** `Retry-After` in seconds (the HTTP-date form is rare for APIs and ignored). */
function retryAfter(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

function networkReason(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return 'TIMEOUT';
  return e.cause?.code ?? e.code ?? (error instanceof Error ? error.message : String(error));
}

/** Sends Falco alerts to an HTTP endpoint in order, retrying with exponential backoff. */
export class SidekickForwarder {
  private readonly url: string;
  private readonly maxQueue: number;
  private readonly initialDelayMs: number;
  private readonly factor: number;
  private readonly maxDelayMs: number;
  private readonly jitter: number;
  private readonly timeoutMs: number;
  private readonly queue: FalcoAlert[] = [];
  private readonly roomWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private pumping = false;
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly counters = { delivered: 0, retries: 0, rejected: 0, highWater: 0 };

  constructor(private readonly options: SidekickOptions) {
    this.url = new URL(options.url).toString();
    this.maxQueue = positive('maxQueue', options.maxQueue ?? 1000, 1);
    this.initialDelayMs = positive('initialDelayMs', options.initialDelayMs ?? 200);
    this.factor = positive('factor', options.factor ?? 2, 1);
    this.maxDelayMs = positive('maxDelayMs', options.maxDelayMs ?? 30_000);
    this.jitter = Math.min(1, positive('jitter', options.jitter ?? 0.2));
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? 10_000, 1);
  }

  /**
   * Queues an alert; resolves once it is in the queue (at once unless the queue is full).
   * @throws SidekickError `CLOSED` after {@link close}.
   */
  async push(alert: FalcoAlert): Promise<void> {
    while (this.queue.length >= this.maxQueue && !this.closed)
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    if (this.closed) throw new SidekickError('CLOSED', 'the forwarder is closed');
    this.queue.push(alert);
    this.counters.highWater = Math.max(this.counters.highWater, this.queue.length);
    if (!this.pumping) void this.pump();
  }

  /**
   * Resolves when every queued alert was delivered (or rejected by the endpoint).
   * @throws SidekickError `FLUSH_TIMEOUT` when `timeoutMs` passes first; the alerts stay queued.
   */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.queue.length === 0) return;
    if (this.closed) throw new SidekickError('CLOSED', `closed with ${this.queue.length} alerts undelivered`);
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const limit = Number.isFinite(timeoutMs)
      ? new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new SidekickError(
                  'FLUSH_TIMEOUT',
                  `${this.queue.length} alerts not delivered after ${timeoutMs} ms`,
                ),
              ),
            timeoutMs,
          );
        })
      : undefined;
    try {
      await (limit ? Promise.race([idle, limit]) : idle);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Delivers what is queued (waiting at most `timeoutMs`), then stops; later pushes throw `CLOSED`.
   * @throws SidekickError `FLUSH_TIMEOUT` with the number of alerts left undelivered.
   */
  async close(timeoutMs?: number): Promise<void> {
    try {
      await this.flush(timeoutMs);
    } finally {
      this.closed = true;
      this.wake?.();
      for (const w of this.roomWaiters.splice(0)) w();
    }
  }

  /** The alerts not delivered yet, oldest first (after a `close` that timed out: to spool them to disk). */
  undelivered(): FalcoAlert[] {
    return [...this.queue];
  }

  stats(): SidekickStats {
    return { queued: this.queue.length, ...this.counters };
  }

  /** The delay before retry number `attempt` (1-based): initial × factor^(attempt−1), capped, with jitter. */
  backoff(attempt: number): number {
    const base = Math.min(this.maxDelayMs, this.initialDelayMs * this.factor ** (attempt - 1));
    const random = this.options.random ?? Math.random;
    return Math.round(base * (1 - this.jitter * random()));
  }

  private async send(alert: FalcoAlert): Promise<Outcome> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body: JSON.stringify(alert),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return { ok: false, retry: true, reason: networkReason(error) };
    }
    const body = await response.text().catch(() => '');
    if (response.ok) return { ok: true };
    const retry = response.status >= 500 || RETRY_STATUS.has(response.status);
    const after = retryAfter(response.headers.get('retry-after'));
    return {
      ok: false,
      retry,
      reason: `HTTP ${response.status}`,
      status: response.status,
      body,
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const alert = this.queue[0]!;
        let attempt = 0;
        for (;;) {
          const outcome = await this.send(alert);
          if (outcome.ok) {
            this.counters.delivered++;
            break;
          }
          if (!outcome.retry) {
            this.counters.rejected++;
            this.options.onReject?.(alert, outcome.status ?? 0, outcome.body ?? '');
            break;
          }
          attempt++;
          this.counters.retries++;
          const delayMs = Math.min(
            this.maxDelayMs,
            Math.max(this.backoff(attempt), outcome.retryAfterMs ?? 0),
          );
          this.options.onRetry?.({ alert, attempt, delayMs, reason: outcome.reason });
          await this.sleep(delayMs);
          if (this.closed) return;
        }
        this.queue.shift();
        this.roomWaiters.shift()?.();
      }
    } finally {
      this.pumping = false;
      if (this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}
