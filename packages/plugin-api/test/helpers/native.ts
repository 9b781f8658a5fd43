import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
