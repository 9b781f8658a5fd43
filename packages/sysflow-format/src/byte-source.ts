import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SysFlowError } from './errors.js';

/**
 * Anything a reader accepts: a file path or `file:` URL, a whole byte array, a Node `Readable`, a Web
 * `ReadableStream`, or any (async) iterable of byte chunks.
 */
export type SysFlowSource =
  | string
  | URL
  | Uint8Array
  | NodeJS.ReadableStream
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>;

/** Chunk size used when reading files. */
const FILE_CHUNK = 256 * 1024;

/** The file path a source names, if it names one (for error messages). */
export function sourcePath(source: SysFlowSource): string | undefined {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return fileURLToPath(source);
  return undefined;
}

function isWebStream(source: unknown): source is ReadableStream<Uint8Array> {
  return (
    typeof (source as ReadableStream).getReader === 'function' &&
    !(Symbol.asyncIterator in (source as object))
  );
}

/** The bytes of a source as a sequence of chunks. */
export async function* byteChunks(source: SysFlowSource): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string' || source instanceof URL) {
    try {
      yield* createReadStream(source, { highWaterMark: FILE_CHUNK }) as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (error instanceof SysFlowError) throw error;
      throw new SysFlowError(
        'BAD_SOURCE',
        `cannot read ${sourcePath(source)}: ${(error as Error).message}`,
        {},
        error,
      );
    }
  } else if (source instanceof Uint8Array) {
    yield source;
  } else if (isWebStream(source)) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else if (
    source !== null &&
    typeof source === 'object' &&
    (Symbol.asyncIterator in source || Symbol.iterator in source)
  ) {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      if (!(chunk instanceof Uint8Array)) {
        throw new SysFlowError(
          'BAD_SOURCE',
          'source yielded something other than bytes (set no encoding on the stream)',
        );
      }
      yield chunk;
    }
  } else {
    throw new SysFlowError(
      'BAD_SOURCE',
      'source is not a path, byte array, stream or iterable of byte chunks',
    );
  }
}
