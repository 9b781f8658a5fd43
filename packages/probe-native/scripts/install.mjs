#!/usr/bin/env node
// The package's install step. Declared so that package managers do not run their implicit `node-gyp rebuild`
// for binding.gyp (which would download Node headers). The addon ships in prebuilds/ (npm tarball) or is built
// by `pnpm build` (workspace); this only says when it is missing.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const pkg = resolve(import.meta.dirname, '..');
const dir = join(pkg, 'prebuilds', `${process.platform}-${process.arch}`);
const ok =
  (existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.node'))) ||
  existsSync(join(pkg, 'build', 'Release', 'sysray_probe.node'));
if (!ok && !existsSync(join(pkg, 'src'))) {
  console.warn(
    `@sysray/probe-native: no prebuilt eBPF probe addon for ${process.platform}-${process.arch}; ` +
      'build it with `node scripts/build-native.mjs` (Node headers, a C compiler and libbpf-dev headers).',
  );
}
