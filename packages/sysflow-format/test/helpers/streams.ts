import { Readable } from 'node:stream';

/** Collects an async iterable. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Splits bytes into chunks of `size` (the last may be shorter). */
export function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** An async iterable of chunks of random sizes (deterministic for a seed). */
export async function* randomChunks(bytes: Uint8Array, seed = 1): AsyncGenerator<Uint8Array> {
  let s = seed;
  let i = 0;
  while (i < bytes.length) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (s % 97);
    yield bytes.subarray(i, i + n);
    i += n;
  }
}

/** A Web ReadableStream over chunks. */
export function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

/** A Node Readable over chunks. */
export function nodeStream(chunks: Uint8Array[]): Readable {
  return Readable.from(chunks, { objectMode: false });
}
