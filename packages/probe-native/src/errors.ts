/** The one error class of `@sysray/probe-native`. */

/** What went wrong, as a stable code. */
export type ProbeErrorCode =
  /** Not root and lacking CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN), or the kernel said EPERM. */
  | 'NOT_PERMITTED'
  /** The kernel exposes no BTF (`/sys/kernel/btf/vmlinux`), which the CO-RE probe needs. */
  | 'NO_BTF'
  /** Not Linux x86-64: the probe is built for that platform only. */
  | 'UNSUPPORTED_PLATFORM'
  /** The kernel refused the probe (verifier, missing helper, map creation). */
  | 'LOAD_REFUSED'
  /** The kernel refused to attach the probe to the syscall / scheduler tracepoints. */
  | 'ATTACH_REFUSED'
  /** The native addon is missing or does not load. */
  | 'ADDON_MISSING'
  /** Bad options (unknown event names, out-of-range sizes). */
  | 'BAD_OPTIONS'
  /** The capture was used after it ended, or read twice. */
  | 'BAD_STATE'
  /** Anything else the addon reported. */
  | 'INTERNAL';

/** Every failure of the probe: permissions, kernel support, load and attach, options, state. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  readonly code: ProbeErrorCode;
  /** The errno the kernel returned, when the failure came from a system call. */
  readonly errno: number | undefined;

  constructor(code: ProbeErrorCode, message: string, options: { errno?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errno = options.errno;
  }
}
