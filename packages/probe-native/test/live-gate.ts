/**
 * Gate for the tests that load the probe: they run as root (or with CAP_BPF + CAP_PERFMON) and skip otherwise,
 * saying why — except under CI, where not being able to run them is a failure. The same rule holds for the
 * mounts some live tests make (an overlayfs, a read-only tmpfs).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeUnavailable } from '../src/index.js';

const why = probeUnavailable();
if (why && process.env.CI)
  throw new Error(`live eBPF probe tests cannot run under CI: ${why.message} (CI must run them as root)`);
if (why) console.warn(`skipping live eBPF probe tests: ${why.message}`);

/** True when this process may load the probe. */
export const canRunLive = why === undefined;

/** Runs `mount`/`umount`; the error text when it fails. */
export function mountCmd(args: string[]): string | undefined {
  const r = spawnSync(args[0] === 'umount' ? 'umount' : 'mount', args.slice(1), { encoding: 'utf8' });
  if (r.error) return r.error.message;
  return r.status === 0 ? undefined : `${args.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`;
}

/** Why an overlayfs cannot be mounted here (a trial mount in a temp dir), or undefined when it can. */
function overlayProblem(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sysray-ovl-gate-'));
  try {
    for (const d of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(dir, d));
    const opts = `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work`;
    const err = mountCmd(['mount', '-t', 'overlay', 'overlay', '-o', opts, join(dir, 'merged')]);
    if (!err) mountCmd(['umount', join(dir, 'merged')]);
    return err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const overlay = canRunLive ? overlayProblem() : 'the probe cannot run';
if (canRunLive && overlay && process.env.CI)
  throw new Error(`the live overlayfs tests cannot run under CI: ${overlay}`);
if (canRunLive && overlay) console.warn(`skipping the live overlayfs tests: ${overlay}`);

/** True when the probe can run and an overlayfs can be mounted (tests of the overlay layer flags). */
export const canMountOverlay = canRunLive && overlay === undefined;
