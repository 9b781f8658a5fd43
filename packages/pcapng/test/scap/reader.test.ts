import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { readPcapngSync } from '@sysray/pcapng';
import {
  EventTypeCounter,
  eventTypeMask,
  eventTypesByName,
  formatEventLine,
  readScap,
  readScapSync,
  ScapBlockType,
  ScapEvent,
  type ScapSockTuple,
  ThreadNames,
} from '@sysray/pcapng/scap';
import { describe, expect, test } from 'vitest';
import { capture, eventBlock } from './build.js';
import { captureFiles, plainBytes, TESTDATA } from './helpers.js';

const CURL = `${TESTDATA}scap/curl_google.scap`;
const IPV6 = `${TESTDATA}scap/single_ipv6_conn.scap`;

async function streamed(
  source: Parameters<typeof readScap>[0],
): Promise<{ events: string[]; reader: ReturnType<typeof readScap> }> {
  const reader = readScap(source);
  const events: string[] = [];
  for await (const batch of reader) for (const ev of batch) events.push(JSON.stringify(ev));
  return { events, reader };
}

describe('reading real captures', () => {
  test('a gzip capture read streaming (path, Node stream, web stream, small chunks) equals the sync read', async () => {
    const plain = plainBytes(IPV6);
    const { batch } = readScapSync(plain);
    const expected = [...Array(batch.count).keys()].map((i) =>
      JSON.stringify(new ScapEvent().load(batch, i)),
    );
    expect((await streamed(IPV6)).events).toEqual(expected);
    expect((await streamed(createReadStream(IPV6, { highWaterMark: 1000 }))).events).toEqual(expected);
    expect(
      (await streamed(Readable.toWeb(createReadStream(IPV6)) as ReadableStream<Uint8Array>)).events,
    ).toEqual(expected);
    const gz = new Uint8Array(readFileSync(IPV6));
    const chunks: Uint8Array[] = [];
    for (let o = 0; o < gz.length; o += 333) chunks.push(gz.subarray(o, o + 333));
    expect((await streamed(chunks)).events).toEqual(expected);
  });

  test('legacy v1.0 capture (curl_google): events without nparams read, with the right parameter counts', () => {
    const { batch, info } = readScapSync(plainBytes(CURL));
    const ev = new ScapEvent();
    let opens = 0;
    for (let i = 0; i < batch.count; i++) {
      ev.load(batch, i);
      expect(ev.blockType).toBe(ScapBlockType.EV);
      expect(ev.headerLength).toBe(22);
      expect(ev.problem).toBeNull();
      expect(ev.nparams).toBeLessThanOrEqual(ev.info!.params.length);
      // Every parameter decodes.
      for (let k = 0; k < ev.nparams; k++) ev.param(k);
      if (ev.name === 'open' && ev.direction === '<') {
        opens++;
        expect(typeof ev.param('name')).toBe('string');
        expect(typeof ev.param('fd')).toBe('number');
      }
    }
    expect(opens).toBeGreaterThan(0);
    // The process list names the threads the events come from.
    const tids = new Set<number>();
    for (let i = 0; i < batch.count; i++) tids.add(ev.load(batch, i).tid);
    const known = [...tids].filter((t) => info.threads.has(t));
    expect(known.length).toBeGreaterThan(tids.size / 2);
    expect(info.machineInfo?.numCpus).toBeGreaterThan(0);
    expect(info.interfaces.some((i) => i.addr === '127.0.0.1')).toBe(true);
    expect(info.users.some((u) => u.uid === 0 && u.name === 'root')).toBe(true);
  });

  test('v1.2 capture with an IPv6 connection: connect tuples decode as inet6 and match fd-list sockets', () => {
    const { batch, info } = readScapSync(plainBytes(IPV6));
    const ev = new ScapEvent();
    const tuples: ScapSockTuple[] = [];
    for (let i = 0; i < batch.count; i++) {
      ev.load(batch, i);
      if (ev.name === 'connect' && ev.direction === '<') {
        const t = ev.param('tuple');
        if (t && typeof t === 'object' && 'family' in t) tuples.push(t as ScapSockTuple);
      }
    }
    const v6 = tuples.filter((t) => t.family === 'inet6');
    expect(v6.length).toBeGreaterThan(0);
    for (const t of v6) if (t.family === 'inet6') expect(t.dip).toMatch(/:/);
    expect(info.interfaces.some((i) => i.family === 'ipv6')).toBe(true);
    expect(batch.blockTypes[0]).toBe(ScapBlockType.EV_V2);
  });

  test("every shared capture: each event of the core reader's event blocks is read, none flagged", () => {
    for (const file of captureFiles()) {
      const plain = plainBytes(file);
      const blocks = [...readPcapngSync(plain)].filter((b) => b.type === 'UNKNOWN');
      const { batch } = readScapSync(plain);
      const evBlocks = blocks.filter(
        (b) => b.type === 'UNKNOWN' && [0x204, 0x216, 0x221, 0x208, 0x217, 0x222].includes(b.blockType),
      );
      expect(batch.count).toBe(evBlocks.length);
      expect([...batch.problems.subarray(0, batch.count)].every((p) => p === 0)).toBe(true);
    }
  });
});

describe('CLI helpers', () => {
  test('formatEventLine prints num, time, cpu, process, tid, direction, type and args like sysdig -r', () => {
    const bytes = capture(
      eventBlock(
        {
          type: 306,
          ts: 1_700_000_000_000_000_123n,
          tid: 42,
          params: [-100, 'a.txt', { value: 65, names: [] }, 0o644],
        },
        { cpu: 3 },
      ),
    );
    const { batch } = readScapSync(bytes);
    const ev = new ScapEvent().load(batch, 0);
    const line = formatEventLine(ev, 7, new Map([[42, 'bash']]));
    expect(line).toBe(
      '7 22:13:20.000000123 3 bash (42) > openat dirfd=-100(AT_FDCWD) name=a.txt flags=65(O_NONBLOCK|O_RDONLY) mode=0644',
    );
    expect(formatEventLine(ev)).toMatch(/^1 22:13:20\.000000123 3 <NA> \(42\) > openat /);
  });

  test('ThreadNames learns names from the process list, clone children and execve', () => {
    const execve = eventTypesByName('execve').at(-1)!;
    const clone = eventTypesByName('clone').at(-1)!;
    const params = (n: number, over: Record<number, unknown>) =>
      [...Array(n).keys()].map((i) => (over[i] ?? null) as never);
    const bytes = capture(
      eventBlock({ type: clone, ts: 1, tid: 10, params: params(21, { 0: 0, 13: 'child' }) }),
      eventBlock({ type: execve, ts: 2, tid: 11, params: params(28, { 0: 0, 13: 'ls' }) }),
      eventBlock({ type: execve, ts: 3, tid: 12, params: params(28, { 0: -2, 13: 'nope' }) }),
    );
    const { batch } = readScapSync(bytes);
    const names = new ThreadNames();
    names.seed({ threads: new Map([[12, { comm: 'sh' } as never]]) });
    for (const ev of batch) names.update(ev);
    expect(names.get(10)).toBe('child');
    expect(names.get(11)).toBe('ls');
    expect(names.get(12)).toBe('sh');
  });

  test('EventTypeCounter counts by type and by name what walking the events finds', () => {
    const counter = new EventTypeCounter();
    const byName = new Map<string, number>();
    for (const file of captureFiles().slice(0, 3)) {
      const { batch } = readScapSync(plainBytes(file));
      counter.add(batch);
      for (const ev of batch) byName.set(ev.name, (byName.get(ev.name) ?? 0) + 1);
    }
    const got = counter.byName();
    expect(new Map(got.map((r) => [r.name, r.count]))).toEqual(byName);
    expect(counter.total).toBe([...byName.values()].reduce((a, b) => a + b, 0));
    for (let i = 1; i < got.length; i++) expect(got[i - 1]!.count).toBeGreaterThanOrEqual(got[i]!.count);
    expect(counter.byType().reduce((a, r) => a + r.count, 0)).toBe(counter.total);
  });

  test('eventTypeMask selects every version of the named events and reports unknown names', () => {
    const { mask, unknown } = eventTypeMask(['openat', ' close', 'nosuch', '']);
    expect(unknown).toEqual(['nosuch']);
    const { batch } = readScapSync(plainBytes(`${TESTDATA}sysflow-pairs/rename_rename.scap`));
    let selected = 0;
    let expected = 0;
    for (const ev of batch) {
      if (mask[ev.type] === 1) selected++;
      if (ev.name === 'openat' || ev.name === 'close') expected++;
    }
    expect(expected).toBeGreaterThan(0);
    expect(selected).toBe(expected);
  });
});
