import { PcapngError } from '@sysray/pcapng';
import {
  formatEventLine,
  readScap,
  readScapSync,
  ScapEvent,
  ThreadNames,
  writeScapSync,
} from '@sysray/pcapng/scap';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { captureFiles, plainBytes } from './helpers.js';

/** Small captures cut from the shared ones: the section header plus a run of consecutive blocks. */
function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const file of captureFiles()) {
    const bytes = plainBytes(file);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const shbLen = dv.getUint32(4, true);
    const starts: number[] = [];
    for (let o = shbLen; o + 12 <= bytes.length; o += dv.getUint32(o + 4, true)) starts.push(o);
    starts.push(bytes.length);
    // Each metadata block alone, and runs of 6 blocks every 97 blocks (events of every kind).
    for (let i = 0; i + 1 < starts.length; i += i < 8 ? 1 : 97) {
      const end = starts[Math.min(i + (i < 8 ? 1 : 6), starts.length - 1)]!;
      if (end - starts[i]! > 48 * 1024) continue;
      out.push(new Uint8Array(Buffer.concat([bytes.subarray(0, shbLen), bytes.subarray(starts[i]!, end)])));
    }
  }
  return out;
}

/** Reads, decodes every parameter, renders and rewrites: everything a consumer may do with a capture. */
function exercise(bytes: Uint8Array): void {
  const { batch, info } = readScapSync(bytes);
  const names = new ThreadNames();
  names.seed(info);
  const ev = new ScapEvent();
  for (let i = 0; i < batch.count; i++) {
    ev.load(batch, i);
    names.update(ev);
    JSON.stringify(ev);
    formatEventLine(ev, ev.num, names.get);
    for (let k = 0; k < ev.nparams; k++) {
      try {
        ev.param(k);
      } catch (e) {
        if (!(e instanceof PcapngError)) throw e;
      }
    }
  }
  writeScapSync([batch], 'encode');
}

function expectOnlyPcapngErrors(run: () => void): boolean {
  try {
    run();
  } catch (e) {
    if (!(e instanceof PcapngError)) throw e;
  }
  return true;
}

describe('fuzz', () => {
  const seeds = corpus();

  test('the corpus is non-trivial and every unmutated sample reads cleanly', () => {
    expect(seeds.length).toBeGreaterThan(50);
    for (const s of seeds) exercise(s);
  });

  test('40,000 byte mutations of sample captures: no hang, nothing thrown but PcapngError', () => {
    const mutation = fc.record({
      pick: fc.nat(),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      cut: fc.option(fc.nat(), { freq: 4 }),
    });
    fc.assert(
      fc.property(mutation, ({ pick, edits, cut }) => {
        const seed = seeds[pick % seeds.length]!;
        const bytes = seed.slice();
        for (const [pos, value] of edits) bytes[28 + (pos % Math.max(1, bytes.length - 28))] = value;
        const input = cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
        return expectOnlyPcapngErrors(() => exercise(input));
      }),
      { seed: 20260423, numRuns: 40_000 },
    );
  });

  test('mutated lengths of blocks, events and parameters (the fields that steer parsing)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 0xffffffff }), (pick, where, value) => {
        const seed = seeds[pick % seeds.length]!;
        const bytes = seed.slice();
        const dv = new DataView(bytes.buffer);
        // Overwrite a 16- or 32-bit little-endian word at an even offset past the section header.
        const at = 28 + ((where % Math.max(1, bytes.length - 32)) & ~1);
        if (where & 1) dv.setUint16(at, value & 0xffff, true);
        else if (at + 4 <= bytes.length) dv.setUint32(at, value, true);
        return expectOnlyPcapngErrors(() => exercise(bytes));
      }),
      { seed: 7, numRuns: 20_000 },
    );
  });

  test('streaming reads of mutated captures in random chunks fail only with PcapngError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 4096 }), async (pick, pos, chunk) => {
        const bytes = seeds[pick % seeds.length]!.slice();
        const at = 28 + (pos % Math.max(1, bytes.length - 28));
        bytes[at] = (bytes[at] ?? 0) ^ 0xff;
        const chunks: Uint8Array[] = [];
        for (let o = 0; o < bytes.length; o += chunk) chunks.push(bytes.subarray(o, o + chunk));
        try {
          for await (const batch of readScap(chunks)) for (const ev of batch) JSON.stringify(ev);
        } catch (e) {
          if (!(e instanceof PcapngError)) throw e;
        }
        return true;
      }),
      { seed: 99, numRuns: 2_000 },
    );
  });
});
