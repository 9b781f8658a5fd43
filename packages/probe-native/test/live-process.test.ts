/**
 * Process fields the probe computes in the kernel, checked against what the workload and /proc report:
 * pidns_init_start_ts and CLONE_CHILD_IN_PIDNS of clone events (root and a new pid namespace), reaper_tid of
 * procexit (a child-subreaper, a thread group whose main thread exits first), the execve flags (writable by owner,
 * not by another user, not on a read-only mount, memfd, overlayfs upper/lower layer) and the overlay layer flags
 * of open and creat.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScapEvent } from '@sysray/pcapng/scap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapture } from '../src/index.js';
import { decodeEvent, type Ev } from './live-events.js';
import { canMountOverlay, canRunLive, mountCmd } from './live-gate.js';

const SCRIPT = `
import ctypes, json, os, shutil, sys, threading, time
libc = ctypes.CDLL(None, use_errno=True)
d, merged, ro = sys.argv[1:4]
out = {'self': os.getpid()}

def run(path, argv, uid=None):
    pid = os.fork()
    if pid == 0:
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        os.execv(path, argv)
    os.waitpid(pid, 0)
    return pid

# pid namespaces: a child in the root one, then the init of a new one and the init's child
out['plain_child'] = run('/bin/true', ['true'])
r, w = os.pipe()
holder = os.fork()
if holder == 0:
    if libc.unshare(0x20000000) != 0:
        os._exit(1)
    init = os.fork()
    if init == 0:
        stat = open('/proc/self/stat').read()
        info = {'init': int(os.readlink('/proc/self')), 'init_start': int(stat.rsplit(')', 1)[1].split()[19])}
        gc = os.fork()
        if gc == 0:
            os._exit(0)
        os.waitpid(gc, 0)
        info['gc_vpid'] = gc
        os.write(w, json.dumps(info).encode())
        os._exit(0)
    os.waitpid(init, 0)
    os._exit(0)
os.close(w)
os.waitpid(holder, 0)
out['ns'] = json.loads(os.read(r, 4096))
out['ns']['holder'] = holder

# reaper: this process is a child-subreaper; B leaves an orphan C behind
libc.prctl(36, 1, 0, 0, 0)
b = os.fork()
if b == 0:
    if os.fork() == 0:
        time.sleep(0.3)
        os._exit(0)
    os._exit(0)
os.waitpid(b, 0)
out['orphaner'] = b
out['orphan'] = os.wait()[0]
# a thread group whose main thread (parent of a child) exits first while another thread lives on
r2, w2 = os.pipe()
t = os.fork()
if t == 0:
    if os.fork() == 0:
        time.sleep(0.3)
        os._exit(0)
    def keep():
        os.write(w2, str(threading.get_native_id()).encode())
        time.sleep(0.5)
    threading.Thread(target=keep).start()
    time.sleep(0.1)
    libc.syscall(60, 0)  # SYS_exit: this thread only
os.close(w2)
out['threaded'] = t
out['survivor'] = int(os.read(r2, 64))
os.waitpid(t, 0)

# execve flags
shutil.copy('/bin/true', d + '/mytrue')
os.chmod(d + '/mytrue', 0o755)
out['own_exec'] = run(d + '/mytrue', ['mytrue'])
out['nobody_exec'] = run('/bin/true', ['true'], uid=65534)
out['ro_exec'] = run(ro + '/rotrue', ['rotrue'])
m = os.memfd_create('sysray-exe')
os.write(m, open('/bin/true', 'rb').read())
pid = os.fork()
if pid == 0:
    os.execve(m, ['memtrue'], {})
os.waitpid(pid, 0)
out['memfd_exec'] = pid
if merged:
    out['lower_exec'] = run(merged + '/lowtrue', ['lowtrue'])
    out['upper_exec'] = run(merged + '/uptrue', ['uptrue'])
    os.close(os.open(merged + '/low.txt', os.O_RDONLY))
    os.close(os.open(merged + '/up.txt', os.O_RDONLY))
    os.close(libc.syscall(85, (merged + '/new.txt').encode(), 0o644))
print(json.dumps(out))
`;

interface Out {
  self: number;
  plain_child: number;
  ns: { init: number; init_start: number; gc_vpid: number; holder: number };
  orphaner: number;
  orphan: number;
  threaded: number;
  survivor: number;
  own_exec: number;
  nobody_exec: number;
  ro_exec: number;
  memfd_exec: number;
  lower_exec?: number;
  upper_exec?: number;
}

const FORKS = ['clone', 'clone3', 'fork', 'vfork'];
const names = (v: unknown) => (v as { names: string[] }).names;

/** Field 22 of /proc/<pid>/stat: start time in clock ticks (100 Hz) since boot. */
function statStart(pid: number | 'self'): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[19]);
}

describe.skipIf(!canRunLive)('live process fields (root)', () => {
  let dir: string;
  let merged = '';
  let ro: string;
  const mounted: string[] = [];
  let evs: Ev[] = [];
  let out: Out;
  /** CLOCK_BOOTTIME − CLOCK_MONOTONIC now (ns, to 10 ms): /proc start times count boot time, the kernel's monotonic. */
  let suspendedNs = 0;

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'sysray-proc-')));
    writeFileSync(join(dir, 'w.py'), SCRIPT);
    ro = join(dir, 'ro');
    mkdirSync(ro);
    for (const err of [
      mountCmd(['mount', '-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', ro]),
      (() => {
        mounted.push(ro);
        copyFileSync('/bin/true', join(ro, 'rotrue'));
        return mountCmd(['mount', '-o', 'remount,ro', ro]);
      })(),
    ])
      if (err) throw new Error(`cannot prepare the read-only tmpfs: ${err}`);
    if (canMountOverlay) {
      for (const d of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(dir, d));
      copyFileSync('/bin/true', join(dir, 'lower', 'lowtrue'));
      copyFileSync('/bin/true', join(dir, 'upper', 'uptrue'));
      writeFileSync(join(dir, 'lower', 'low.txt'), 'lower');
      writeFileSync(join(dir, 'upper', 'up.txt'), 'upper');
      merged = join(dir, 'merged');
      const opts = `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work`;
      const err = mountCmd(['mount', '-t', 'overlay', 'overlay', '-o', opts, merged]);
      if (err) throw new Error(`cannot mount the overlayfs: ${err}`);
      mounted.push(merged);
    }
    const cap = startCapture({ scanProc: false });
    const all: Ev[] = [];
    const reading = (async () => {
      const ev = new ScapEvent();
      for await (const b of cap)
        for (let i = 0; i < b.count; i++) {
          ev.load(b, i);
          if (!['procexit', 'execve', 'execveat', 'openat', 'open', 'creat', ...FORKS].includes(ev.name))
            continue;
          all.push(decodeEvent(ev));
        }
    })();
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn('/usr/bin/python3', [join(dir, 'w.py'), dir, merged, ro], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(r.code).toBe(0);
    out = JSON.parse(r.stdout);
    suspendedNs =
      Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1e9 - Number(process.hrtime.bigint());
    await new Promise((res) => setTimeout(res, 100));
    await cap.stop();
    await reading;
    evs = all;
  }, 60_000);

  afterAll(() => {
    for (const m of mounted.reverse()) mountCmd(['umount', m]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const childSide = (tid: number) =>
    evs.find((e) => FORKS.includes(e.name) && e.tid === tid && e.params.res === 0);
  const parentSide = (child: number) => evs.find((e) => FORKS.includes(e.name) && e.params.res === child);
  const exec = (tid: number) => evs.find((e) => e.name === 'execve' && e.tid === tid && e.params.res === 0);
  const exit = (tid: number) => evs.find((e) => e.name === 'procexit' && e.tid === tid);

  it('pidns_init_start_ts of a child in the root pid namespace is the start time of pid 1', () => {
    const c = childSide(out.plain_child)!;
    const ts = Number(c.params.pidns_init_start_ts);
    // /proc/1/stat counts whole ticks of 10 ms: the kernel's nanoseconds fall inside that tick
    const ticks = statStart(1);
    expect(ts).toBeGreaterThanOrEqual(ticks * 1e7);
    expect(ts).toBeLessThan((ticks + 1) * 1e7);
    expect(names(c.params.flags)).not.toContain('CLONE_CHILD_IN_PIDNS');
    expect(c.params).toMatchObject({ vtid: out.plain_child, vpid: out.plain_child });
    // only the child's return carries it
    expect(Number(parentSide(out.plain_child)!.params.pidns_init_start_ts)).toBe(0);
  });

  it('in a new pid namespace: its init start time, CLONE_CHILD_IN_PIDNS and the virtual ids', () => {
    const { init, init_start, gc_vpid, holder } = out.ns;
    const i = childSide(init)!;
    expect(i.params).toMatchObject({ vtid: 1, vpid: 1, ptid: holder });
    expect(names(i.params.flags)).toContain('CLONE_CHILD_IN_PIDNS');
    // the parent's return: its children go to another namespace than its own
    expect(names(parentSide(init)!.params.flags)).toContain('CLONE_CHILD_IN_PIDNS');
    const ts = Number(i.params.pidns_init_start_ts);
    expect(Math.abs(ts + suspendedNs - init_start * 1e7 - 5e6)).toBeLessThanOrEqual(1.5e7);
    const gc = evs.find((e) => FORKS.includes(e.name) && e.params.res === 0 && e.params.ptid === init)!;
    expect(gc.params).toMatchObject({ vtid: gc_vpid, vpid: gc_vpid });
    expect(gc_vpid).toBe(2);
    expect(names(gc.params.flags)).toContain('CLONE_CHILD_IN_PIDNS');
    expect(gc.params.pidns_init_start_ts).toBe(i.params.pidns_init_start_ts);
    // the init's start time is not pid 1's
    expect(Number(i.params.pidns_init_start_ts)).toBeGreaterThan(statStart(1) * 1e7 + 1e7);
  });

  it('reaper_tid: the child-subreaper ancestor, another live thread of the group, 0 without children', () => {
    expect(exit(out.orphaner)!.params.reaper_tid).toBe(out.self);
    expect(exit(out.orphan)!.params.reaper_tid).toBe(0);
    expect(exit(out.threaded)!.params.reaper_tid).toBe(out.survivor);
    expect(exit(out.plain_child)!.params.reaper_tid).toBe(0);
  });

  it('execve flags: writable by its owner, not by another user, not on a read-only mount, memfd', () => {
    expect(names(exec(out.own_exec)!.params.flags)).toEqual(['EXE_WRITABLE']);
    expect(exec(out.nobody_exec)!.params).toMatchObject({ uid: 65534, flags: { value: 0 } });
    expect(exec(out.ro_exec)!.params).toMatchObject({ uid: 0, flags: { value: 0 } });
    const m = exec(out.memfd_exec)!;
    expect(m.params.exe).toBe('memtrue');
    expect(names(m.params.flags).sort()).toEqual(['EXE_FROM_MEMFD', 'EXE_WRITABLE']);
  });

  it.skipIf(!canMountOverlay)('overlayfs: execve, open and creat flags name the layer of the file', () => {
    expect(names(exec(out.lower_exec!)!.params.flags).sort()).toEqual(['EXE_LOWER_LAYER', 'EXE_WRITABLE']);
    expect(names(exec(out.upper_exec!)!.params.flags).sort()).toEqual(['EXE_UPPER_LAYER', 'EXE_WRITABLE']);
    const opened = (name: string) =>
      evs.find((e) => (e.name === 'openat' || e.name === 'open') && e.params.name === join(merged, name));
    expect(names(opened('low.txt')!.params.flags)).toEqual(['O_RDONLY', 'O_CLOEXEC', 'FD_LOWER_LAYER']);
    expect(names(opened('up.txt')!.params.flags)).toEqual(['O_RDONLY', 'O_CLOEXEC', 'FD_UPPER_LAYER']);
    const c = evs.find((e) => e.name === 'creat' && e.params.name === join(merged, 'new.txt'))!;
    expect(Number(c.params.fd)).toBeGreaterThanOrEqual(0);
    expect(names(c.params.creat_flags)).toEqual(['FD_UPPER_LAYER_CREAT']);
    // a file outside any overlay has no layer flag
    const plain = evs.find((e) => e.name === 'openat' && e.params.name === '/bin/true')!;
    expect(names(plain.params.flags)).not.toEqual(expect.arrayContaining(['FD_LOWER_LAYER']));
    expect(names(plain.params.flags)).not.toEqual(expect.arrayContaining(['FD_UPPER_LAYER']));
  });
});
