import { readSysFlowHeader, SYSFLOW_SCHEMA, writeSysFlowSync } from '@sysray/sysflow-format';

export const SYNC = new Uint8Array(16).map((_, i) => 0xa0 + i);

/** Zigzag varint bytes of a non-negative or negative integer. */
export function varint(value: number | bigint): number[] {
  let n = BigInt(value);
  n = n >= 0n ? n * 2n : -n * 2n - 1n;
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return out;
}

const text = (s: string) => [...new TextEncoder().encode(s)];

/** A file header with arbitrary metadata entries (values as strings). */
export function header(meta: Record<string, string>, sync = SYNC): Uint8Array {
  const out: number[] = [0x4f, 0x62, 0x6a, 0x01];
  const entries = Object.entries(meta);
  if (entries.length) out.push(...varint(entries.length));
  for (const [k, v] of entries) {
    const kb = text(k);
    const vb = text(v);
    out.push(...varint(kb.length), ...kb, ...varint(vb.length), ...vb);
  }
  out.push(0, ...sync);
  return Uint8Array.from(out);
}

/** A null-codec SysFlow v5 header. */
export const NULL_HEADER = header({ 'avro.schema': JSON.stringify(SYSFLOW_SCHEMA), 'avro.codec': 'null' });

/** One data block: count, size, data, sync. */
export function block(count: number, data: number[] | Uint8Array, sync = SYNC): Uint8Array {
  return Uint8Array.from([...varint(count), ...varint(data.length), ...data, ...sync]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** The blocks (everything after the header) of a file. */
export function blocksOf(file: Uint8Array): Uint8Array {
  return file.subarray(readSysFlowHeader(file).size);
}

/** A file written by our writer with a fixed sync marker. */
export function writeFixed(...args: Parameters<typeof writeSysFlowSync>): Uint8Array {
  return writeSysFlowSync(args[0], { syncMarker: SYNC, ...args[1] });
}
