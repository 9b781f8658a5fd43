import { decodeAsyncEvent, type EventBatch, ScapEvent } from '@sysray/pcapng/scap';
import {
  defineTable,
  HOST_API_VERSION,
  HOST_EVENT_SCHEMA_VERSION,
  loadAddon,
  loadPlugin,
  type Plugin,
  type PluginMetric,
  runRulesOnPlugin,
} from '@sysray/plugin-api';
import { describe, expect, it } from 'vitest';
import { collect } from './helpers/events.js';
import { testPlugin, useTestPlugin } from './helpers/native.js';

const tp = useTestPlugin();

const started = (config: Record<string, unknown> = {}, path?: string) => tp.started(config, path);

function metric(p: Plugin, name: string): PluginMetric['value'] | undefined {
  return p.metrics().find((m) => m.name === name)?.value;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('plugin API 3.12 in the native host', () => {
  it('declares 3.12.0 (addon and TypeScript agree) and loads a plugin that requires it', () => {
    expect(HOST_API_VERSION).toBe('3.12.0');
    expect(loadAddon().apiVersion).toBe(HOST_API_VERSION);
    expect(loadAddon().eventSchemaVersion).toBe(HOST_EVENT_SCHEMA_VERSION);
    const p = loadPlugin(tp.so);
    tp.track(p);
    expect(p.info.requiredApiVersion).toBe('3.12.0');
  });

  it('refuses a plugin that requires 3.13.0 with API_VERSION, as Falco does', () => {
    let err: unknown;
    try {
      tp.track(loadPlugin(testPlugin('api313')));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'API_VERSION',
      message: expect.stringContaining("framework's minor is less than the requested one"),
    });
  });

  it('get_metrics: typed values (64-bit counters as bigint), monotonic and not', async () => {
    const p = await started({ count: 5 });
    expect(p.info.capabilities.metrics).toBe(true);
    expect(metric(p, 'test.events')).toBe(0n);
    await collect(await p.open());
    const ms = p.metrics();
    expect(ms.find((m) => m.name === 'test.events')).toEqual({
      name: 'test.events',
      type: 'monotonic',
      valueType: 'u64',
      value: 5n,
    });
    expect(ms.find((m) => m.name === 'test.open_captures')).toEqual({
      name: 'test.open_captures',
      type: 'non-monotonic',
      valueType: 's32',
      value: 0,
    });
    expect(ms.find((m) => m.name === 'test.parsed_ratio')).toMatchObject({ valueType: 'double', value: 0 });
  });

  it('a metric with an unknown value type is BAD_METADATA, naming the metric', async () => {
    const p = await started({ mode: 'badmetrics' });
    expect(() => p.metrics()).toThrow(
      expect.objectContaining({
        code: 'BAD_METADATA',
        message: expect.stringContaining("'test.routine_calls'"),
      }),
    );
  });

  it('metrics are NOT_SUPPORTED for a TypeScript plugin and BAD_STATE before init', async () => {
    const ts = loadPlugin({
      name: 'plain',
      fields: [{ name: 'plain.x', type: 'string', extract: () => 'x' }],
    });
    await ts.init();
    expect(() => ts.metrics()).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }));
    const p = loadPlugin(tp.so);
    tp.track(p);
    expect(() => p.metrics()).toThrow(expect.objectContaining({ code: 'BAD_STATE' }));
  });

  it('capture_open after open and capture_close before close, once per capture', async () => {
    const p = await started({ count: 3 });
    const capture = await p.open();
    expect(metric(p, 'test.capture_opens')).toBe(1);
    expect(metric(p, 'test.open_captures')).toBe(1);
    expect(metric(p, 'test.capture_closes')).toBe(0);
    expect(metric(p, 'test.instances_at_capture_open')).toBe(1); // plugin_open came first
    await collect(capture); // ends at EOF and closes
    expect(metric(p, 'test.capture_closes')).toBe(1);
    expect(metric(p, 'test.instances_at_capture_close')).toBe(1); // plugin_close comes after
    await capture.close(); // idempotent: no second capture_close
    const watcher = await started();
    await p.open('2', { listeners: [p, watcher] });
    expect(metric(p, 'test.capture_opens')).toBe(2);
    expect(metric(watcher, 'test.capture_opens')).toBe(1);
    p.destroy(); // closes its open capture: the listeners hear capture_close, then the plugin is destroyed
    tp.forget(p);
    expect(metric(watcher, 'test.capture_closes')).toBe(1);
  });

  it('the listen input carries the table reader vtable: capture_open iterates a table', async () => {
    const users = defineTable({ name: 'api312.users', key: 'uint64', fields: { name: 'string' } });
    users.set(0, { name: 'root' });
    users.set(1, { name: 'daemon' });
    users.set(7, { name: 'sync' });
    const p = await started({ count: 1, readTable: 'api312.users' });
    await collect(await p.open());
    expect(metric(p, 'test.table_entries_at_open')).toBe(3n);
  });

  it('a failing capture_open fails open() with LISTEN_FAILED and closes the capture', async () => {
    const p = await started({ mode: 'listenfail' });
    await expect(p.open()).rejects.toMatchObject({
      code: 'LISTEN_FAILED',
      lastError: 'capture_open refused by mode listenfail',
    });
  });

  it('listeners: every plugin of a run hears the source capture open and close', async () => {
    const source = await started({ count: 2 });
    const other = await started({ count: 0 });
    const capture = await source.open('', { listeners: [source, other] });
    expect(metric(other, 'test.capture_opens')).toBe(1);
    await capture.close();
    expect(metric(other, 'test.capture_closes')).toBe(1);
    const alerts = await collect(
      runRulesOnPlugin({
        plugins: [source, other],
        rules: [
          {
            name: 'any.yaml',
            content:
              '- rule: any\n  desc: d\n  condition: test.num >= 0\n  output: n=%test.num\n  priority: INFO\n  source: test\n',
          },
        ],
      }),
    );
    expect(alerts).toHaveLength(2);
    expect(metric(other, 'test.capture_opens')).toBe(2);
    expect(metric(other, 'test.capture_closes')).toBe(2);
  });

  it('routines run on their own thread during the capture and stop at capture_close (host-stopped)', async () => {
    const p = await started({ count: 1, routine: true });
    const capture = await p.open();
    await sleep(30);
    const during = metric(p, 'test.routine_calls') as bigint;
    expect(during).toBeGreaterThan(0n);
    await capture.close();
    const after = metric(p, 'test.routine_calls') as bigint;
    await sleep(20);
    expect(metric(p, 'test.routine_calls')).toBe(after);
  });

  it('routines the plugin unsubscribes itself in capture_close stop too', async () => {
    const p = await started({ count: 1, routine: true, unsubscribe: true });
    const capture = await p.open();
    await sleep(20);
    expect(metric(p, 'test.routine_calls') as bigint).toBeGreaterThan(0n);
    await capture.close();
    const after = metric(p, 'test.routine_calls');
    await sleep(20);
    expect(metric(p, 'test.routine_calls')).toBe(after);
  });

  it('extraction still works with the 3.12 extraction input (value offsets not asked)', async () => {
    const p = await started({ count: 2 });
    const ev = new ScapEvent();
    const [batch] = await collect(await p.open());
    expect(p.extract(ev.load(batch!, 1), 'test.num')).toBe(1);
  });
});

describe('event schema version (get_required_event_schema_version)', () => {
  it('does not apply to a plugin that only sees its own plugin events', async () => {
    const p = await started({ eventSchema: '9.0.0' });
    expect(p.info.requiredEventSchemaVersion).toBeUndefined(); // answers only from its state
  });

  it('a plugin extracting from syscall events may require the host schema or less', async () => {
    await started({ eventSchema: HOST_EVENT_SCHEMA_VERSION }, testPlugin('syscall'));
    await started({}, testPlugin('syscall')); // no version: 3.0.0
  });

  it('refuses a plugin extracting from syscall events that requires a newer minor or another major', async () => {
    const lib = testPlugin('syscall');
    for (const v of ['3.1.0', '4.0.0', '2.0.0']) {
      const p = loadPlugin(lib);
      tp.track(p);
      await expect(p.init({ eventSchema: v })).rejects.toMatchObject({
        code: 'SCHEMA_VERSION',
        message: expect.stringContaining(`'${v}'`),
      });
      expect(() => p.metrics()).toThrow(expect.objectContaining({ code: 'BAD_STATE' }));
    }
    const bad = loadPlugin(lib);
    tp.track(bad);
    await expect(bad.init({ eventSchema: 'three' })).rejects.toMatchObject({ code: 'SCHEMA_VERSION' });
  });
});

describe('async events (set_async_event_handler, dump_state)', () => {
  function asyncOf(batch: EventBatch): { pluginId: number; name: string; data: string; ts: bigint }[] {
    const ev = new ScapEvent();
    const out = [];
    for (let i = 0; i < batch.count; i++) {
      ev.load(batch, i);
      expect(ev.type).toBe(402);
      const a = decodeAsyncEvent(ev);
      out.push({ pluginId: a.pluginId, name: a.name, data: Buffer.from(a.data).toString(), ts: ev.ts });
    }
    return out;
  }

  it('reports the capability with the event names and sources', () => {
    const p = loadPlugin(tp.so);
    tp.track(p);
    expect(p.info.capabilities.async).toBe(true);
    expect(p.info.asyncEvents).toEqual(['test.tick', 'test.state']);
    expect(p.info.asyncEventSources).toEqual(['test']);
    expect(p.info.dumpsState).toBe(true);
  });

  it('events sent from a plugin thread arrive as scap async events (402) with the plugin id set', async () => {
    const p = await started({ asyncCount: 5 });
    const stream = p.asyncEvents();
    const got: ReturnType<typeof asyncOf> = [];
    for await (const batch of stream) {
      got.push(...asyncOf(batch));
      if (got.length >= 5) break; // leaving the loop resets the handler
    }
    expect(got.map((e) => e.data)).toEqual(['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4']);
    expect(got.every((e) => e.pluginId === 999 && e.name === 'test.tick')).toBe(true);
    expect(got[2]!.ts).toBe(1700000000000000002n);
    expect(stream.events).toBe(5);
    expect(metric(p, 'test.async_sent')).toBe(5n);
    expect(() => p.asyncEvents().close()).not.toThrow(); // a new stream after the first one closed
  });

  it('refuses an event whose name the plugin does not list: the plugin sees its handler call fail', async () => {
    const p = await started({ asyncCount: 1, mode: 'asyncbad' });
    const stream = p.asyncEvents();
    const batch = await stream.next();
    await stream.close();
    expect(asyncOf(batch!).map((e) => e.name)).toEqual(['test.tick']);
    expect(metric(p, 'test.async_rejected')).toBe(1n);
  });

  it('one stream at a time; NOT_SUPPORTED for plugins without the capability', async () => {
    const p = await started({ asyncCount: 0 });
    const stream = p.asyncEvents();
    expect(() => p.asyncEvents()).toThrow(expect.objectContaining({ code: 'BAD_STATE' }));
    await stream.close();
    expect(await stream.next()).toBeNull();
    const ts = loadPlugin({
      name: 'plain2',
      fields: [{ name: 'plain2.x', type: 'string', extract: () => 'x' }],
    });
    await ts.init();
    expect(() => ts.asyncEvents()).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }));
  });

  it('destroy resets the handler and ends a waiting iteration', async () => {
    const p = await started({ asyncCount: 0 });
    const stream = p.asyncEvents();
    const waiting = stream.next();
    p.destroy();
    tp.forget(p);
    expect(await waiting).toBeNull();
  });

  it('dump_state: the async events the plugin sends during the call, as one batch', async () => {
    const p = await started({ count: 3 });
    await collect(await p.open());
    const dump = p.dumpState();
    expect(asyncOf(dump).map((e) => `${e.name} ${e.data}`)).toEqual([
      'test.state produced 3',
      'test.state opens 1',
    ]);
  });
});
