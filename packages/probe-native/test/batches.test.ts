import { encodeEvent, encodeEventBlock, ScapBlockType, ScapEvent } from '@sysray/pcapng/scap';
import { describe, expect, it } from 'vitest';
import { chunkToBatch, ProbeError } from '../src/index.js';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// Blocks as the probe writes them: EV_V2, cpu prefix, exit events with every parameter.
const open = encodeEventBlock(
  encodeEvent({
    type: 307,
    ts: 1_700_000_000_000_000_001n,
    tid: 42,
    params: [3, -100, '/etc/hosts', 1, 0, 64768, 1234n],
  }),
  { cpu: 1, blockType: ScapBlockType.EV_V2 },
);
const close = encodeEventBlock(
  encodeEvent({ type: 5, ts: 1_700_000_000_000_000_002n, tid: 42, params: [0, 3] }),
  {
    cpu: 0,
    blockType: ScapBlockType.EV_V2,
  },
);

describe('chunkToBatch', () => {
  it('indexes every block of a chunk as an event, numbering from firstNum', () => {
    const batch = chunkToBatch(concat([open, close]), 10);
    expect(batch.count).toBe(2);
    expect([...batch.problems.subarray(0, 2)]).toEqual([0, 0]);
    const ev = new ScapEvent().load(batch, 0);
    expect(ev.num).toBe(10);
    expect(ev.cpu).toBe(1);
    expect(ev.name).toBe('openat');
    expect(ev.param('name')).toBe('/etc/hosts');
    expect(ev.param('dirfd')).toBe(-100);
    ev.load(batch, 1);
    expect(ev.num).toBe(11);
    expect(ev.param('fd')).toBe(3);
  });

  it('rejects a block whose length runs past the chunk', () => {
    const cut = concat([open, close]).subarray(0, open.length + 20);
    expect(() => chunkToBatch(cut, 1)).toThrow(ProbeError);
    expect(() => chunkToBatch(cut, 1)).toThrow(/stray bytes|does not fit/);
  });

  it('gives an empty batch for an empty chunk', () => {
    expect(chunkToBatch(new Uint8Array(0), 1).count).toBe(0);
  });
});
