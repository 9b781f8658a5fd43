import { describe, expect, it } from 'vitest';
import { canTrace, effectiveCapabilities, ProbeError, probeUnavailable } from '../src/index.js';

const ALL = (1n << 41n) - 1n;
const BPF_PERFMON = (1n << 39n) | (1n << 38n);

describe('effectiveCapabilities', () => {
  it('reads CapEff from a /proc status text', () => {
    expect(effectiveCapabilities('Name:\tnode\nCapPrm:\t0000000000000000\nCapEff:\t000001ffffffffff\n')).toBe(
      ALL,
    );
    expect(effectiveCapabilities('Name:\tnode\n')).toBe(0n);
  });
});

describe('canTrace', () => {
  it('accepts root capabilities, CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON', () => {
    expect(canTrace(ALL)).toBe(true);
    expect(canTrace(1n << 21n)).toBe(true);
    expect(canTrace(BPF_PERFMON)).toBe(true);
  });
  it('refuses CAP_BPF alone, CAP_PERFMON alone and nothing', () => {
    expect(canTrace(1n << 39n)).toBe(false);
    expect(canTrace(1n << 38n)).toBe(false);
    expect(canTrace(0n)).toBe(false);
  });
});

describe('probeUnavailable', () => {
  it('says exactly that root or CAP_BPF + CAP_PERFMON is missing (not a memlock hint)', () => {
    const e = probeUnavailable({ platform: 'linux', arch: 'x64', caps: 0n, btfPath: '/' })!;
    expect(e).toBeInstanceOf(ProbeError);
    expect(e.code).toBe('NOT_PERMITTED');
    expect(e.message).toBe(
      'capturing needs root, or the capabilities CAP_BPF and CAP_PERFMON (effective set of this process: 0x0); ' +
        'run as root or grant them, e.g. `setcap cap_bpf,cap_perfmon+ep $(which node)`',
    );
    expect(e.message).not.toMatch(/memlock/i);
  });

  it('says the kernel has no BTF when /sys/kernel/btf/vmlinux is missing', () => {
    const e = probeUnavailable({
      platform: 'linux',
      arch: 'x64',
      caps: ALL,
      btfPath: '/nonexistent/vmlinux',
    })!;
    expect(e.code).toBe('NO_BTF');
    expect(e.message).toContain('(/nonexistent/vmlinux is missing)');
    expect(e.message).toContain('CONFIG_DEBUG_INFO_BTF=y');
  });

  it('refuses other platforms', () => {
    const e = probeUnavailable({ platform: 'darwin', arch: 'arm64', caps: ALL })!;
    expect(e.code).toBe('UNSUPPORTED_PLATFORM');
    expect(e.message).toBe('the eBPF probe runs on Linux x86-64 only, not darwin-arm64');
  });

  it('finds nothing missing with every capability and BTF present', () => {
    expect(probeUnavailable({ platform: 'linux', arch: 'x64', caps: ALL, btfPath: '/' })).toBeUndefined();
  });
});
