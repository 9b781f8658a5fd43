import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** `shared/testdata` next to the repository root (CI clones the repo beside `shared/`, like /work/main). */
export const TESTDATA = fileURLToPath(new URL('../../../../../shared/testdata/', import.meta.url));

/** Every scap capture of the shared test data: the libs captures and the SysFlow pairs' captures. */
export function captureFiles(): string[] {
  const out: string[] = [];
  for (const dir of ['scap', 'sysflow-pairs']) {
    for (const f of readdirSync(`${TESTDATA}${dir}`).sort())
      if (f.endsWith('.scap')) out.push(`${TESTDATA}${dir}/${f}`);
  }
  return out;
}

/** The file's bytes, gunzipped when compressed. */
export function plainBytes(path: string): Uint8Array {
  const raw = readFileSync(path);
  return new Uint8Array(raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw);
}

/** Whether the file on disk is gzip-compressed. */
export function isGzip(path: string): boolean {
  const raw = readFileSync(path);
  return raw[0] === 0x1f && raw[1] === 0x8b;
}

/** A tiny deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
