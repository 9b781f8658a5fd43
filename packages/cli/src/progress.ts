import type { TextStream } from './output.js';

/** What a long read reports as it goes. */
export interface ProgressReporter {
  /** Bytes of the input consumed so far. */
  update(bytesDone: number): void;
  /** Erases the bar (call before printing anything else to the same terminal, and at the end). */
  done(): void;
}

/** A reporter that draws nothing: non-terminal stderr, `--no-progress`. */
export const noProgress: ProgressReporter = { update() {}, done() {} };

/** Options of {@link createProgressBar}. */
export interface ProgressBarOptions {
  /** Total bytes, when known (a plain file's size); without it the bar shows a byte count. */
  total?: number;
  /** Label before the bar (the file name). */
  label?: string;
  /** Terminal width (default 80). */
  columns?: number;
  /** Milliseconds before the first draw, so that short reads draw nothing (default 300). */
  delayMs?: number;
  /** Milliseconds between redraws (default 100). */
  intervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** `1.5 MB`-style size. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * A one-line progress bar redrawn in place (`\r`) on a terminal stream: `label [#####.....]  42%  1.2 GB`.
 * Redraws are throttled; nothing is drawn for reads shorter than `delayMs`. Callers decide whether to
 * draw at all: only when stderr is a terminal.
 */
export function createProgressBar(stream: TextStream, options: ProgressBarOptions = {}): ProgressReporter {
  const now = options.now ?? Date.now;
  const started = now();
  const delay = options.delayMs ?? 300;
  const interval = options.intervalMs ?? 100;
  const columns = Math.max(40, options.columns || 80);
  const label = options.label ?? '';
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const draw = (bytes: number) => {
    let line: string;
    if (options.total !== undefined && options.total > 0) {
      const fraction = Math.min(1, bytes / options.total);
      const percent = `${Math.floor(fraction * 100)}`.padStart(3);
      const tail = `] ${percent}%  ${formatBytes(bytes)} / ${formatBytes(options.total)}`;
      // The bar gets what the label and the numbers leave, at least 10 cells; the label is cut from the
      // left (keeping the file name's end) or dropped on a narrow terminal.
      const free = columns - 1 - tail.length - 2;
      let name = label;
      if (free - name.length < 10) {
        const keep = free - 10 - 1;
        name = keep >= 8 ? `…${label.slice(-keep)}` : '';
      }
      const width = Math.max(10, free - name.length);
      const filled = Math.round(fraction * width);
      line = `${name}${name ? ' ' : ''}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}${tail}`;
    } else {
      line = `${label} ${formatBytes(bytes)} read`;
    }
    stream.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
    drawn = true;
  };
  return {
    update(bytes) {
      const t = now();
      if (t - started < delay || t - lastDraw < interval) return;
      lastDraw = t;
      draw(bytes);
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
