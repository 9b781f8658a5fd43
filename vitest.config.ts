import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Tests import workspace packages by their public names (`@sysray/pcapng`, `@sysray/pcapng/scap`)
 * and run against the sources, so no build is needed before `vitest`. Each entry of a package's
 * `exports` map names its source file in a `"source"` key of `sysray.entries` in package.json.
 */
const root = fileURLToPath(new URL('.', import.meta.url));
const alias: { find: string | RegExp; replacement: string }[] = [];
for (const dir of readdirSync(`${root}packages`)) {
  const manifestPath = `${root}packages/${dir}/package.json`;
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    name: string;
    sysray?: { entries?: Record<string, string> };
  };
  const entries = manifest.sysray?.entries ?? {};
  // Longest subpaths first so `@sysray/x/sub` wins over `@sysray/x`.
  for (const [subpath, source] of Object.entries(entries).sort((a, b) => b[0].length - a[0].length)) {
    const spec = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.replace(/^\.\//, '')}`;
    alias.push({
      find: new RegExp(`^${spec.replace(/[/.]/g, '\\$&')}$`),
      replacement: `${root}packages/${dir}/${source}`,
    });
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
