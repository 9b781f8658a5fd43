import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import type { PcapngBlock } from '@sysray/pcapng/sync';
import { toHex } from '@sysray/pcapng/sync';

/** The warning tshark prints on every run as root; harmless. */
const ROOT_WARNING = /^Running as user "root" and group "root"\. This could be dangerous\.$/;

/**
 * Path of tshark, or a thrown error saying how to get it: oracle tests fail without it, never skip
 * (CI installs it with apt).
 */
export function tsharkPath(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat('/usr/bin')) {
    const candidate = `${dir}/tshark`;
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'tshark is required by the pcapng oracle tests but was not found on PATH: install it (apt-get install tshark; CI does this in .ci/run)',
  );
}

/** One frame as tshark sees it. */
export interface OracleFrame {
  /** `frame.time_epoch` as printed (9 decimals), '' when the packet has no timestamp (SPB). */
  time: string;
  len: number;
  capLen: number;
  /** The frame's bytes in lower-case hex. */
  hex: string;
  /** `frame.comment` values. */
  comments: string[];
}

export interface OracleResult {
  frames: OracleFrame[];
  /** stderr without the root warning. */
  stderr: string;
  exitCode: number;
}

function run(path: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return new Promise((resolve) => {
    execFile(
      tsharkPath(),
      ['-r', path, '-n', '-T', 'json', '--no-duplicate-keys', '-x', '-j', 'frame pkt_comment'],
      { maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ stdout, stderr, exitCode: code });
      },
    );
  });
}

type Layers = Record<string, unknown> & {
  frame_raw?: [string, ...unknown[]];
  frame?: Record<string, unknown>;
};

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as string[]) : [value as string];
}

/** Reads a file with tshark: per-frame time, lengths, bytes and comments. */
export async function tsharkFrames(path: string): Promise<OracleResult> {
  const { stdout, stderr, exitCode } = await run(path);
  const rest = stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !ROOT_WARNING.test(line.trim()))
    .join('\n');
  const packets = stdout.trim() === '' ? [] : (JSON.parse(stdout) as { _source: { layers: Layers } }[]);
  const frames = packets.map(({ _source: { layers } }) => {
    const frame = layers.frame ?? {};
    // tshark 4.0 puts each comment in a "pkt_comment" tree (an array of them with --no-duplicate-keys).
    const trees = layers.pkt_comment === undefined ? [] : [layers.pkt_comment].flat();
    const comments = trees.flatMap((tree) => asList((tree as Record<string, unknown>)['frame.comment']));
    return {
      time: (frame['frame.time_epoch'] as string | undefined) ?? '',
      len: Number(frame['frame.len']),
      capLen: Number(frame['frame.cap_len']),
      hex: layers.frame_raw?.[0] ?? '',
      comments,
    };
  });
  return { frames, stderr: rest, exitCode };
}

/** Nanoseconds since the epoch as tshark prints `frame.time_epoch`: seconds, 9 decimals. */
export function epochString(ns: bigint): string {
  const negative = ns < 0n;
  const abs = negative ? -ns : ns;
  const text = `${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, '0')}`;
  return negative ? `-${text}` : text;
}

/**
 * What our reader says of each packet, in tshark's terms. tshark (Wireshark 4.0 wiretap) also shows
 * each custom block (0x0BAD, 0x40000BAD) as a frame without a timestamp whose bytes are the block's
 * data after its PEN: those are listed too, so the oracle checks our custom block data as well.
 */
export function ourFrames(blocks: Iterable<PcapngBlock>): Omit<OracleFrame, 'comments'>[] {
  const out: Omit<OracleFrame, 'comments'>[] = [];
  for (const b of blocks) {
    if (b.type === 'CB' || b.type === 'DCB') {
      out.push({ time: '', len: b.data.length, capLen: b.data.length, hex: toHex(b.data) });
      continue;
    }
    if (b.type !== 'EPB' && b.type !== 'SPB' && b.type !== 'PB') continue;
    out.push({
      time: b.type === 'SPB' ? '' : epochString(b.timestamp),
      len: b.originalLength,
      capLen: b.capturedLength,
      hex: toHex(b.data),
    });
  }
  return out;
}

/** Runs `task` over `items` with at most `limit` at a time, results in input order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The `opt_comment`s of each frame of {@link ourFrames}, as tshark lists them per frame. */
export function ourComments(blocks: Iterable<PcapngBlock>): string[][] {
  const out: string[][] = [];
  for (const b of blocks) {
    if (b.type === 'CB' || b.type === 'DCB') out.push([]);
    else if (b.type === 'EPB' || b.type === 'SPB' || b.type === 'PB')
      out.push(b.options.filter((o) => o.code === 1).map((o) => String(o.value)));
  }
  return out;
}
