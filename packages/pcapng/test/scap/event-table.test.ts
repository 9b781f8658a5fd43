import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  EF,
  EVENT_COUNT,
  EVENT_TABLE,
  EventBatch,
  encodeEvent,
  encodeEventBlock,
  eventInfo,
  eventTypesByName,
  flagNames,
  PT_NAMES,
  paramIndexOf,
  readScapSync,
  ScapEvent,
  scapSectionHeader,
} from '@sysray/pcapng/scap';
import { describe, expect, test } from 'vitest';
import { GENERATED_PATH, generateFromPackage } from '../../scripts/gen-event-table.js';
import { sample } from './build.js';

const pkgDir = fileURLToPath(new URL('../../', import.meta.url));

describe('event table', () => {
  test('the committed generated file is exactly what the generator makes from the data files', () => {
    const committed = readFileSync(`${pkgDir}${GENERATED_PATH}`, 'utf8');
    expect(generateFromPackage(pkgDir)).toBe(committed);
  });

  test('ids are contiguous and every row is consistent with the libs table rules', () => {
    const rows = readFileSync(`${pkgDir}data/event-table.tsv`, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(EVENT_TABLE.length).toBe(rows.length);
    expect(EVENT_COUNT).toBe(rows.length);
    for (const e of EVENT_TABLE) {
      expect(e.type).toBe(EVENT_TABLE.indexOf(e));
      expect(e.direction).toBe(e.type % 2 === 0 ? '>' : '<');
      expect(e.enumName.endsWith(e.direction === '>' ? '_E' : '_X')).toBe(true);
      expect(e.params.length).toBeLessThanOrEqual(32);
      for (const p of e.params) expect(PT_NAMES[p.type]).toBe(p.typeName);
      if (e.name === 'NA') expect(e.unused).toBe(true);
      expect(e.largePayload).toBe((e.flags & EF.LARGE_PAYLOAD) !== 0);
      // Every parameter name of a type is unique, so param(name) is unambiguous.
      expect(new Set(e.params.map((p) => p.name)).size).toBe(e.params.length);
      e.params.forEach((p, i) => {
        expect(paramIndexOf(e.type, p.name)).toBe(i);
      });
      for (const p of e.params)
        if (p.dirfdParam !== undefined) expect(p.dirfdParam).toBeLessThan(e.params.length);
    }
  });

  test('every event type id encodes with a value for each of its parameters and decodes back to them', () => {
    const parts: Uint8Array[] = [scapSectionHeader()];
    const expectations: unknown[][] = [];
    for (const e of EVENT_TABLE) {
      const values = e.params.map((p, i) => sample(p.type, i));
      parts.push(
        encodeEventBlock(
          encodeEvent({
            type: e.type,
            ts: 1_700_000_000_000_000_000n + BigInt(e.type),
            tid: e.type,
            params: values.map((v) => v.input),
          }),
          { cpu: e.type % 8 },
        ),
      );
      expectations.push(values.map((v) => v.expected));
    }
    const bytes = Buffer.concat(parts);
    const { batch } = readScapSync(new Uint8Array(bytes));
    expect(batch.count).toBe(EVENT_COUNT);
    const ev = new ScapEvent();
    for (let i = 0; i < batch.count; i++) {
      ev.load(batch, i);
      const info = eventInfo(i)!;
      expect(ev.problem).toBeNull();
      expect(ev.type).toBe(i);
      expect(ev.name).toBe(info.name);
      expect(ev.tid).toBe(i);
      expect(ev.cpu).toBe(i % 8);
      expect(ev.ts).toBe(1_700_000_000_000_000_000n + BigInt(i));
      expect(ev.nparams).toBe(info.params.length);
      expect(ev.blockType).toBe(info.largePayload ? 0x221 : 0x216);
      info.params.forEach((p, k) => {
        const got = ev.param(k);
        const want = expectations[i]![k];
        if (p.typeName.includes('FLAGS') || p.typeName === 'MODE') {
          expect((got as { value: number }).value).toBe(want);
        } else {
          expect(got).toEqual(want);
        }
        expect(ev.param(p.name)).toEqual(got);
      });
      expect(() => JSON.stringify(ev)).not.toThrow();
    }
  });

  test('names find every version of an event, enter and exit', () => {
    const openat = eventTypesByName('openat');
    expect(openat.length).toBeGreaterThanOrEqual(4);
    for (const t of openat) expect(EVENT_TABLE[t]!.name).toBe('openat');
    expect(eventTypesByName('no-such-event')).toEqual([]);
  });

  test('flag tables decompose bit flags and name enums exactly', () => {
    // O_RDWR is listed before O_WRONLY/O_RDONLY, so 3 names O_RDWR only.
    expect(flagNames('file_flags', 3 | 4096)).toEqual(['O_RDWR', 'O_CLOEXEC']);
    expect(flagNames('file_flags', 0)).toEqual(['O_NONE']);
    expect(flagNames('socket_families', 10, true)).toEqual(['AF_INET6']);
    expect(flagNames('futex_operations', 128 | 9, true)).toEqual(['FUTEX_PRIVATE_FLAG', 'FUTEX_WAIT_BITSET']);
    expect(flagNames('no_such_table', 7)).toEqual([]);
  });
});

describe('EventBatch capacity', () => {
  test('a batch grows past its initial capacity without losing events', () => {
    const parts: Uint8Array[] = [scapSectionHeader()];
    for (let i = 0; i < 100; i++)
      parts.push(encodeEventBlock(encodeEvent({ type: 7, ts: i, tid: 1, params: [i, Uint8Array.of(i)] })));
    const bytes = new Uint8Array(Buffer.concat(parts));
    const batch = new EventBatch(bytes, 0, 1, 1);
    let o = 28;
    while (o < bytes.length) {
      const len = new DataView(bytes.buffer).getUint32(o + 4, true);
      batch.addEventBlock(0x216, o + 8, len - 12, true);
      o += len;
    }
    expect(batch.count).toBe(100);
    const seen: unknown[] = [];
    for (const ev of batch) seen.push(ev.param('res'));
    expect(seen).toEqual([...Array(100).keys()]);
  });
});
