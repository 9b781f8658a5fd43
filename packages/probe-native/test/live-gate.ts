/**
 * Gate for the tests that load the probe: they run as root (or with CAP_BPF + CAP_PERFMON) and skip otherwise,
 * saying why — except under CI, where not being able to run them is a failure.
 */
import { probeUnavailable } from '../src/index.js';

const why = probeUnavailable();
if (why && process.env.CI)
  throw new Error(`live eBPF probe tests cannot run under CI: ${why.message} (CI must run them as root)`);
if (why) console.warn(`skipping live eBPF probe tests: ${why.message}`);

/** True when this process may load the probe. */
export const canRunLive = why === undefined;
