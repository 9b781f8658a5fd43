import { join } from 'node:path';
import { ScapEvent } from '@sysray/pcapng/scap';
import { loadPlugin, PluginError } from '@sysray/plugin-api';
import { describe, expect, it } from 'vitest';
import { collect } from './helpers/events.js';
import { runFixtureHost, scratch, testPlugin, useTestPlugin } from './helpers/native.js';

const tp = useTestPlugin();

const loaded = () => tp.load();

async function firstError(mode: string): Promise<PluginError> {
  const p = loaded();
  await p.init({ mode, count: 10 });
  const c = await p.open();
  return (await c.next().catch((e: unknown) => e)) as PluginError;
}

describe('native host failures are typed errors', () => {
  it('a plugin that crashes takes the process down with a report naming the plugin and the call, not silently', () => {
    const child = runFixtureHost('crash-host.ts', tp.so);
    expect(child.stdout).not.toContain('unreachable');
    expect(child.stderr).toContain(
      `sysray plugin-api: plugin 'test' (${tp.so}) crashed with SIGSEGV in plugin_next_batch; a crash inside a plugin ends the process that hosts it`,
    );
    expect(child.signal).toBe('SIGSEGV');
  });

  it('LOAD_FAILED for a library that does not exist', () => {
    expect(() => loadPlugin(join(scratch, 'nope.so'))).toThrow(
      expect.objectContaining({ name: 'PluginError', code: 'LOAD_FAILED' }),
    );
  });

  it('API_VERSION for a plugin that requires API 4.0.0, as Falco checks it', () => {
    const err = (() => {
      try {
        loadPlugin(testPlugin('api4'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PluginError);
    expect(err).toMatchObject({ code: 'API_VERSION' });
    expect((err as Error).message).toContain('major versions disagree');
  });

  it('MISSING_SYMBOL for a library that is not a plugin', () => {
    expect(() => loadPlugin('libc.so.6')).toThrow(expect.objectContaining({ code: 'MISSING_SYMBOL' }));
  });

  it('reports a lacking capability instead of assuming it', async () => {
    const p = loadPlugin(testPlugin('noextract'));
    tp.track(p);
    expect(p.info.capabilities).toMatchObject({ sourcing: true, extraction: false });
    expect(p.info.fields).toEqual([]);
    await p.init();
    const [b] = await collect(await p.open('1'));
    expect(() => p.extract(new ScapEvent().load(b!, 0), 'test.msg')).toThrow(
      expect.objectContaining({ code: 'NOT_SUPPORTED' }),
    );
  });

  it('BAD_CONFIG for a config outside the init schema, before the plugin sees it', async () => {
    await expect(loaded().init({ count: -1 })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    await expect(loaded().init({ colour: 'red' })).rejects.toThrow(/unknown property 'colour'/);
    await expect(loaded().init('count=3')).rejects.toMatchObject({ code: 'BAD_CONFIG' });
  });

  it('INIT_FAILED with the plugin last error when init fails', async () => {
    await expect(loaded().init({ mode: 'initfail' })).rejects.toMatchObject({
      code: 'INIT_FAILED',
      lastError: 'init refused by mode initfail',
      rc: 1,
    });
  });

  it('OPEN_FAILED with the plugin last error when open fails', async () => {
    const p = loaded();
    await p.init({ mode: 'openfail' });
    await expect(p.open('somewhere')).rejects.toMatchObject({
      code: 'OPEN_FAILED',
      lastError: "cannot open 'somewhere'",
    });
  });

  it('NEXT_FAILED with get_last_error when next_batch fails', async () => {
    const err = await firstError('fail');
    expect(err).toBeInstanceOf(PluginError);
    expect(err).toMatchObject({
      code: 'NEXT_FAILED',
      lastError: 'boom: next_batch failed on purpose',
      rc: 1,
    });
  });

  it('delivers the events gathered before a next_batch failure, then the failure', async () => {
    const p = loaded();
    await p.init({ mode: 'failafter', count: 1000 });
    const c = await p.open();
    expect((await c.next())?.count).toBe(64);
    await expect(c.next()).rejects.toMatchObject({ code: 'NEXT_FAILED', lastError: 'boom after one batch' });
  });

  it.each([
    ['nullevent', /is NULL/],
    ['badlen', /parameter lengths that do not add up/],
    ['wrongid', /carries another plugin's id \(type 322, nparams 2, len \d+, plugin id 998\)/],
    ['badtype', /is not a plugin event \(type 322\) \(type 1,/],
  ])('BAD_EVENT when the plugin returns garbage (%s)', async (mode, message) => {
    const err = await firstError(mode);
    expect(err).toBeInstanceOf(PluginError);
    expect(err.code).toBe('BAD_EVENT');
    expect(err.message).toMatch(message);
  });

  it('EXTRACT_FAILED with the plugin last error when extraction fails', async () => {
    const p = loaded();
    await p.init({ mode: 'extractfail' });
    const [b] = await collect(await p.open('1'));
    expect(() => p.extract(new ScapEvent().load(b!, 0), 'test.msg')).toThrow(
      expect.objectContaining({
        code: 'EXTRACT_FAILED',
        lastError: 'extraction refused by mode extractfail',
      }),
    );
  });

  it('BAD_STATE for calls after destroy, and destroy is idempotent', async () => {
    const p = loaded();
    await p.init();
    p.destroy();
    p.destroy();
    await expect(p.open()).rejects.toMatchObject({ code: 'BAD_STATE' });
  });
});
