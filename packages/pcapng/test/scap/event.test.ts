import { PcapngError } from '@sysray/pcapng';
import {
  decodeAsyncEvent,
  decodePluginEvent,
  EventProblem,
  encodeAsyncEvent,
  encodeEvent,
  encodeEventBlock,
  encodePluginEvent,
  encodeRawBlock,
  readScap,
  readScapSync,
  ScapBlockType,
  ScapEvent,
} from '@sysray/pcapng/scap';
import { describe, expect, test } from 'vitest';
import { capture, eventBlock, poke16, poke32 } from './build.js';

const SHB = 28;
const open = (fd: number) => ({
  type: 307, // openat exit, version 2
  ts: 1_600_000_000_123_456_789n,
  tid: 4321,
  params: [fd, -100, '/etc/passwd', { value: 1 | 4096, names: [] }, 0, 0x803, 1234],
});

function only(bytes: Uint8Array, options = {}): ScapEvent {
  const { batch } = readScapSync(bytes, options);
  expect(batch.count).toBe(1);
  return new ScapEvent().load(batch, 0);
}

describe('ScapEvent', () => {
  test('header fields, typed params by index and by name, raw params and JSON', () => {
    const ev = only(capture(eventBlock(open(3), { cpu: 5 })));
    expect(ev.ts).toBe(1_600_000_000_123_456_789n);
    expect(ev.tid).toBe(4321);
    expect(ev.cpu).toBe(5);
    expect(ev.type).toBe(307);
    expect(ev.name).toBe('openat');
    expect(ev.direction).toBe('<');
    expect(ev.nparams).toBe(7);
    expect(ev.num).toBe(1);
    expect(ev.fileOffset).toBe(SHB + 8 + 2);
    expect(ev.param('fd')).toBe(3);
    expect(ev.param(1)).toBe(-100);
    expect(ev.param('name')).toBe('/etc/passwd');
    expect(ev.param('flags')).toEqual({ value: 4097, names: ['O_RDONLY', 'O_CLOEXEC'] });
    expect(ev.param('nope')).toBeUndefined();
    expect(ev.rawParam(2)).toEqual(new TextEncoder().encode('/etc/passwd\0'));
    expect(ev.paramLength(0)).toBe(8);
    const json = JSON.parse(JSON.stringify(ev));
    expect(json).toEqual({
      num: 1,
      ts: '1600000000123456789',
      cpu: 5,
      tid: 4321,
      type: 'openat',
      dir: '<',
      params: {
        fd: 3,
        dirfd: -100,
        name: '/etc/passwd',
        flags: { value: 4097, names: ['O_RDONLY', 'O_CLOEXEC'] },
        mode: 0,
        dev: 0x803,
        ino: 1234,
      },
    });
    expect(ev.argsText()).toBe(
      'fd=3 dirfd=-100(AT_FDCWD) name=/etc/passwd flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=803 ino=1234',
    );
  });

  test('byte buffers are hex in JSON; tid -1 and 64-bit values survive', () => {
    const ev = only(
      capture(eventBlock({ type: 7, ts: 1, tid: -1, params: [5, Uint8Array.of(0xde, 0xad, 0x00)] })),
    );
    expect(ev.tid).toBe(-1);
    expect(ev.toJSON().params).toEqual({ res: 5, data: 'dead00' });
  });

  test('legacy event headers without nparams get their parameter count inferred from the lengths', () => {
    const spec = { type: 3, ts: 9, tid: 1, params: [4, '/a', { value: 1, names: [] }, 0, 0] };
    const ev = only(
      capture(
        encodeEventBlock(encodeEvent({ ...spec, legacyHeader: true }), { blockType: ScapBlockType.EV }),
      ),
    );
    expect(ev.headerLength).toBe(22);
    expect(ev.nparams).toBe(5); // open exit has 6 params now; this old event wrote 5
    expect(ev.param('name')).toBe('/a');
    expect(ev.param('ino')).toBeUndefined();
    expect(ev.problem).toBeNull();
  });

  test('EVF blocks carry dump flags; large-payload events use 32-bit lengths and EV_V2_LARGE blocks', () => {
    const big = new Uint8Array(70000).fill(7);
    const { batch } = readScapSync(
      capture(
        eventBlock({ type: 6, ts: 1, tid: 2, params: [3, 10] }, { dumpFlags: 0x10 }),
        encodeEventBlock(encodePluginEvent({ ts: 2, pluginId: 999, data: big })),
      ),
    );
    const ev = new ScapEvent().load(batch, 0);
    expect(ev.blockType).toBe(ScapBlockType.EVF_V2);
    expect(ev.dumpFlags).toBe(0x10);
    ev.load(batch, 1);
    expect(ev.blockType).toBe(ScapBlockType.EV_V2_LARGE);
    expect(ev.largePayload).toBe(true);
    expect(decodePluginEvent(ev)).toEqual({ pluginId: 999, data: big });
    expect(ev.tid).toBe(-1);
  });

  test('plugin (322) and async (402) events encode and decode', () => {
    const { batch } = readScapSync(
      capture(
        encodeEventBlock(encodePluginEvent({ ts: 5, tid: 77, pluginId: 3, data: Uint8Array.of(1, 2) })),
        encodeEventBlock(
          encodeAsyncEvent({ ts: 6, pluginId: 4, name: 'container', data: new TextEncoder().encode('{}') }),
        ),
      ),
    );
    const ev = new ScapEvent().load(batch, 0);
    expect(ev.name).toBe('pluginevent');
    expect(decodePluginEvent(ev)).toEqual({ pluginId: 3, data: Uint8Array.of(1, 2) });
    ev.load(batch, 1);
    expect(ev.name).toBe('asyncevent');
    expect(decodeAsyncEvent(ev)).toEqual({
      pluginId: 4,
      name: 'container',
      data: new TextEncoder().encode('{}'),
    });
    expect(() => decodePluginEvent(ev)).toThrow(PcapngError);
  });

  test('non-event blocks between events are kept in order (events and packets share one file)', () => {
    const idb = encodeRawBlock(1, Uint8Array.of(1, 0, 0, 0, 0, 0, 4, 0));
    const epb = encodeRawBlock(
      6,
      new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 4]),
    );
    const { batch, info } = readScapSync(capture(idb, eventBlock(open(1)), epb, eventBlock(open(2))));
    expect(batch.count).toBe(2);
    expect(batch.others.map((o) => o.blockType)).toEqual([0x0a0d0d0a, 1, 6]);
    expect([...batch.order.subarray(0, batch.orderCount)]).toEqual([-1, -2, 0, -3, 1]);
    expect(info.otherBlocks).toBe(2);
  });
});

describe('bad input', () => {
  test('parameters past the event end flag the event; leading parameters stay readable; strict mode throws', () => {
    const block = eventBlock(open(3));
    poke16(block, 8 + 2 + 26 + 4, 60000); // length of param 2 (name)
    const bytes = capture(block);
    const ev = only(bytes);
    expect(ev.problem).toMatch(/past the end/);
    expect(ev.param(0)).toBe(3);
    expect(() => ev.param(2)).toThrow(PcapngError);
    expect(ev.error()?.offset).toBe(SHB + 10);
    expect(() => JSON.stringify(ev)).not.toThrow();
    let err: unknown;
    try {
      readScapSync(bytes, { strict: true });
    } catch (e) {
      err = e;
    }
    expect((err as PcapngError).code).toBe('SCAP_BAD_EVENT');
    expect((err as PcapngError).offset).toBe(SHB + 10);
  });

  test('unknown types are flagged but keep raw params; nparams beyond the type is flagged', () => {
    const unknown = eventBlock({ type: 60000, ts: 1, tid: 1, params: [Uint8Array.of(1, 2, 3)] });
    const ev = only(capture(unknown));
    expect(ev.name).toBe('unknown');
    expect(ev.problem).toMatch(/unknown event type/);
    expect(ev.rawParam(0)).toEqual(Uint8Array.of(1, 2, 3));
    const many = eventBlock({ type: 5, ts: 1, tid: 1, params: [0] });
    poke32(many, 8 + 2 + 22, 3);
    const ev2 = only(capture(many));
    expect(ev2.problem).toMatch(/more parameters/);
    const { batch } = readScapSync(capture(many));
    expect(batch.problems[0]).toBe(EventProblem.TOO_MANY_PARAMS);
  });

  test('an event length beyond its block and one shorter than its header are flagged', () => {
    const long = poke32(eventBlock(open(3)), 8 + 2 + 16, 5000);
    expect(only(capture(long)).problem).toMatch(/past the end of its block/);
    const short = poke32(eventBlock(open(3)), 8 + 2 + 16, 10);
    expect(only(capture(short)).problem).toMatch(/shorter than its header/);
  });

  test('an event block too short for an event header is a SCAP_BAD_BLOCK error at the block', () => {
    const tiny = encodeRawBlock(ScapBlockType.EV_V2, new Uint8Array(12));
    let err: unknown;
    try {
      readScapSync(capture(eventBlock(open(1)), tiny));
    } catch (e) {
      err = e;
    }
    expect((err as PcapngError).code).toBe('SCAP_BAD_BLOCK');
    const firstBlockLen = eventBlock(open(1)).length;
    expect((err as PcapngError).offset).toBe(SHB + firstBlockLen);
  });

  test('a truncated capture is a TRUNCATED error; events before the cut are delivered first', async () => {
    const bytes = capture(eventBlock(open(1)), eventBlock(open(2)));
    const cut = bytes.subarray(0, bytes.length - 5);
    expect(() => readScapSync(cut)).toThrow(/truncated/);
    const seen: number[] = [];
    let err: unknown;
    try {
      for await (const b of readScap([cut])) for (const ev of b) seen.push(ev.param('fd') as number);
    } catch (e) {
      err = e;
    }
    expect(seen).toEqual([1]);
    expect((err as PcapngError).code).toBe('TRUNCATED');
    expect((err as PcapngError).offset).toBe(SHB + eventBlock(open(1)).length);
  });

  test('a process list entry overrunning its block is a SCAP_BAD_BLOCK error with the block index', () => {
    const body = new Uint8Array(40);
    poke32(body, 0, 400); // PL v9 entry length larger than the block
    let err: unknown;
    try {
      readScapSync(capture(encodeRawBlock(ScapBlockType.PL_V9, body)));
    } catch (e) {
      err = e;
    }
    expect((err as PcapngError).code).toBe('SCAP_BAD_BLOCK');
    expect((err as PcapngError).blockIndex).toBe(1);
    expect((err as PcapngError).offset).toBe(SHB + 8);
  });
});
