/** Process and statistics helpers for the benchmarks. */
import { spawnSync } from 'node:child_process';

/** One timed process run. */
export interface ProcessRun {
  seconds: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and times its wall clock (spawn to exit). Throws when it fails. */
export function timeProcess(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
  cwd?: string,
): ProcessRun {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env ?? process.env,
    cwd,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}:\n${result.stderr}`,
    );
  return { seconds, stdout: result.stdout, stderr: result.stderr };
}

/** The first line of a command's output (its version), or `undefined` when it cannot be run. */
export function versionOf(command: string, args: string[] = ['--version']): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  const text = `${result.stdout}\n${result.stderr}`;
  return text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0 && !line.startsWith('Running as user'));
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Smallest of a non-empty list. */
export function best(values: readonly number[]): number {
  return Math.min(...values);
}

/** A plain-text table with right-aligned numeric columns. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table in Markdown. */
export function markdownTable(header: string[], rows: string[][]): string {
  const align = header.map((_, i) => (i < 2 ? '---' : '---:'));
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
