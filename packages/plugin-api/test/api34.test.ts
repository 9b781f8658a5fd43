import { join } from 'node:path';
import { ScapEvent } from '@sysray/pcapng/scap';
import {
  definePlugin,
  defineTable,
  HOST_API_VERSION,
  listTables,
  loadPlugin,
  runRulesOnPlugin,
  stateTable,
} from '@sysray/plugin-api';
import { describe, expect, it } from 'vitest';
import { collect, plain } from './helpers/events.js';
import { runFixtureHost, useTestPlugin } from './helpers/native.js';

const tp = useTestPlugin();

const started = (config: Record<string, unknown> = {}) => tp.started(config);

describe('plugin API 3.4 in the native host', () => {
  it('loads a plugin that requires 3.12.0 and still has the 3.4 functions', () => {
    expect(HOST_API_VERSION).toBe('3.12.0');
    const p = loadPlugin(tp.so);
    tp.track(p);
    expect(p.info.requiredApiVersion).toBe('3.12.0');
    expect(p.info.reconfigurable).toBe(true);
  });

  it('set_config: a new config reaches the plugin (validated against the init schema first)', async () => {
    const p = await started({ count: 2 });
    await p.setConfig({ prefix: 'again' });
    expect(plain(await collect(await p.open())).map((e) => e.data)).toEqual(['again 0', 'again 1']);
    await expect(p.setConfig({ colour: 'red' })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    await expect(p.setConfig({ mode: 'initfail' })).rejects.toMatchObject({
      code: 'BAD_CONFIG',
      lastError: 'config refused: mode initfail',
    });
  });

  it('set_config is NOT_SUPPORTED for plugins without it, and BAD_STATE before init', async () => {
    const ts = loadPlugin(
      definePlugin({ name: 'fixed', fields: [{ name: 'f.x', type: 'string', extract: () => 'x' }] }),
    );
    await ts.init();
    await expect(ts.setConfig('{}')).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    const p = loadPlugin(tp.so);
    tp.track(p);
    await expect(p.setConfig({ prefix: 'x' })).rejects.toMatchObject({ code: 'BAD_STATE' });
  });

  it('set_config of a TypeScript plugin gets the parsed config', async () => {
    const seen: unknown[] = [];
    const p = loadPlugin(
      definePlugin<Uint8Array, { level: number }>({
        name: 'tuned',
        initSchema: { type: 'object', properties: { level: { type: 'integer' } } },
        setConfig: (c) => {
          seen.push(c);
        },
        fields: [{ name: 'tuned.x', type: 'string', extract: () => 'x' }],
      }),
    );
    await p.init({ level: 1 });
    expect(p.info.reconfigurable).toBe(true);
    await p.setConfig({ level: 2 });
    expect(seen).toEqual([{ level: 2 }]);
  });

  it('the log function gets the owner first and names the plugin when the component is NULL', () => {
    const child = runFixtureHost('log-host.ts', tp.so, { SYSRAY_PLUGIN_LOG: '1' });
    expect(child.status).toBe(0);
    expect(child.stderr).toContain("[plugin test] info: initialised with prefix 'logged'");
  });
});

describe('state tables', () => {
  it('a native plugin reads a table defined from TypeScript during extraction', async () => {
    const users = defineTable({ name: 'ts.users', key: 'uint64', fields: { name: 'string', admin: 'bool' } });
    users.set(0, { name: 'root', admin: true });
    users.set(1n, { name: 'alice' });
    expect(users.get(1)).toEqual({ name: 'alice', admin: false });
    expect(users.size).toBe(2);
    const p = await started({ count: 4, readTable: 'ts.users' });
    const ev = new ScapEvent();
    const got: (string | undefined)[] = [];
    for (const b of await collect(await p.open()))
      for (let i = 0; i < b.count; i++) got.push(p.extract(ev.load(b, i), 'test.user') as string | undefined);
    expect(got).toEqual(['root', 'alice', undefined, undefined]); // keys 2 and 3 have no entry
    users.set(2, { name: 'bob' });
    expect(users.delete(0)).toBe(true);
    expect(users.delete(0)).toBe(false);
    const again: (string | undefined)[] = [];
    for (const b of await collect(await p.open()))
      for (let i = 0; i < b.count; i++)
        again.push(p.extract(ev.load(b, i), 'test.user') as string | undefined);
    expect(again).toEqual([undefined, 'alice', 'bob', undefined]);
  });

  it("a plugin looking up a table that is missing or has another key type fails its init with the host's reason", async () => {
    defineTable({ name: 'ts.bykey', key: 'string', fields: { name: 'string' } });
    const p = loadPlugin(tp.so);
    tp.track(p);
    await expect(p.init({ readTable: 'ts.bykey' })).rejects.toMatchObject({
      code: 'INIT_FAILED',
      lastError: "cannot use table 'ts.bykey': table 'ts.bykey' has string keys, not uint64",
    });
    const q = loadPlugin(tp.so);
    tp.track(q);
    await expect(q.init({ readTable: 'ts.nowhere' })).rejects.toMatchObject({
      lastError: "cannot use table 'ts.nowhere': no table named 'ts.nowhere'",
    });
  });

  it('a table a plugin adds is listed, read and written from TypeScript through its own vtables', async () => {
    const p = await started({ count: 10, table: 'test.counts' });
    expect(listTables()).toContainEqual({ name: 'test.counts', keyType: 'uint64', owner: 'test' });
    await collect(await p.open());
    const counts = stateTable('test.counts');
    expect(counts.fields()).toEqual([
      { name: 'count', type: 'uint64', readOnly: false },
      { name: 'label', type: 'string', readOnly: false },
    ]);
    // next_batch counted events 0..9 by number mod 4: 3, 3, 2, 2
    expect([0, 1, 2, 3].map((k) => counts.get(k)?.count)).toEqual([3n, 3n, 2n, 2n]);
    counts.set(1, { label: 'odd' });
    expect(counts.get(1)).toEqual({ count: 3n, label: 'odd' });
    counts.set(9, { count: 7n, label: 'new' }); // added through create/write/add_table_entry
    expect(counts.size).toBe(5);
    expect(() => counts.set(1, { count: -1 })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => counts.set(1, { colour: 'red' })).toThrow(expect.objectContaining({ code: 'TABLE_FAILED' }));
    expect(counts.delete(9)).toBe(true);
    counts.clear();
    expect(counts.size).toBe(0);
  });

  it('a second plugin cannot add a table under a name in use; the name is free again once the owner is destroyed', async () => {
    const first = await started({ table: 'test.shared' });
    const second = loadPlugin(tp.so);
    tp.track(second);
    await expect(second.init({ table: 'test.shared' })).rejects.toMatchObject({
      code: 'INIT_FAILED',
      lastError: "cannot add table 'test.shared': a table named 'test.shared' exists already",
    });
    first.destroy();
    expect(listTables().some((t) => t.name === 'test.shared')).toBe(false);
    const third = await started({ table: 'test.shared' });
    expect(third.lastError()).toBe('');
  });

  it('host tables keep every state type, with string keys too, and refuse values that do not fit', async () => {
    defineTable({
      name: 'ts.types',
      key: 'string',
      fields: {
        i8: 'int8',
        u16: 'uint16',
        i32: 'int32',
        i64: 'int64',
        u64: 'uint64',
        ok: 'bool',
        s: 'string',
      },
    });
    const t = stateTable('ts.types');
    t.set('a', { i8: -128, u16: 65535, i32: -5, i64: -(2n ** 63n), u64: 2n ** 64n - 1n, ok: true, s: 'x' });
    expect(t.get('a')).toEqual({
      i8: -128,
      u16: 65535,
      i32: -5,
      i64: -(2n ** 63n),
      u64: 2n ** 64n - 1n,
      ok: true,
      s: 'x',
    });
    expect(t.get('b')).toBeUndefined();
    for (const bad of [{ i8: 128 }, { u16: -1 }, { u64: 2n ** 64n }, { i32: 1.5 }, { ok: 1 }, { s: 3 }])
      expect(
        () => t.set('a', bad as never),
        JSON.stringify(bad, (_k, v) => String(v)),
      ).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(t.get('a')?.i8).toBe(-128); // a refused write changes nothing
    expect(() => t.get(1 as never)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(t.info()).toEqual({ name: 'ts.types', keyType: 'string', owner: 'host' });
  });

  it('parse_event writes a TypeScript table through the writer vtable, on a field the plugin added', async () => {
    const last = defineTable({ name: 'ts.last', key: 'uint64', fields: {} });
    const p = await started({ count: 10, writeTable: 'ts.last' });
    expect(p.has('parsing')).toBe(true);
    expect(p.parses('test')).toBe(true);
    expect(p.parses('syscall')).toBe(false); // a source plugin without parse sources parses its own events only
    expect(last.fields()).toEqual([{ name: 'last', type: 'uint64', readOnly: false }]); // add_table_field
    const ev = new ScapEvent();
    for (const b of await collect(await p.open()))
      for (let i = 0; i < b.count; i++) p.parseEvent(ev.load(b, i));
    expect([0, 1, 2, 3].map((k) => last.get(k)?.last)).toEqual([8n, 9n, 6n, 7n]);
  });

  it('runRulesOnPlugin lets parsing plugins see every event before the rules run', async () => {
    const seen = defineTable({ name: 'ts.seen', key: 'uint64', fields: { last: 'uint64' } });
    const alerts = [];
    for await (const a of runRulesOnPlugin({
      plugins: [{ plugin: tp.so, config: { count: 6, writeTable: 'ts.seen' } }],
      rules: [join(import.meta.dirname, 'fixtures/test-rules.yaml')],
    }))
      alerts.push(a);
    expect(alerts.length).toBeGreaterThan(0);
    expect([0, 1, 2, 3].map((k) => seen.get(k)?.last)).toEqual([4n, 5n, 2n, 3n]);
  });

  it('defineTable refuses a taken name and unknown types', async () => {
    defineTable({ name: 'ts.once', key: 'int32', fields: {} });
    expect(() => defineTable({ name: 'ts.once', key: 'int32', fields: {} })).toThrow(
      expect.objectContaining({ code: 'TABLE_FAILED' }),
    );
    expect(() => defineTable({ name: 'ts.bad', key: 'float' as never, fields: {} })).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });
});
