/**
 * `@sysray/probe-native`: a prebuilt eBPF system-call probe for Linux x86-64. The kernel side writes every event
 * as a complete Falco capture event block (the scap event layout of `@sysray/pcapng/scap`), so a ring-buffer
 * chunk is directly an `EventBatch` and a capture file is the header followed by the chunks' bytes.
 *
 * @packageDocumentation
 */
export { chunkToBatch } from './batches.js';
export { type CaptureOptions, type CaptureStats, type LiveCapture, startCapture } from './capture.js';
export { ProbeError, type ProbeErrorCode } from './errors.js';
export { canTrace, effectiveCapabilities, probeUnavailable } from './preflight.js';
export { openFlagsToScap, type ProcSnapshot, scanProc } from './proc-scan.js';
export {
  FIXED_LAYOUTS,
  IOV_OUT,
  MAX_RECIPE_PARAMS,
  Op,
  type ParamOp,
  PROCEXIT,
  packRecipes,
  RECIPES,
  Special,
  SUPPORTED_EVENTS,
  type SyscallRecipe,
} from './recipes.js';
