import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { PcapngError } from './errors.js';

/**
 * Anything a reader accepts: a file path or `file:` URL, a whole byte array, a Node `Readable`, a Web
 * `ReadableStream`, or any (async) iterable of byte chunks.
 */
export type ByteSource =
  | string
  | URL
  | Uint8Array
  | NodeJS.ReadableStream
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>;

/** Chunk size used when reading files. */
const FILE_CHUNK = 1024 * 1024;

function isWebStream(source: unknown): source is ReadableStream<Uint8Array> {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as ReadableStream).getReader === 'function' &&
    !(Symbol.asyncIterator in (source as object))
  );
}

/** The file path a source names, if it names one (for error messages). */
export function sourcePath(source: ByteSource): string | undefined {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return fileURLToPath(source);
  return undefined;
}

async function* rawChunks(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string' || source instanceof URL) {
    yield* createReadStream(source, { highWaterMark: FILE_CHUNK }) as AsyncIterable<Uint8Array>;
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
    typeof source === 'object' &&
    source !== null &&
    (Symbol.asyncIterator in source || Symbol.iterator in source)
  ) {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      if (typeof chunk === 'string')
        throw new PcapngError('BAD_SOURCE', 'source yielded text, not bytes (set no encoding on the stream)');
      yield chunk;
    }
  } else {
    throw new PcapngError(
      'BAD_SOURCE',
      'source is not a path, byte array, stream or iterable of byte chunks',
    );
  }
}

/**
 * The bytes of a source as chunks, inflated on the fly when the source is gzip-compressed (detected by
 * its magic bytes), so `.pcapng.gz` and gzip'd `.scap` files read like plain ones.
 */
export async function* byteChunks(source: ByteSource): AsyncGenerator<Uint8Array> {
  const chunks = rawChunks(source);
  let first = await chunks.next();
  while (!first.done && first.value.length === 0) first = await chunks.next();
  if (first.done) return;
  let head = first.value;
  // The two-byte gzip magic may straddle chunks (a stream may deliver a single byte first).
  while (head.length < 2) {
    const more = await chunks.next();
    if (more.done) break;
    const joined = new Uint8Array(head.length + more.value.length);
    joined.set(head, 0);
    joined.set(more.value, head.length);
    head = joined;
  }
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
    yield head;
    yield* chunks;
    return;
  }
  async function* compressed() {
    yield head;
    yield* chunks;
  }
  const gunzip = createGunzip({ chunkSize: FILE_CHUNK });
  const input = Readable.from(compressed(), { objectMode: false });
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Uint8Array>) yield chunk;
  } catch (error) {
    if (error instanceof PcapngError) throw error;
    throw new PcapngError('BAD_SOURCE', `gzip-compressed input is corrupt: ${(error as Error).message}`);
  } finally {
    input.destroy();
  }
}
