import { readScap, readScapSync, ScapEvent } from '@sysray/pcapng/scap';
import { describe, expect, test } from 'vitest';
import { capture, eventBlock } from './build.js';
import { captureFiles } from './helpers.js';

/** What the allocation-free accessors must agree with: the bytes read through a DataView over `rawParam`. */
function viaRaw(raw: Uint8Array, signed: boolean): number | bigint | undefined {
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (raw.length) {
    case 1:
      return signed ? v.getInt8(0) : v.getUint8(0);
    case 2:
      return signed ? v.getInt16(0, true) : v.getUint16(0, true);
    case 4:
      return signed ? v.getInt32(0, true) : v.getUint32(0, true);
    case 8:
      return signed ? v.getBigInt64(0, true) : v.getBigUint64(0, true);
    default:
      return undefined;
  }
}

/** A 64-bit value as `param()` hands it out: a number when exact, else a bigint. */
function narrowed(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

const openat = (fd: bigint, ino: bigint) => ({
  type: 307, // openat exit: fd (INT64), dirfd, name, flags, mode, dev, ino (UINT64)
  ts: 1n,
  tid: 1,
  params: [fd, -100, '/x', { value: 0, names: [] }, 0, 0, ino],
});

describe('ScapEvent integer accessors', () => {
  const edges = [
    0n,
    1n,
    -1n,
    2n ** 31n - 1n,
    -(2n ** 31n),
    2n ** 32n,
    -(2n ** 32n),
    2n ** 53n - 1n,
    -(2n ** 53n) + 1n,
  ];
  const bigs = [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];

  test.each([...edges, ...bigs].map((v) => [v.toString(), v] as const))(
    'paramI64 and paramInteger read the INT64 %s exactly as param() does',
    (_, value) => {
      const { batch } = readScapSync(capture(eventBlock(openat(value, 7n))));
      const ev = new ScapEvent().load(batch, 0);
      const got = ev.paramI64(0);
      expect(got).toEqual(ev.param(0));
      expect(BigInt(got as number | bigint)).toBe(value);
      if (edges.includes(value)) {
        expect(ev.paramInteger(0, true)).toBe(Number(value));
        expect(ev.paramI64AsNumber(0)).toBe(Number(value));
      }
    },
  );

  test.each(
    [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n].map(
      (v) => [v.toString(), v] as const,
    ),
  )('paramU64 reads the UINT64 %s exactly as param() does', (_, value) => {
    const { batch } = readScapSync(capture(eventBlock(openat(3n, value))));
    const ev = new ScapEvent().load(batch, 0);
    const got = ev.paramU64(6);
    expect(got).toEqual(ev.param(6));
    expect(BigInt(got as number | bigint)).toBe(value);
    if (value <= BigInt(Number.MAX_SAFE_INTEGER)) expect(ev.paramU64AsNumber(6)).toBe(Number(value));
  });

  test('absent parameters give -1 offsets and undefined values, without throwing', () => {
    const { batch } = readScapSync(capture(eventBlock(openat(3n, 9n))));
    const ev = new ScapEvent().load(batch, 0);
    for (const i of [-1, 7, 100, 1.5]) {
      expect(ev.paramOffset(i)).toBe(-1);
      expect(ev.paramSize(i)).toBe(-1);
      expect(ev.paramInteger(i, true)).toBeUndefined();
      expect(ev.paramI64(i)).toBeUndefined();
      expect(ev.paramU64(i)).toBeUndefined();
    }
    // A string parameter is not an 8-byte integer.
    expect(ev.paramI64(2)).toBeUndefined();
  });

  test('on every event of every capture, offsets, sizes and integers agree with rawParam()', async () => {
    let checked = 0;
    for (const file of captureFiles()) {
      const ev = new ScapEvent();
      for await (const batch of readScap(file)) {
        for (let e = 0; e < batch.count; e++) {
          ev.load(batch, e);
          if (ev.problem !== null) continue;
          for (let i = 0; i < ev.nparams; i++) {
            const raw = ev.rawParam(i);
            expect(ev.paramOffset(i)).toBe(raw.byteOffset - batch.bytes.byteOffset);
            expect(ev.paramSize(i)).toBe(raw.length);
            for (const signed of [true, false]) {
              const expected = viaRaw(raw, signed);
              const got = ev.paramInteger(i, signed);
              if (expected === undefined) expect(got).toBeUndefined();
              else expect(got).toBe(Number(expected));
            }
            if (raw.length === 8) {
              expect(BigInt(ev.paramI64(i) as number | bigint)).toBe(viaRaw(raw, true));
              expect(BigInt(ev.paramU64(i) as number | bigint)).toBe(viaRaw(raw, false));
              expect(ev.paramI64(i)).toEqual(narrowed(viaRaw(raw, true) as bigint));
            }
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(50_000);
  });
});
