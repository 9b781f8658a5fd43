import { join } from 'node:path';
import { loadRules } from '@sysray/falco-rules';
import { readScap, ScapEvent, writeScap } from '@sysray/pcapng/scap';
import { definePlugin, loadPlugin, PLUGIN_EVENT_TYPE, PluginError } from '@sysray/plugin-api';
import { describe, expect, it } from 'vitest';
import { collect, plain } from './helpers/events.js';
import { scratch } from './helpers/native.js';

const counter = definePlugin<string>({
  name: 'counter',
  id: 999,
  eventSource: 'test',
  open: (params) =>
    Array.from({ length: Number(params || 3) }, (_, i) => ({ data: `tick ${i}`, ts: 1000 + i })),
  parse: (data) => Buffer.from(data).toString('utf8'),
  eventToString: (text) => `counter: ${text}`,
  fields: [
    { name: 'counter.text', type: 'string', extract: (t) => t },
    { name: 'counter.n', type: 'uint64', extract: (t) => Number(t.split(' ')[1]) },
    {
      name: 'counter.word',
      type: 'string',
      arg: { isRequired: true, isIndex: true },
      extract: (t, arg) => t.split(' ')[arg!.index!],
    },
  ],
  batchSize: 2,
});

describe('TypeScript plugins', () => {
  it('report the capabilities their definition implements, and only those', () => {
    expect(loadPlugin(counter).info.capabilities).toEqual({
      sourcing: true,
      extraction: true,
      parsing: false,
      async: false,
      metrics: false,
      captureListening: false,
    });
    const extractOnly = loadPlugin({
      name: 'x',
      fields: [{ name: 'x.a', type: 'string', extract: () => 'a' }],
    });
    expect(extractOnly.info.capabilities.sourcing).toBe(false);
    const sourceOnly = loadPlugin({ name: 's', id: 999, eventSource: 'test', open: () => [] });
    expect(sourceOnly.info.capabilities.extraction).toBe(false);
  });

  it('deliver events as batches of plugin events (type 322) carrying the plugin id', async () => {
    const p = loadPlugin(counter);
    await p.init();
    const batches = await collect(await p.open('5'));
    expect(batches.map((b) => b.count)).toEqual([2, 2, 1]);
    const ev = new ScapEvent().load(batches[0]!, 0);
    expect(ev.type).toBe(PLUGIN_EVENT_TYPE);
    expect(ev.num).toBe(1);
    expect(new ScapEvent().load(batches[2]!, 0).num).toBe(5);
    expect(plain(batches)).toEqual(
      [0, 1, 2, 3, 4].map((i) => ({ ts: BigInt(1000 + i), pluginId: 999, data: `tick ${i}` })),
    );
  });

  it('write to a scap file that reads back identical', async () => {
    const p = loadPlugin(counter);
    await p.init();
    const batches = await collect(await p.open('7'));
    const file = join(scratch, 'ts-counter.scap');
    const written = await writeScap(batches, file);
    expect(written.events).toBe(7);
    const back = await collect(readScap(file));
    expect(plain(back)).toEqual(plain(batches));
    // Fields extract from events read back from the file, too.
    const ev = new ScapEvent().load(back[0]!, 3);
    expect(p.extract(ev, 'counter.text')).toBe('tick 3');
    expect(p.extract(ev, 'counter.word', '0')).toBe('tick');
    expect(p.eventToString(ev)).toBe('counter: tick 3');
  });

  it('feed rules with source matching the plugin source', async () => {
    const p = loadPlugin(counter);
    await p.init();
    const yaml = `
- rule: odd tick
  desc: odd
  condition: counter.n in (1, 3) and counter.word[0] = tick
  output: odd %counter.text
  priority: INFO
  source: test
- rule: syscall rule
  desc: never sees plugin events
  condition: evt.type = open
  output: x
  priority: INFO
`;
    const r = loadRules([{ name: 'r.yaml', content: yaml }], { fieldSets: p.fieldSets() });
    expect(r.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    const hits: string[] = [];
    const ev = new ScapEvent();
    for (const b of await collect(await p.open('5')))
      for (let i = 0; i < b.count; i++) {
        const rule = r.ruleset!.evaluate(ev.load(b, i), { source: 'test' });
        if (rule) hits.push(rule.output.render(ev));
      }
    expect(hits).toEqual(['odd tick 1', 'odd tick 3']);
  });

  it('turn a throwing source into a NEXT_FAILED PluginError with the message as last error', async () => {
    const p = loadPlugin({
      name: 'broken',
      id: 999,
      eventSource: 'test',
      // biome-ignore lint/correctness/useYield: the source fails before its first event
      *open() {
        throw new Error('disk on fire');
      },
    });
    await p.init();
    const c = await p.open();
    const err = await c.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect(err).toMatchObject({ code: 'NEXT_FAILED', lastError: 'disk on fire', plugin: 'broken' });
  });

  it('refuse calls before init and calls a missing capability needs', async () => {
    const p = loadPlugin({ name: 'x', fields: [{ name: 'x.a', type: 'string', extract: () => 'a' }] });
    await expect(p.open()).rejects.toMatchObject({ code: 'BAD_STATE' });
    await p.init();
    await expect(p.open()).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(() => p.listOpenParams()).toThrow(/no sourcing capability/);
  });

  it('require an id and an event source from a source plugin', () => {
    expect(() => loadPlugin({ name: 'anon', open: () => [] })).toThrow(
      expect.objectContaining({ code: 'BAD_METADATA' }),
    );
  });

  it('validate the init config against the init schema before init runs', async () => {
    let seen: unknown;
    const def = definePlugin<Uint8Array, { rate: number }>({
      name: 'cfg',
      initSchema: {
        type: 'object',
        required: ['rate'],
        properties: { rate: { type: 'integer', minimum: 1 } },
      },
      init: (c) => {
        seen = c;
      },
      fields: [{ name: 'cfg.a', type: 'string', extract: () => 'a' }],
    });
    await expect(loadPlugin(def).init({ rate: 0 })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    await expect(loadPlugin(def).init('')).rejects.toThrow(/missing required property 'rate'/);
    await expect(loadPlugin(def).init('{not json')).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    expect(seen).toBeUndefined();
    await loadPlugin(def).init('{"rate": 5}');
    expect(seen).toEqual({ rate: 5 });
  });
});
