/** Checks made before loading the probe, so failures say what is missing instead of a kernel errno. */
import { existsSync, readFileSync } from 'node:fs';
import { ProbeError } from './errors.js';

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

/** The effective capability set of this process (from /proc/self/status). */
export function effectiveCapabilities(status = readFileSync('/proc/self/status', 'utf8')): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

/** Whether a capability set may load and attach tracing eBPF programs. */
export function canTrace(caps: bigint): boolean {
  const has = (c: bigint) => (caps >> c) & 1n;
  return has(CAP_SYS_ADMIN) === 1n || (has(CAP_BPF) === 1n && has(CAP_PERFMON) === 1n);
}

/** Why this process cannot run the probe, or undefined when it can (platform, privileges, BTF). */
export function probeUnavailable(
  env: { platform?: string; arch?: string; caps?: bigint; btfPath?: string } = {},
): ProbeError | undefined {
  const platform = env.platform ?? process.platform;
  const arch = env.arch ?? process.arch;
  if (platform !== 'linux' || arch !== 'x64')
    return new ProbeError(
      'UNSUPPORTED_PLATFORM',
      `the eBPF probe runs on Linux x86-64 only, not ${platform}-${arch}`,
    );
  const caps = env.caps ?? effectiveCapabilities();
  if (!canTrace(caps))
    return new ProbeError(
      'NOT_PERMITTED',
      'capturing needs root, or the capabilities CAP_BPF and CAP_PERFMON (effective set of this process: ' +
        `0x${caps.toString(16)}); run as root or grant them, e.g. \`setcap cap_bpf,cap_perfmon+ep $(which node)\``,
    );
  const btf = env.btfPath ?? '/sys/kernel/btf/vmlinux';
  if (!existsSync(btf))
    return new ProbeError(
      'NO_BTF',
      `the kernel exposes no BTF type information (${btf} is missing); the probe needs a kernel built with ` +
        'CONFIG_DEBUG_INFO_BTF=y (Linux 5.8 or newer as shipped by most distributions)',
    );
  return undefined;
}
