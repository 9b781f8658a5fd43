import { loadPlugin, PluginError } from '@sysray/plugin-api';
import { describe, expect, it } from 'vitest';
import { collect, plain } from './helpers/events.js';
import { testPlugin, useTestPlugin } from './helpers/native.js';

const tp = useTestPlugin();

const isolated = () => tp.load(undefined, { isolate: true });

describe('isolated native plugins (a child process per plugin)', () => {
  it('yield the same events as the plugin loaded in-process', async () => {
    const inProcess = loadPlugin(tp.so);
    tp.track(inProcess);
    await inProcess.init({ count: 40_000, prefix: 'iso' });
    const p = isolated();
    await p.init({ count: 40_000, prefix: 'iso' });
    const here = plain(await collect(await inProcess.open()));
    const there = plain(await collect(await p.open()));
    expect(there.length).toBe(40_000);
    expect(there).toEqual(here);
    expect(p.listOpenParams()).toEqual(inProcess.listOpenParams());
  });

  it('a plugin that crashes fails the pending call with CRASHED and the crash report; this process goes on', async () => {
    const p = isolated();
    await p.init({ mode: 'crash', count: 10 });
    const c = await p.open();
    const err = (await c.next().catch((e: unknown) => e)) as PluginError;
    expect(err).toBeInstanceOf(PluginError);
    expect(err.code).toBe('CRASHED');
    expect(err.message).toBe(
      `plugin 'test' (${tp.so}) crashed with SIGSEGV in plugin_next_batch; a crash inside a plugin ends the process that hosts it`,
    );
    await expect(p.open()).rejects.toMatchObject({ code: 'CRASHED' });
    const healthy = loadPlugin(tp.so);
    tp.track(healthy);
    await healthy.init({ count: 3 });
    expect((await collect(await healthy.open())).reduce((n, b) => n + b.count, 0)).toBe(3);
  });

  it('failures inside the child come back as the same typed errors, with the plugin last error', async () => {
    const p = isolated();
    await expect(p.init({ mode: 'initfail' })).rejects.toMatchObject({
      code: 'INIT_FAILED',
      lastError: 'init refused by mode initfail',
    });
    const q = isolated();
    await q.init({ mode: 'failafter', count: 1000 });
    const c = await q.open();
    expect((await c.next())?.count).toBe(64);
    await expect(c.next()).rejects.toMatchObject({ code: 'NEXT_FAILED', lastError: 'boom after one batch' });
    expect(() => loadPlugin(testPlugin('api4'), { isolate: true })).toThrow(
      expect.objectContaining({ code: 'API_VERSION' }),
    );
  });

  it('reports extraction, parsing, capture listening, async events and metrics as off, with the reason, instead of calling across processes', async () => {
    const p = isolated();
    expect(p.info.capabilities).toMatchObject({
      sourcing: true,
      extraction: false,
      parsing: false,
      captureListening: false,
      metrics: false,
    });
    expect(p.info.broken.map((b) => b.capability)).toEqual([
      'extraction',
      'parsing',
      'captureListening',
      'async',
      'metrics',
    ]);
    expect(p.info.broken[0]!.reason).toBe(
      'the plugin is isolated in a child process: extraction is synchronous and runs only in-process',
    );
    expect(p.info.broken[1]!.reason).toBe(
      'the plugin is isolated in a child process: parsing is synchronous and runs only in-process',
    );
    await p.init({ count: 1 });
    const [b] = await collect(await p.open());
    const { ScapEvent } = await import('@sysray/pcapng/scap');
    expect(() => p.extract(new ScapEvent().load(b!, 0), 'test.msg')).toThrow(
      expect.objectContaining({ code: 'NOT_SUPPORTED' }),
    );
  });

  it('set_config reaches the plugin in its child process', async () => {
    const p = isolated();
    await p.init({ count: 1 });
    await p.setConfig({ prefix: 'moved' });
    expect(plain(await collect(await p.open())).map((e) => e.data)).toEqual(['moved 0']);
  });
});
