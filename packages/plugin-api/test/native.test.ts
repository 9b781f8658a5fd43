import { join } from 'node:path';
import { loadRules } from '@sysray/falco-rules';
import { decodePluginEvent, type EventBatch, readScap, ScapEvent, writeScap } from '@sysray/pcapng/scap';
import { HOST_API_VERSION, loadPlugin } from '@sysray/plugin-api';
import { describe, expect, it } from 'vitest';
import { collect, plain } from './helpers/events.js';
import { scratch, useTestPlugin } from './helpers/native.js';

const tp = useTestPlugin();

const started = (config: Record<string, unknown> = {}) => tp.started(config);

describe('the native host with the C test plugin', () => {
  it('reads the metadata, capabilities, fields and init schema', () => {
    const p = loadPlugin(tp.so);
    tp.track(p);
    expect(p.info).toMatchObject({
      kind: 'native',
      name: 'test',
      version: '0.1.0',
      description: 'sysray test source: counts events, extracts fields',
      contact: 'https://github.com/sysray/sysray',
      requiredApiVersion: '3.12.0',
      id: 999,
      eventSource: 'test',
      capabilities: {
        sourcing: true,
        extraction: true,
        parsing: true,
        async: true,
        metrics: true,
        captureListening: true,
      },
      broken: [],
    });
    expect(p.info.fields.map((f) => `${f.name}:${f.type}${f.isList ? '[]' : ''}`)).toEqual([
      'test.msg:string',
      'test.num:uint64',
      'test.even:bool',
      'test.word:string',
      'test.tags:string[]',
      'test.ip:ipaddr',
      'test.user:string',
    ]);
    expect(JSON.parse(p.info.initSchema!).properties.count.type).toBe('integer');
    expect(HOST_API_VERSION).toMatch(/^3\./);
  });

  it('lists the open params after init', async () => {
    const p = await started();
    expect(p.listOpenParams()).toEqual([
      { value: '', desc: 'as many events as the init config says' },
      { value: '3', desc: 'three events' },
    ]);
  });

  it('runs next_batch off the main thread and delivers every event with the plugin id', async () => {
    const p = await started({ count: 200, prefix: 'ev' });
    const c = await p.open();
    const batches = await collect(c);
    // One worker trip gathers several of the plugin's 64-event batches into one EventBatch (up to 16384
    // events or 5 ms).
    expect(batches.length).toBeLessThan(4);
    const events = plain(batches);
    expect(events).toHaveLength(200);
    expect(events[199]).toEqual({ ts: 1700000000000000000n + 199000n, pluginId: 999, data: 'ev 199' });
    const last = batches.at(-1)!;
    expect(new ScapEvent().load(last, last.count - 1).num).toBe(200);
    expect(c.events).toBe(200);
  });

  it('keeps the event loop running while a capture runs', async () => {
    const p = await started({ count: 300_000 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    let n = 0;
    for await (const b of await p.open()) n += b.count;
    clearInterval(timer);
    expect(n).toBe(300_000);
    expect(ticks).toBeGreaterThan(0);
  });

  it('writes the events to a scap file that reads back identical', async () => {
    const p = await started({ count: 100 });
    const batches = await collect(await p.open());
    const file = join(scratch, 'native.scap');
    await writeScap(batches, file);
    const back = await collect(readScap(file));
    expect(plain(back)).toEqual(plain(batches));
    const ev = new ScapEvent().load(back[0]!, 42);
    expect(p.extract(ev, 'test.msg')).toBe('msg 42');
  });

  it('extracts every field type, with arguments and lists', async () => {
    const p = await started();
    const [batch] = await collect(await p.open('10'));
    const ev = new ScapEvent().load(batch!, 7);
    expect(p.extract(ev, 'test.msg')).toBe('msg 7');
    expect(p.extract(ev, 'test.num')).toBe(7);
    expect(p.extract(ev, 'test.even')).toBe(false);
    expect(p.extract(ev, 'test.word', '1')).toBe('7');
    expect(p.extract(ev, 'test.word', '5')).toBeUndefined();
    expect(p.extract(ev, 'test.tags')).toEqual(['odd', 'small']);
    expect(p.extract(ev, 'test.ip')).toBe('10.0.0.7');
    expect(p.eventToString(ev)).toBe('test event #8: msg 7');
    expect(() => p.extract(ev, 'test.word')).toThrow(expect.objectContaining({ code: 'UNKNOWN_FIELD' }));
  });

  it('reports read progress from get_progress', async () => {
    const p = await started({ count: 40_000 });
    const c = await p.open();
    const n = (await c.next())!.count;
    expect(n).toBeGreaterThan(0);
    expect(c.progress()).toEqual({
      percent: Math.floor((n * 10000) / 40000) / 100,
      text: `${n}/40000 events, ${n / 64} calls`,
    });
  });

  it('reads ahead of the consumer but never calls next_batch again after EOF', async () => {
    const p = await started({ count: 40_000 }); // three trips: 16384, 16384, then 7232 and EOF
    const c = await p.open();
    let n = 0;
    for (let b = await c.next(); b !== null; b = await c.next()) {
      n += b.count;
      await new Promise((r) => setTimeout(r, 30)); // slower than the plugin: trips wait ready, EOF among them
    }
    expect(n).toBe(40_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.progress()?.text).toBe('40000/40000 events, 626 calls'); // 625 batches of 64 and 1 EOF
  });

  it('after a timeout, the next next_batch call waits for the next next()', async () => {
    const p = await started({ count: 100, mode: 'timeout' }); // odd calls time out
    const c = await p.open();
    expect((await c.next())?.count).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.progress()?.text).toBe('0/100 events, 1 calls');
  });

  it('retries after SS_PLUGIN_TIMEOUT without losing events', async () => {
    const p = await started({ count: 100, mode: 'timeout' });
    const c = await p.open('', { timeoutBackoffMs: 1 });
    const first = await c.next();
    expect(first?.count).toBe(0);
    let n = 0;
    for await (const b of c) n += b.count;
    expect(n).toBe(100);
  });

  it('fires rules with source test on the plugin fields', async () => {
    const p = await started({ count: 8 });
    const r = loadRules(
      [
        {
          name: 'r.yaml',
          content: `
- rule: six
  desc: d
  condition: test.even = true and test.num > 4 and test.ip = 10.0.0.6 and test.tags contains small
  output: got %test.msg via %evt.pluginname (%evt.plugininfo)
  priority: INFO
  source: test
`,
        },
      ],
      { fieldSets: p.fieldSets(), plugins: { test: '0.1.0' } },
    );
    expect(r.ok).toBe(true);
    const out: string[] = [];
    const ev = new ScapEvent();
    for (const b of await collect(await p.open()))
      for (let i = 0; i < b.count; i++) {
        const rule = r.ruleset!.evaluate(ev.load(b, i), { source: 'test' });
        if (rule) out.push(rule.output.render(ev));
      }
    expect(out).toEqual(['got msg 6 via test (test event #7: msg 6)']);
  });

  it('keeps batches intact and in order while trips run ahead of the consumer and buffers are recycled', async () => {
    const count = 200_000; // about 13 trips of 16384 events
    const p = await started({ count });
    const capture = await p.open();
    const kept: EventBatch[] = [];
    for await (const b of capture) {
      kept.push(b);
      if (kept.length % 3 === 0) await new Promise((r) => setTimeout(r, 5)); // a consumer slower than the plugin
    }
    expect(kept.length).toBeGreaterThan(3);
    // Every batch kept is checked after the capture ended: a buffer reused while reachable would show here.
    const ev = new ScapEvent();
    const wrong: string[] = [];
    let n = 0;
    for (const b of kept) {
      if (b.firstNum !== n + 1) wrong.push(`batch starting at ${n} numbered ${b.firstNum}`);
      for (let i = 0; i < b.count; i++, n++) {
        ev.load(b, i);
        const text = Buffer.from(decodePluginEvent(ev).data).toString();
        if (ev.ts !== 1_700_000_000_000_000_000n + BigInt(n) * 1000n || text !== `msg ${n}`)
          wrong.push(`event ${n}: ${ev.ts} ${text}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(n).toBe(count);
  });

  it('closes a capture that is destroyed mid-run without crashing', async () => {
    const p = loadPlugin(tp.so);
    await p.init({ count: 1_000_000 });
    const c = await p.open();
    const pending = c.next();
    p.destroy();
    const b = await pending;
    expect(b!.count % 64).toBe(0);
    expect(b!.count).toBeGreaterThan(0);
    expect(await c.next()).toBeNull();
  });
});
