/**
 * Terminal colour for human-readable output: on only when the stream is a terminal, `NO_COLOR` is unset (or
 * empty) and `TERM` is not `dumb`; `FORCE_COLOR` (any value but `0`) turns it on anyway. Pipes, files and
 * `--json` output never carry escape codes.
 */
import type { TextStream } from './output.js';

/** Styles for one stream: identity functions when colour is off. */
export interface Palette {
  /** Whether the styles add escape codes. */
  readonly enabled: boolean;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const plain = (text: string) => text;
const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

const OFF: Palette = {
  enabled: false,
  red: plain,
  yellow: plain,
  green: plain,
  cyan: plain,
  bold: plain,
  dim: plain,
};

const ON: Palette = {
  enabled: true,
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  cyan: sgr(36, 39),
  bold: sgr(1, 22),
  dim: sgr(2, 22),
};

/** Whether text written to `stream` should be coloured, per the rules above. */
export function wantsColour(stream: TextStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** The palette for a stream. */
export function paletteFor(stream: TextStream, env: NodeJS.ProcessEnv = process.env): Palette {
  return wantsColour(stream, env) ? ON : OFF;
}

const SEVERE = new Set(['Emergency', 'Alert', 'Critical', 'Error']);
const MILD = new Set(['Notice', 'Informational', 'Info', 'Debug']);

/** A Falco priority name styled by severity: red for Error and worse, yellow for Warning, dim below. */
export function stylePriority(priority: string, palette: Palette): string {
  if (!palette.enabled) return priority;
  if (SEVERE.has(priority)) return palette.bold(palette.red(priority));
  if (priority === 'Warning') return palette.yellow(priority);
  if (MILD.has(priority)) return palette.cyan(priority);
  return priority;
}

/** An alert's output line with its priority word (the first occurrence) styled. */
export function styleAlertLine(line: string, priority: string, palette: Palette): string {
  if (!palette.enabled) return line;
  const at = line.indexOf(priority);
  return at < 0
    ? line
    : `${line.slice(0, at)}${stylePriority(priority, palette)}${line.slice(at + priority.length)}`;
}

/** Rule-test report text with `PASS`/`FAIL` at line starts coloured. */
export function styleTestReport(text: string, palette: Palette): string {
  if (!palette.enabled) return text;
  return text.replace(/^(PASS|FAIL)\b/gm, (m) =>
    m === 'PASS' ? palette.green(m) : palette.bold(palette.red(m)),
  );
}
