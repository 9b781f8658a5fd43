/**
 * The state before the capture: every thread and open fd read from /proc, encoded as process list (PL) and
 * fd list (FDL) blocks with `@sysray/pcapng/scap`, as Falco's capture does at start.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { hostname, totalmem } from 'node:os';
import {
  encodeFdListBlock,
  encodeMachineInfoBlock,
  encodeProcessListBlock,
  type ScapFdInfo,
  ScapFdType,
  type ScapThreadInfo,
} from '@sysray/pcapng/scap';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function link(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function ids(dir: string): number[] {
  try {
    return readdirSync(dir)
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** Linux open flags to Falco's PPM_O_* encoding (what the probe writes for open flags too). */
export function openFlagsToScap(f: number): number {
  let r = 0;
  const acc = f & 3;
  if (acc === 0) r |= 1;
  else if (acc === 1) r |= 2;
  else if (acc === 2) r |= 3;
  const map: [number, number][] = [
    [0o100, 4],
    [0o2000, 8],
    [0o10000, 16],
    [0o200, 32],
    [0o4000, 64],
    [0o1000, 256],
    [0o40000, 512],
    [0o200000, 1024],
    [0o100000, 2048],
    [0o2000000, 4096],
  ];
  for (const [bit, v] of map) if (f & bit) r |= v;
  if ((f & 0o4010000) === 0o4010000) r |= 128;
  if ((f & 0o20200000) === 0o20200000) r |= 8192;
  return r;
}

/** Linux `dev_t` (major << 20 | minor in the kernel; st_dev from Node is the userspace encoding) to scap's. */
function scapDev(stDev: number): number {
  const major = ((stDev >>> 8) & 0xfff) | (Math.floor(stDev / 2 ** 32) & ~0xfff);
  const minor = (stDev & 0xff) | ((stDev >>> 12) & 0xfff00);
  return ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0;
}

function nulList(s: string | undefined): string[] {
  if (!s) return [];
  const parts = s.split('\0');
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function statusField(status: string, name: string): string[] {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status);
  return m ? m[1]!.trim().split(/\s+/) : [];
}

/** The cgroups of a process as libscap lists them (`controller=path`; cgroup v2 as `cpu=` and `memory=`). */
function cgroupsOf(text: string | undefined): string[] {
  const out: string[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '') out.push(`cpu=${m[2]}`, `memory=${m[2]}`);
    else for (const c of m[1]!.split(',')) out.push(`${c.replace(/^name=/, '')}=${m[2]}`);
  }
  return out;
}

/** One thread from /proc/PID/task/TID, or undefined when it vanished. */
export function readThread(pid: number, tid: number): ScapThreadInfo | undefined {
  const base = `/proc/${pid}/task/${tid}`;
  const status = read(`${base}/status`);
  const stat = read(`${base}/stat`);
  if (!status || !stat) return undefined;
  // stat: pid (comm) state ppid pgrp session tty ... minflt(10) cminflt majflt(12)
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const argv = nulList(read(`/proc/${pid}/cmdline`));
  const uid = statusField(status, 'Uid');
  const gid = statusField(status, 'Gid');
  const nspid = statusField(status, 'NSpid');
  const nstgid = statusField(status, 'NStgid');
  const kb = (n: string) => Number(statusField(status, n)[0] ?? 0);
  const limits = read(`/proc/${pid}/limits`) ?? '';
  const nofile = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
  const loginuid = Number(read(`/proc/${pid}/loginuid`) ?? 0xffffffff);
  const cap = (n: string) => BigInt(`0x${statusField(status, n)[0] ?? '0'}`);
  return {
    tid,
    pid,
    ptid: Number(statusField(status, 'PPid')[0] ?? 0),
    sid: Number(rest[3] ?? 0),
    vpgid: Number(rest[2] ?? 0),
    comm: (read(`${base}/comm`) ?? '').replace(/\n$/, ''),
    exe: argv[0] ?? '',
    exepath: link(`/proc/${pid}/exe`) ?? '',
    args: argv.slice(1),
    cwd: link(`/proc/${pid}/cwd`) ?? '',
    fdlimit: nofile === undefined || nofile === 'unlimited' ? 0 : Number(nofile),
    flags: 0,
    uid: Number(uid[1] ?? 0),
    gid: Number(gid[1] ?? 0),
    vmsizeKb: kb('VmSize'),
    vmrssKb: kb('VmRSS'),
    vmswapKb: kb('VmSwap'),
    pfmajor: Number(rest[9] ?? 0),
    pfminor: Number(rest[7] ?? 0),
    env: nulList(read(`/proc/${pid}/environ`)),
    vtid: Number(nspid[nspid.length - 1] ?? tid),
    vpid: Number(nstgid[nstgid.length - 1] ?? pid),
    cgroups: cgroupsOf(read(`/proc/${pid}/cgroup`)),
    root: link(`/proc/${pid}/root`) ?? '/',
    loginuid: Number.isFinite(loginuid) ? loginuid : 0xffffffff,
    exeWritable: false,
    capInheritable: cap('CapInh'),
    capPermitted: cap('CapPrm'),
    capEffective: cap('CapEff'),
  };
}

interface SockEntry {
  type: number;
  sip?: string;
  dip?: string;
  sport?: number;
  dport?: number;
  l4proto?: number;
  name?: string;
  source?: string;
  dest?: string;
}

function hexIpv4(h: string): string {
  const n = Number.parseInt(h, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
}

function hexIpv6(h: string): string {
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const le = h.slice(w * 8, w * 8 + 8);
    const be = le.match(/../g)!.reverse().join('');
    words.push(be.slice(0, 4), be.slice(4));
  }
  return words.map((x) => Number.parseInt(x, 16).toString(16)).join(':');
}

/** Socket inode → socket description, from /proc/net/{tcp,tcp6,udp,udp6,unix} of a process's namespace. */
export function readSockets(pid: number | 'self'): Map<string, SockEntry> {
  const out = new Map<string, SockEntry>();
  const inet = (file: string, v6: boolean, proto: number) => {
    const lines = (read(`/proc/${pid}/net/${file}`) ?? '').split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const [la, lp] = f[1]!.split(':');
      const [ra, rp] = f[2]!.split(':');
      const ip = v6 ? hexIpv6 : hexIpv4;
      const listening = proto === 6 ? f[3] === '0A' : Number.parseInt(rp!, 16) === 0;
      const e: SockEntry = listening
        ? {
            type: v6 ? ScapFdType.IPV6_SERVSOCK : ScapFdType.IPV4_SERVSOCK,
            sip: ip(la!),
            sport: Number.parseInt(lp!, 16),
            l4proto: proto,
          }
        : {
            type: v6 ? ScapFdType.IPV6_SOCK : ScapFdType.IPV4_SOCK,
            sip: ip(la!),
            sport: Number.parseInt(lp!, 16),
            dip: ip(ra!),
            dport: Number.parseInt(rp!, 16),
            l4proto: proto,
          };
      out.set(f[9]!, e);
    }
  };
  inet('tcp', false, 6);
  inet('tcp6', true, 6);
  inet('udp', false, 17);
  inet('udp6', true, 17);
  for (const line of (read(`/proc/${pid}/net/unix`) ?? '').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    out.set(f[6]!, {
      type: ScapFdType.UNIX_SOCK,
      name: f[7] ?? '',
      source: f[0]!.replace(/:$/, ''),
      dest: '0',
    });
  }
  return out;
}

/** The open fds of a process. */
export function readFds(pid: number, sockets: Map<string, SockEntry>): ScapFdInfo[] {
  const out: ScapFdInfo[] = [];
  for (const fd of ids(`/proc/${pid}/fd`)) {
    const target = link(`/proc/${pid}/fd/${fd}`);
    if (target === undefined) continue;
    const info = read(`/proc/${pid}/fdinfo/${fd}`) ?? '';
    const flags = Number.parseInt(/^flags:\s*([0-7]+)/m.exec(info)?.[1] ?? '0', 8);
    const ino = Number(/^ino:\s*(\d+)/m.exec(info)?.[1] ?? 0);
    const bracket = /^(socket|pipe|anon_inode):\[?([^\]]*)\]?$/.exec(target);
    if (bracket?.[1] === 'socket') {
      const s = sockets.get(bracket[2]!);
      if (s) out.push({ tid: pid, fd, ino: Number(bracket[2]), ...s });
      else out.push({ tid: pid, fd, ino: Number(bracket[2]), type: ScapFdType.UNKNOWN });
    } else if (bracket?.[1] === 'pipe') {
      out.push({ tid: pid, fd, ino: Number(bracket[2]), type: ScapFdType.FIFO, name: '' });
    } else if (bracket?.[1] === 'anon_inode') {
      const kind = bracket[2]!;
      const type =
        kind === 'eventfd'
          ? ScapFdType.EVENT
          : kind === 'eventpoll'
            ? ScapFdType.EVENTPOLL
            : kind === 'signalfd'
              ? ScapFdType.SIGNALFD
              : kind === 'inotify'
                ? ScapFdType.INOTIFY
                : kind === 'timerfd'
                  ? ScapFdType.TIMERFD
                  : kind === 'bpf-map' || kind === 'bpf-prog'
                    ? ScapFdType.BPF
                    : ScapFdType.UNKNOWN;
      out.push({ tid: pid, fd, ino, type, name: type === ScapFdType.UNKNOWN ? undefined : '' });
    } else if (target.startsWith('/memfd:')) {
      out.push({ tid: pid, fd, ino, type: ScapFdType.MEMFD, name: target.replace(/ \(deleted\)$/, '') });
    } else if (target.startsWith('/')) {
      let dev: number | undefined;
      let dir = false;
      try {
        const st = statSync(`/proc/${pid}/fd/${fd}`);
        dev = scapDev(st.dev);
        dir = st.isDirectory();
      } catch {
        dev = undefined;
      }
      if (dir) out.push({ tid: pid, fd, ino, type: ScapFdType.DIRECTORY, name: target });
      else
        out.push({
          tid: pid,
          fd,
          ino,
          type: ScapFdType.FILE_V2,
          name: target,
          openFlags: openFlagsToScap(flags),
          dev,
        });
    }
  }
  return out;
}

/** The threads and fds of every process, as capture blocks (MI, then PL, then one FDL per process). */
export interface ProcSnapshot {
  threads: ScapThreadInfo[];
  fds: Map<number, ScapFdInfo[]>;
  /** MI + PL + FDL blocks, little-endian, ready to follow a section header. */
  blocks: Uint8Array[];
}

/** Scans /proc (every process and thread, their fds), skipping the processes in `skip`. */
export function scanProc(skip: ReadonlySet<number> = new Set()): ProcSnapshot {
  const threads: ScapThreadInfo[] = [];
  const fds = new Map<number, ScapFdInfo[]>();
  const sockets = readSockets('self');
  let maxPid = 0;
  for (const pid of ids('/proc')) {
    maxPid = Math.max(maxPid, pid);
    if (skip.has(pid)) continue;
    for (const tid of ids(`/proc/${pid}/task`)) {
      const t = readThread(pid, tid);
      if (t) threads.push(t);
    }
    const list = readFds(pid, sockets);
    if (list.length) fds.set(pid, list);
  }
  const pidMax = Number((read('/proc/sys/kernel/pid_max') ?? `${maxPid}`).trim());
  const cpus = ids('/sys/devices/system/cpu').length || 1;
  const onlineCpus = (read('/sys/devices/system/cpu/online') ?? '0').trim();
  const blocks: Uint8Array[] = [
    encodeMachineInfoBlock({
      numCpus: countCpus(onlineCpus) || cpus,
      memorySizeBytes: BigInt(totalmem()),
      maxPid: pidMax,
      hostname: hostname(),
      extra: [],
    }),
    encodeProcessListBlock(threads),
  ];
  for (const [pid, list] of fds) blocks.push(encodeFdListBlock(pid, list));
  return { threads, fds, blocks };
}

function countCpus(list: string): number {
  let n = 0;
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    n += b === undefined ? 1 : b - a + 1;
  }
  return n;
}
