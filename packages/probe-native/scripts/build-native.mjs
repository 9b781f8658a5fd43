#!/usr/bin/env node
// Builds the eBPF probe addon into prebuilds/<platform>-<arch>/ with prebuildify (N-API, stripped), against
// the Node headers already on the machine: never downloads anything. Header directory: $SYSRAY_NODEDIR, else
// /usr (Debian's /usr/include/node), else the running Node's install prefix.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const pkg = resolve(import.meta.dirname, '..');
const candidates = [process.env.SYSRAY_NODEDIR, '/usr', resolve(dirname(process.execPath), '..')].filter(
  Boolean,
);
const nodedir = candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
if (!nodedir) {
  console.error(
    `build-native: no Node headers (include/node/node_api.h) under ${candidates.join(', ')}; ` +
      'install them (Debian: libnode-dev / nodejs headers) or set SYSRAY_NODEDIR',
  );
  process.exit(1);
}
// The light skeleton includes libbpf's <bpf/skel_internal.h> (Debian: libbpf-dev), a header-only part of libbpf
// this package does not vendor. Without it the addon cannot be built: say so, and leave the package working
// without its addon (startCapture then fails with ProbeError ADDON_MISSING) — except in CI, where the probe's
// live tests must run, so a missing header is an error there.
const skelHeader = ['/usr/include/bpf/skel_internal.h', '/usr/local/include/bpf/skel_internal.h'].find((p) =>
  existsSync(p),
);
if (!skelHeader) {
  const message =
    'build-native: libbpf headers not found (bpf/skel_internal.h; Debian: apt-get install libbpf-dev, which ' +
    'scripts/install-tools.sh does)';
  if (process.env.CI) {
    console.error(`${message}: cannot build the eBPF probe addon`);
    process.exit(1);
  }
  console.warn(
    `${message}: skipping the eBPF probe addon; live capture reports ADDON_MISSING until it is built`,
  );
  process.exit(0);
}
const require = createRequire(import.meta.url);
const prebuildify = join(dirname(require.resolve('prebuildify/package.json')), 'bin.js');
const nodeGyp = join(dirname(require.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js');
const env = {
  ...process.env,
  npm_config_nodedir: nodedir,
  PREBUILD_NODE_GYP: nodeGyp,
};
const r = spawnSync(
  process.execPath,
  [prebuildify, '--napi', '--strip', '--target', `node@${process.versions.node}`],
  { cwd: pkg, env, stdio: 'inherit' },
);
if (r.status !== 0) {
  console.error(`build-native: prebuildify failed (exit ${r.status ?? r.signal})`);
  process.exit(1);
}
console.log(`build-native: built prebuilds/${process.platform}-${process.arch} with headers from ${nodedir}`);
