/**
 * Shipping: the packed tarball (with its prebuild) installs into a fresh project on a PATH without any compiler
 * and captures. Needs `pnpm build` first (the prebuild and dist/ go into the tarball), as CI does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { canRunLive } from './live-gate.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const PCAPNG = fileURLToPath(new URL('../../pcapng', import.meta.url));

const CAPTURE_SCRIPT = `
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { ScapEvent } from '@sysray/pcapng/scap';
import { startCapture } from '@sysray/probe-native';
const require = createRequire(import.meta.url);
const addonPath = require('node-gyp-build').path(require.resolve('@sysray/probe-native/package.json').replace(/package\\.json$/, ''));
const cap = startCapture({ events: ['openat', 'execve', 'procexit'] });
const seen = { exec: false, open: false, exit: false };
const reading = (async () => {
  const ev = new ScapEvent();
  for await (const b of cap)
    for (let i = 0; i < b.count; i++) {
      ev.load(b, i);
      if (ev.name === 'execve' && ev.param('exe') === '/bin/cat') seen.exec = true;
      if (ev.name === 'openat' && ev.param('name') === '/etc/hostname') seen.open = true;
      if (ev.name === 'procexit') seen.exit = true;
    }
})();
await new Promise((r) => spawn('/bin/cat', ['/etc/hostname'], { stdio: 'ignore' }).on('exit', r));
await new Promise((r) => setTimeout(r, 100));
const stats = await cap.stop();
await reading;
console.log(JSON.stringify({ addonPath, seen, stats, threads: cap.info.threads.size }));
`;

describe.skipIf(!canRunLive)('the packed tarball (root)', () => {
  const work = mkdtempSync(join(tmpdir(), 'sysray-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs without a compiler on PATH and captures with its prebuild', () => {
    const prebuilds = join(PKG, 'prebuilds', 'linux-x64');
    expect(
      existsSync(prebuilds) && readdirSync(prebuilds).some((f) => f.endsWith('.node')),
      'prebuilds/linux-x64 is missing: run `pnpm build` first (CI does)',
    ).toBe(true);
    expect(existsSync(join(PKG, 'dist', 'index.js')), 'dist/ is missing: run `pnpm build` first').toBe(true);
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    for (const dir of [PCAPNG, PKG])
      execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir });
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    const probeTgz = files.find((f) => f.includes('probe-native'))!;
    const listing = execFileSync('tar', ['-tzf', probeTgz], { encoding: 'utf8' });
    expect(listing).toContain('package/prebuilds/linux-x64/@sysray+probe-native.node');
    expect(listing).toContain('package/native/probe.lskel.h');

    // A PATH with node, npm and sh only: no cc, gcc, g++, clang, make, python.
    const bin = join(work, 'bin');
    mkdirSync(bin);
    const npm = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync(npm, join(bin, 'npm'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const env = { ...process.env, PATH: bin, npm_config_nodedir: '', npm_config_update_notifier: 'false' };
    for (const tool of ['cc', 'gcc', 'g++', 'clang', 'make', 'python3'])
      expect(spawnSync('sh', ['-c', `command -v ${tool}`], { env }).status, tool).not.toBe(0);

    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'probe-consumer', private: true, type: 'module' }),
    );
    const install = spawnSync(
      join(bin, 'npm'),
      ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files],
      { cwd: project, env, encoding: 'utf8' },
    );
    expect(install.status, install.stderr).toBe(0);
    writeFileSync(join(project, 'capture.mjs'), CAPTURE_SCRIPT);
    const run = spawnSync(join(bin, 'node'), ['capture.mjs'], { cwd: project, env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(out.addonPath).toContain('/node_modules/@sysray/probe-native/prebuilds/linux-x64/');
    expect(out.seen).toEqual({ exec: true, open: true, exit: true });
    expect(out.stats.dropped).toBe(0);
    expect(out.threads).toBeGreaterThan(0);
    expect(existsSync(join(project, 'node_modules/@sysray/probe-native/build'))).toBe(false);
  }, 180_000);
});
