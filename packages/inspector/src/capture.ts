/** Walking a capture through an inspector. */
import { readScap, type ScapReadOptions } from '@sysray/pcapng/scap';
import type { EventContext } from './context.js';
import { InspectorError } from './errors.js';
import { Inspector, type InspectorOptions } from './inspector.js';

/** What a capture may be given as: a path, bytes, a Node `Readable`, a Web stream or chunks. */
export type CaptureSource = Parameters<typeof readScap>[0];

/** Options of {@link inspectCapture}. */
export interface InspectCaptureOptions extends InspectorOptions {
  /** An inspector to use (e.g. to look at its tables afterwards); default: a new one. */
  inspector?: Inspector;
  /** Options for the scap reader. */
  read?: ScapReadOptions;
}

function wrapReadError(error: unknown): never {
  if (error instanceof InspectorError) throw error;
  const e = error as { message?: string; offset?: number; code?: string };
  throw new InspectorError('BAD_CAPTURE', `cannot read capture: ${e?.message ?? String(error)}`, {
    offset: typeof e?.offset === 'number' ? e.offset : undefined,
    cause: error,
  });
}

/**
 * Reads a capture through an inspector and yields the (reused) {@link EventContext} of every event libsinsp
 * would show to filters. The state (thread/fd tables) is current for each event as it is yielded.
 *
 * @throws InspectorError `BAD_CAPTURE` when the capture cannot be read.
 */
export async function* inspectCapture(
  source: CaptureSource,
  options: InspectCaptureOptions = {},
): AsyncGenerator<EventContext> {
  const insp = options.inspector ?? new Inspector(options);
  const reader = readScap(source, options.read ?? {});
  const it = reader[Symbol.asyncIterator]();
  for (;;) {
    let r: IteratorResult<import('@sysray/pcapng/scap').EventBatch>;
    try {
      r = await it.next();
    } catch (error) {
      wrapReadError(error);
    }
    if (r.done) break;
    const batch = r.value;
    insp.seed(reader.info);
    for (let i = 0; i < batch.count; i++) {
      const ctx = insp.process(batch, i);
      if (ctx) {
        yield ctx;
        ctx.prevTs = ctx.ts;
      }
    }
  }
  insp.seed(reader.info);
}
