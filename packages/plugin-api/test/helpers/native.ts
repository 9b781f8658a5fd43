import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type LoadOptions, loadPlugin, type Plugin } from '@sysray/plugin-api';
import { afterEach, beforeAll } from 'vitest';

const pkg = resolve(import.meta.dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'sysray-plugin-'));
const built = new Map<string, string>();

const VARIANTS = {
  default: [],
  api4: ['-DREQUIRED_API="4.0.0"'],
  // one minor above the host's framework version (3.12.0)
  api313: ['-DREQUIRED_API="3.13.0"'],
  noextract: ['-DNO_EXTRACT'],
  // its fields also apply to syscall events: the event schema check applies
  syscall: ['-DEXTRACT_SYSCALL'],
} as const;

/** Compiles the C test plugin with the system compiler (once per variant) and returns the .so path. */
export function testPlugin(variant: keyof typeof VARIANTS = 'default'): string {
  const cached = built.get(variant);
  if (cached) return cached;
  const so = join(out, `libtest-${variant}.so`);
  const defines = VARIANTS[variant];
  execFileSync(
    process.env.CC ?? 'cc',
    [
      '-shared',
      '-fPIC',
      '-O2',
      '-Wall',
      '-Werror',
      ...defines,
      '-o',
      so,
      join(pkg, 'test/fixtures/test_plugin.c'),
    ],
    { stdio: 'inherit' },
  );
  built.set(variant, so);
  return so;
}

function haveAddon(): boolean {
  const pre = join(pkg, 'prebuilds', `${process.platform}-${process.arch}`);
  return existsSync(pre) && readdirSync(pre).some((f) => f.endsWith('.node'));
}

/**
 * Builds the native host when prebuilds/ does not hold it (tests run from a clean clone). Test files run in
 * parallel processes: a lock directory keeps them from building at the same time.
 */
export function ensureAddon(): void {
  if (haveAddon()) return;
  const lock = join(tmpdir(), 'sysray-plugin-api-build.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`stale build lock ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!haveAddon())
      execFileSync(process.execPath, [join(pkg, 'scripts/build-native.mjs')], { stdio: 'inherit' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A scratch directory for the test run. */
export const scratch = out;

/** The C test plugin as one test file uses it: see {@link useTestPlugin}. */
export interface TestPluginUse {
  /** Path of the built plugin (set before the file's tests run). */
  readonly so: string;
  /** `plugin`, destroyed after the current test. */
  track(plugin: Plugin): Plugin;
  /** Stops tracking `plugin` (a test that destroyed it itself). */
  forget(plugin: Plugin): void;
  /** Loads the plugin (or the library at `path`); destroyed after the current test. */
  load(path?: string, options?: LoadOptions): Plugin;
  /** {@link load}, then `init(config)`. */
  started(config?: Record<string, unknown>, path?: string): Promise<Plugin>;
}

/**
 * Builds the addon and the C test plugin before a test file's tests, and destroys every plugin the file
 * loaded through it after each test.
 */
export function useTestPlugin(): TestPluginUse {
  const open: Plugin[] = [];
  let so = '';
  beforeAll(() => {
    ensureAddon();
    so = testPlugin();
  });
  afterEach(() => {
    for (const p of open.splice(0)) p.destroy();
  });
  const track = (plugin: Plugin) => {
    open.push(plugin);
    return plugin;
  };
  const load = (path?: string, options?: LoadOptions) => track(loadPlugin(path ?? so, options));
  return {
    get so() {
      return so;
    },
    track,
    forget(plugin) {
      const i = open.indexOf(plugin);
      if (i >= 0) open.splice(i, 1);
    },
    load,
    async started(config = {}, path?: string) {
      const p = load(path);
      await p.init(config);
      return p;
    },
  };
}

/**
 * Runs a host script of `test/fixtures` (given the test plugin's path) in a child Node process, for what ends or
 * prints outside the test's own process (a crash report, the plugin's log lines on stderr).
 */
export function runFixtureHost(script: string, pluginPath: string, env: NodeJS.ProcessEnv = {}) {
  const pkg = resolve(import.meta.dirname, '../..');
  return spawnSync(process.execPath, ['--import', 'tsx', join(pkg, 'test/fixtures', script), pluginPath], {
    cwd: resolve(pkg, '../..'),
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env, TSX_TSCONFIG_PATH: join(pkg, 'tsconfig.test.json') },
  });
}
