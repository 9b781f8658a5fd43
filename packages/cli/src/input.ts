import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { type BlockCursor, type ByteSource, pcapngWindows } from '@sysray/pcapng';
import type { CommandContext } from './command.js';
import { InputError } from './errors.js';
import type { ProgressReporter } from './progress.js';

/** An input file opened for reading: what to hand the reader, and its size when known. */
export interface OpenedInput {
  source: ByteSource;
  /** Bytes the reader will consume, when known (a plain file; not stdin, not gzip). */
  total: number | undefined;
  /** Size of the file on disk, when it is one. */
  fileSize: number | undefined;
  /** The file is gzip-compressed (the reader inflates it). */
  gzip: boolean;
}

/**
 * Checks that `file` is a readable regular file (`-` is standard input) and tells its size, so errors
 * like a missing file are reported as one `InputError` line before any reading starts.
 */
export async function openInput(file: string, stdin?: NodeJS.ReadableStream): Promise<OpenedInput> {
  if (file === '-')
    return { source: stdin ?? process.stdin, total: undefined, fileSize: undefined, gzip: false };
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new InputError('EISDIR', 'is a directory, not a capture file', file);
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    const reason = code === 'ENOENT' ? 'no such file' : (error as Error).message.replace(/^[A-Z]+: /, '');
    throw new InputError(code, reason, file);
  }
  let gzip = false;
  try {
    const handle = await open(file, 'r');
    try {
      const head = new Uint8Array(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new InputError(code, (error as Error).message.replace(/^[A-Z]+: /, ''), file);
  }
  return { source: file, total: gzip ? undefined : size, fileSize: size, gzip };
}

/** Options of {@link walkBlocks}. */
export interface WalkOptions {
  /** The command prints as it reads (the progress bar then stays off when stdout is the same terminal). */
  streamsToStdout?: boolean;
  /** Standard input, for `-`. */
  stdin?: NodeJS.ReadableStream;
  /**
   * Fail with `NO_INTERFACES` when the capture describes no interface, as libpcap does (default
   * `false`, as the pcapng draft and Wireshark's tshark and capinfos allow it, and Falco `.scap`
   * captures have none).
   */
  requireInterface?: boolean;
  /** Called after the blocks of each window of the input were visited, before the next window is read. */
  onWindowEnd?: (cursor: BlockCursor) => void;
}

/**
 * Walks every block of a capture file with the zero-allocation cursor, calling `visit` for each
 * (decode it with `decodeBlock(cursor)` when the typed block is wanted), with a progress bar on a
 * terminal stderr and stdout flushed (with backpressure) as it fills. Resolves to the opened input.
 */
export async function walkBlocks(
  context: CommandContext,
  file: string,
  visit: (cursor: BlockCursor) => void,
  options: WalkOptions = {},
): Promise<OpenedInput> {
  const input = await openInput(file, options.stdin);
  const progress = context.progress({
    ...(input.total === undefined ? {} : { total: input.total }),
    label: file === '-' ? 'stdin' : file,
    sharesTerminalWithStdout: options.streamsToStdout ?? false,
  });
  try {
    for await (const cursor of pcapngWindows(input.source, {
      requireInterface: options.requireInterface ?? false,
    })) {
      while (cursor.next()) {
        visit(cursor);
        if (context.stdout.full) await context.stdout.flush();
      }
      options.onWindowEnd?.(cursor);
      progress.update(cursor.nextFileOffset);
    }
  } finally {
    progress.done();
  }
  return input;
}

/**
 * The bytes of an opened input as it is stored (compressed or not), counted into `bar` against the file's size
 * as they are read: for readers that take chunks (`.sf` readers, the flow builder). The bar is finished when
 * the chunks end or the reader stops early.
 */
export async function* chunksWithProgress(
  input: OpenedInput,
  bar: ProgressReporter,
): AsyncGenerator<Uint8Array> {
  const raw = (
    typeof input.source === 'string'
      ? createReadStream(input.source, { highWaterMark: 1 << 20 })
      : input.source
  ) as AsyncIterable<Uint8Array>;
  let read = 0;
  try {
    for await (const chunk of raw) {
      read += chunk.length;
      bar.update(read);
      yield chunk;
    }
  } finally {
    bar.done();
  }
}
