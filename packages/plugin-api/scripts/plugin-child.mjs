#!/usr/bin/env node
// The child process of an isolated native plugin (`loadPlugin(path, { isolate: true })`): loads the plugin with
// the native host and serves its parent over the IPC channel, so a plugin that crashes takes only this process
// down. Modes: `info PATH` prints the plugin's metadata as JSON and exits; `serve PATH` answers requests
// `{ id, op, ... }` with `{ id, value }` or `{ id, error }` until `destroy`.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const pkg = resolve(import.meta.dirname, '..');
const require = createRequire(join(pkg, 'package.json'));
const [mode, path] = process.argv.slice(2);

function errorOf(e) {
  return {
    code: typeof e?.code === 'string' ? e.code : undefined,
    message: typeof e?.message === 'string' ? e.message : String(e),
    lastError: typeof e?.lastError === 'string' ? e.lastError : undefined,
    rc: typeof e?.rc === 'number' ? e.rc : undefined,
  };
}

let addon;
let plugin;
let loadError;
try {
  addon = require('node-gyp-build')(pkg);
  plugin = new addon.NativePlugin(path);
} catch (e) {
  loadError = errorOf(e);
}

if (mode === 'info') {
  process.stdout.write(JSON.stringify(loadError ? { error: loadError } : { info: plugin.info() }));
} else if (mode === 'serve') {
  const captures = new Map();
  let nextCapture = 1;
  const ops = {
    init: (m) => {
      plugin.init(m.config);
      let openParams = null;
      let openParamsError;
      try {
        openParams = plugin.listOpenParams();
      } catch (e) {
        openParamsError = errorOf(e);
      }
      return { openParams, openParamsError };
    },
    setConfig: (m) => plugin.setConfig(m.config),
    open: (m) => {
      const id = nextCapture++;
      captures.set(id, plugin.open(m.params));
      return id;
    },
    next: (m) => {
      const c = captures.get(m.capture);
      if (!c) throw Object.assign(new Error('the capture is closed'), { code: 'BAD_STATE' });
      return c.next();
    },
    close: (m) => {
      captures.get(m.capture)?.close();
      captures.delete(m.capture);
    },
    destroy: () => {
      for (const c of captures.values()) c.close();
      captures.clear();
      plugin.destroy();
      setImmediate(() => process.exit(0));
    },
  };
  process.on('message', async (m) => {
    try {
      if (loadError) throw Object.assign(new Error(loadError.message), loadError);
      const op = ops[m.op];
      if (!op) throw Object.assign(new Error(`unknown request ${m.op}`), { code: 'USAGE' });
      const value = await op(m);
      process.send({ id: m.id, value });
    } catch (e) {
      let lastError;
      try {
        lastError = plugin?.lastError() ?? undefined;
      } catch {}
      process.send({ id: m.id, error: errorOf(e), lastError });
    }
  });
  process.on('disconnect', () => process.exit(0));
} else {
  process.stderr.write('usage: plugin-child.mjs info|serve PATH\n');
  process.exit(2);
}
