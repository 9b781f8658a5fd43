import { Writable } from 'node:stream';

/** A small seeded PRNG (mulberry32): the same chunkings on every run. */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n;
  };
}

/** Splits bytes into chunks of random sizes in [min, max], each in its own ArrayBuffer. */
export function randomChunks(bytes: Uint8Array, seed: number, min = 1, max = 64): Uint8Array[] {
  const random = prng(seed);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = min + Math.floor(random(max - min + 1));
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/** An AsyncIterable over chunks, yielding to the event loop between them. */
export async function* asyncChunks(chunks: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) {
    await Promise.resolve();
    yield chunk;
  }
}

/** A Node Writable that keeps what it is given; `bytes()` joins it. */
export function collectingWritable(): { stream: Writable; bytes: () => Uint8Array } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, bytes: () => new Uint8Array(Buffer.concat(parts)) };
}

/** A Web WritableStream that keeps what it is given. */
export function collectingWebWritable(): { stream: WritableStream<Uint8Array>; bytes: () => Uint8Array } {
  const parts: Uint8Array[] = [];
  const stream = new WritableStream<Uint8Array>({
    write(chunk) {
      parts.push(chunk.slice());
    },
  });
  return { stream, bytes: () => new Uint8Array(Buffer.concat(parts)) };
}

/** Drains an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * A deep copy where every byte array is a plain Uint8Array: readers hand out views of whatever chunks
 * the source gave (Node streams give Buffers), and `toEqual` tells Buffer from Uint8Array.
 */
export function plain<T>(value: T): T {
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map(plain) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out as T;
  }
  return value;
}
