import { OutputClosedError } from './errors.js';

/**
 * Where the CLI writes text: `process.stdout`, `process.stderr`, or anything with a `write(string)`
 * (tests pass a collector). Node streams get backpressure and EPIPE handling; the optional members
 * are read when present.
 */
export interface TextStream {
  write(chunk: string): unknown;
  /** Whether the stream is a terminal (decides whether a progress bar is drawn). */
  isTTY?: boolean;
  /** Width of the terminal, when it is one. */
  columns?: number;
  on?(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  once?(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Text gathered before it is handed to the stream (one `write` per ~64 KiB). */
const FLUSH_AT = 64 * 1024;

const CLOSED_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END', 'ECONNRESET']);

/**
 * A buffered writer over a {@link TextStream}: `write` appends (synchronously, cheaply), `flush` hands
 * the text to the stream and waits for it to drain. A closed destination (EPIPE) is remembered and
 * reported as {@link OutputClosedError} on the next `flush`, so a command stops reading when nobody
 * reads its output.
 */
export class Output {
  private pending: string[] = [];
  private pendingLength = 0;
  private failed: NodeJS.ErrnoException | undefined;
  private readonly onError = (error: NodeJS.ErrnoException) => {
    this.failed = error;
  };

  constructor(readonly stream: TextStream) {
    stream.on?.('error', this.onError);
  }

  /** Whether the destination has gone away. */
  get closed(): boolean {
    return this.failed !== undefined;
  }

  /** Whether enough text is pending that the caller should `await flush()` before writing more. */
  get full(): boolean {
    return this.pendingLength >= FLUSH_AT;
  }

  /** Appends text. */
  write(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
  }

  /** Appends a line (a newline is added). */
  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** Writes the pending text to the stream; throws {@link OutputClosedError} when it has gone away. */
  async flush(): Promise<void> {
    this.check();
    if (this.pendingLength === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    let ok: unknown;
    try {
      ok = this.stream.write(text);
    } catch (error) {
      this.failed = error as NodeJS.ErrnoException;
      this.check();
      throw error;
    }
    if (ok === false && this.stream.once) await this.drained();
    this.check();
  }

  /** Stops listening to the stream (pending text is dropped). */
  detach(): void {
    this.stream.off?.('error', this.onError as (...args: unknown[]) => void);
  }

  private drained(): Promise<void> {
    const stream = this.stream;
    return new Promise((resolve) => {
      const done = () => {
        stream.off?.('drain', done);
        stream.off?.('close', done);
        stream.off?.('error', done);
        resolve();
      };
      stream.once!('drain', done);
      stream.once!('close', done);
      stream.once!('error', done);
    });
  }

  private check(): void {
    const error = this.failed;
    if (error === undefined) return;
    if (error.code !== undefined && CLOSED_CODES.has(error.code)) throw new OutputClosedError();
    throw error;
  }
}
