#!/usr/bin/env node
// Regenerates native/probe.lskel.h (the light skeleton: BPF object + loader, embedded in the addon) from
// bpf/probe.bpf.c. Needs clang, llvm-strip and bpftool (Debian: clang llvm bpftool libbpf-dev) and the running
// kernel's BTF for vmlinux.h. The generated header is committed, so building the addon needs none of these.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const pkg = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'sysray-bpf-'));
try {
  const vmlinux = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], {
    maxBuffer: 64 << 20,
  });
  writeFileSync(join(work, 'vmlinux.h'), vmlinux);
  const obj = join(work, 'probe.bpf.o');
  execFileSync(
    'clang',
    [
      '-g',
      '-O2',
      '-target',
      'bpf',
      '-D__TARGET_ARCH_x86',
      `-I${work}`,
      `-I${join(pkg, 'bpf')}`,
      '-c',
      join(pkg, 'bpf', 'probe.bpf.c'),
      '-o',
      obj,
    ],
    { stdio: 'inherit' },
  );
  execFileSync('llvm-strip', ['-g', obj], { stdio: 'inherit' });
  const skel = execFileSync('bpftool', ['gen', 'skeleton', '-L', obj, 'name', 'sysray_probe'], {
    maxBuffer: 64 << 20,
  });
  writeFileSync(join(pkg, 'native', 'probe.lskel.h'), skel);
  console.log(`build-bpf: wrote native/probe.lskel.h (${skel.length} bytes)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
