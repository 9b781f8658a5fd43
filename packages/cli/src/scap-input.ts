import type { EventBatch, ScapReader } from '@sysray/pcapng/scap';
import { readScap } from '@sysray/pcapng/scap';
import type { CommandContext } from './command.js';
import { type OpenedInput, openInput } from './input.js';

/** Options of {@link walkScap}. */
export interface WalkScapOptions {
  /** The command prints as it reads (the progress bar then stays off when stdout is the same terminal). */
  streamsToStdout?: boolean;
  /** Standard input, for `-`. */
  stdin?: NodeJS.ReadableStream;
}

/**
 * Reads a Falco capture (`.scap`, plain or gzip-compressed) batch by batch with `@sysray/pcapng/scap`'s
 * `readScap`, calling `visit` for each batch (the reader's `info` holds the metadata met so far), with a
 * progress bar on a terminal stderr. `visit` may await (to flush stdout). Resolves to the opened input.
 */
export async function walkScap(
  context: CommandContext,
  file: string,
  visit: (batch: EventBatch, reader: ScapReader) => void | Promise<void>,
  options: WalkScapOptions = {},
): Promise<OpenedInput> {
  const input = await openInput(file, options.stdin);
  const progress = context.progress({
    ...(input.total === undefined ? {} : { total: input.total }),
    label: file === '-' ? 'stdin' : file,
    sharesTerminalWithStdout: options.streamsToStdout ?? false,
  });
  try {
    const reader = readScap(input.source);
    for await (const batch of reader) {
      await visit(batch, reader);
      if (context.stdout.full) await context.stdout.flush();
      progress.update(batch.fileOffset + batch.bytes.length);
    }
  } finally {
    progress.done();
  }
  return input;
}
