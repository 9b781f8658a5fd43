#!/usr/bin/env node
// Packs every workspace package with `pnpm pack` and checks that the tarball holds every file its
// package.json names in `exports`, `main`, `module`, `types` and `bin`. Exits 1 on any missing file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.pack-check');
rmSync(out, { recursive: true, force: true });
mkdirSync(out);

/** Every relative file path a package.json points at. */
function namedFiles(manifest) {
  const files = new Set();
  const visit = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./')) files.add(value.slice(2));
    } else if (value && typeof value === 'object') for (const v of Object.values(value)) visit(v);
  };
  visit(manifest.exports);
  for (const key of ['main', 'module', 'types'])
    if (manifest[key]) files.add(manifest[key].replace(/^\.\//, ''));
  if (typeof manifest.bin === 'string') files.add(manifest.bin.replace(/^\.\//, ''));
  else if (manifest.bin) for (const b of Object.values(manifest.bin)) files.add(b.replace(/^\.\//, ''));
  return [...files];
}

let failures = 0;
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (manifest.private) continue;
  const tarball = execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: pkgDir, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  const listing = new Set(
    execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((p) => p.replace(/^package\//, '')),
  );
  const missing = namedFiles(manifest).filter((f) => !listing.has(f));
  if (!listing.has('README.md')) missing.push('README.md');
  if (missing.length) {
    failures++;
    console.error(`${manifest.name}: tarball lacks ${missing.join(', ')}`);
  } else {
    console.log(`${manifest.name}: ${listing.size} files, every exported file present`);
  }
}
rmSync(out, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
