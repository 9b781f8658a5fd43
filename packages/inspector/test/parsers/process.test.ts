import { describe, expect, it } from 'vitest';
import { InspectorError } from '../../src/index.js';
import { type CraftedEvent, craftCapture, inspectSync, nulList, plThread } from '../helpers.js';

const CLONE_FILES = 1;
const CLONE_THREAD = 8192;
const O_CLOEXEC = 4096;

function cloneExit(
  tid: number,
  res: number,
  o: { pid?: number; ptid?: number; flags?: number; comm?: string } = {},
): CraftedEvent {
  return {
    name: 'clone',
    tid,
    params: {
      res,
      exe: '/bin/bash',
      args: nulList(['-c', 'x']),
      tid,
      pid: o.pid ?? tid,
      ptid: o.ptid ?? 1,
      cwd: '/home/u',
      fdlimit: 1024,
      comm: o.comm ?? 'bash',
      cgroups: nulList(['cpuset=/']),
      flags: o.flags ?? 0,
      uid: 1000,
      gid: 1000,
      vtid: tid,
      vpid: o.pid ?? tid,
    },
  };
}

function openat(tid: number, fd: number, name: string, flags = 1): CraftedEvent {
  return { name: 'openat', tid, params: { fd, dirfd: -100, name, flags, mode: 0, dev: 0, ino: 1 } };
}

describe('process parsers', () => {
  it('clone: the child inherits a copy of the fds, the cwd and the credentials', () => {
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10, cwd: '/home/u/', uid: 1000, gid: 1000 })],
        [openat(10, 3, '/tmp/a'), cloneExit(10, 11), cloneExit(11, 0, { ptid: 10 }), openat(10, 4, '/tmp/b')],
      ),
    );
    const child = insp.threads.get(11)!;
    expect(child.pid).toBe(11);
    expect(child.ptid).toBe(10);
    expect(child.cwd).toBe('/home/u/');
    expect(child.uid).toBe(1000);
    expect(child.fds.get(3)?.name).toBe('/tmp/a');
    expect(child.fds.get(4)).toBeUndefined(); // opened by the parent after the fork
  });

  it('clone with CLONE_FILES shares the fd table; CLONE_THREAD makes a thread of the same process', () => {
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10 })],
        [cloneExit(10, 12, { flags: CLONE_THREAD | CLONE_FILES }), openat(10, 5, '/tmp/c')],
      ),
    );
    const th = insp.threads.get(12)!;
    expect(th.pid).toBe(10);
    expect(th.isMain).toBe(false);
    expect(th.fds.get(5)?.name).toBe('/tmp/c');
  });

  it("clone: the child's own exit event first, then the parent's: the child is kept", () => {
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10 })],
        [cloneExit(11, 0, { ptid: 10, comm: 'child' }), cloneExit(10, 11)],
      ),
    );
    expect(insp.threads.get(11)?.comm).toBe('child');
    expect(insp.threads.get(11)?.vpid).toBe(11);
  });

  it('clone over a stale tid (pid reuse) replaces the old thread', () => {
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10 }), plThread({ tid: 11, comm: 'old', ptid: 1 })],
        [cloneExit(10, 11, { comm: 'bash' })],
      ),
    );
    expect(insp.threads.get(11)?.comm).toBe('bash');
    expect(insp.threads.get(11)?.ptid).toBe(10);
  });

  it('execve: exe, args, env, tty, loginuid, exepath change; close-on-exec fds are closed', () => {
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10 })],
        [
          openat(10, 3, '/tmp/keep'),
          openat(10, 4, '/tmp/cloexec', 1 | O_CLOEXEC),
          {
            name: 'execve',
            tid: 10,
            params: {
              res: 0,
              exe: 'ls',
              args: nulList(['-l', '/tmp']),
              tid: 10,
              pid: 10,
              ptid: 1,
              cwd: '/tmp',
              comm: 'ls',
              cgroups: nulList(['cpuset=/']),
              env: nulList(['A=1', 'B=2']),
              tty: 34816,
              loginuid: 1000,
              uid: 0,
              trusted_exepath: '/usr/bin/ls',
              gid: 0,
            },
          },
        ],
      ),
    );
    const t = insp.threads.get(10)!;
    expect([t.comm, t.exe, t.exepath, t.args, t.env, t.tty, t.loginuid, t.cwd]).toEqual([
      'ls',
      'ls',
      '/usr/bin/ls',
      ['-l', '/tmp'],
      ['A=1', 'B=2'],
      34816,
      1000,
      '/tmp/',
    ]);
    expect(t.fds.get(3)).toBeDefined();
    expect(t.fds.get(4)).toBeUndefined();
  });

  it('execve: without a trusted path, exepath is the enter event filename resolved against the cwd', () => {
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10, cwd: '/opt/app/' })],
        [
          { name: 'execve', dir: '>', tid: 10, params: { filename: './run' } },
          {
            name: 'execve',
            tid: 10,
            params: { res: 0, exe: './run', args: nulList([]), tid: 10, pid: 10, ptid: 1, comm: 'run' },
          },
        ],
      ),
    );
    expect(insp.threads.get(10)?.exepath).toBe('/opt/app/run');
  });

  it('a failed execve changes nothing', () => {
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10 })],
        [{ name: 'execve', tid: 10, params: { res: -2, exe: 'nope', tid: 10, pid: 10 } }],
      ),
    );
    expect(insp.threads.get(10)?.comm).toBe('bash');
  });

  it('procexit: the thread is still visible to its procexit event and gone before the next event', () => {
    let commAtExit: string | undefined;
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10 }), plThread({ tid: 20 })],
        [{ name: 'procexit', dir: '>', tid: 10, params: { status: 0 } }, openat(20, 3, '/x')],
      ),
      (c) => {
        if (c.ev.name === 'procexit') commAtExit = c.thread?.comm;
      },
    );
    expect(commAtExit).toBe('bash');
    expect(insp.threads.get(10)).toBeUndefined();
  });

  it('setuid / setresuid / setgid / setresgid change the effective ids only when they succeed', () => {
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10, uid: 0 })],
        [
          { name: 'setuid', tid: 10, params: { res: -1, uid: 5 } },
          { name: 'setresuid', tid: 10, params: { res: 0, ruid: 7, euid: 8, suid: 9 } },
          { name: 'setgid', tid: 10, params: { res: 0, gid: 44 } },
          { name: 'setresgid', tid: 10, params: { res: 0, rgid: 1, egid: 0xffffffff, sgid: 1 } },
        ],
      ),
    );
    const t = insp.threads.get(10)!;
    expect(t.uid).toBe(8);
    expect(t.gid).toBe(44);
  });

  it('chdir and fchdir update the cwd of the process', () => {
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10, cwd: '/root/' })],
        [
          { name: 'chdir', tid: 10, params: { res: 0, path: 'sub/dir' } },
          { name: 'openat', tid: 10, params: { fd: 5, dirfd: -100, name: '/var/lib', flags: 1024 | 1 } },
          { name: 'fchdir', tid: 10, params: { res: 0, fd: 5 } },
        ],
      ),
      (c) => {
        if (c.ev.name === 'chdir') expect(c.thread?.cwd).toBe('/root/sub/dir/');
      },
    );
    expect(insp.threads.get(10)?.cwd).toBe('/var/lib/');
  });

  it('events of threads never seen create incomplete threads with unknown credentials', () => {
    const insp = inspectSync(craftCapture([], [openat(77, 3, '/x')]));
    const t = insp.threads.get(77)!;
    expect(t.incomplete).toBe(true);
    expect(t.uid).toBe(0xffffffff);
    expect(t.fds.get(3)?.name).toBe('/x');
  });

  it('exit events without their enter event and with unknown fds do not crash', () => {
    const insp = inspectSync(
      craftCapture(
        [plThread({ tid: 10 })],
        [
          { name: 'close', tid: 10, params: { res: 0 } },
          { name: 'read', tid: 10, params: { res: 5, data: new Uint8Array(5), fd: 42, size: 5 } },
          { name: 'dup2', tid: 10, params: { res: 9, oldfd: 41, newfd: 9 } },
          { name: 'connect', tid: 10, params: { res: 0 } },
        ],
      ),
      (c) => {
        if (c.ev.name === 'read') {
          expect(c.fdNum).toBe(42);
          expect(c.fd).toBeUndefined();
        }
      },
    );
    expect(insp.threads.get(10)?.fds.size).toBe(0);
  });

  it('strict mode reports an undecodable event as InspectorError BAD_EVENT with its number and offset', () => {
    const bad: CraftedEvent = { name: 'openat', tid: 10, params: [new Uint8Array([1, 2, 3])] };
    const bytes = craftCapture([plThread({ tid: 10 })], [openat(10, 3, '/ok'), bad]);
    let err: unknown;
    try {
      inspectSync(bytes, undefined, { strict: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InspectorError);
    expect((err as InspectorError).code).toBe('BAD_EVENT');
    expect((err as InspectorError).eventNum).toBe(2);
    expect((err as InspectorError).offset).toBeGreaterThan(0);
    // Not strict: the undecodable parameter reads as missing, the rest goes on.
    const insp = inspectSync(bytes);
    expect(insp.eventsProcessed).toBe(2);
    expect(insp.threads.get(10)?.fds.get(3)?.name).toBe('/ok');
  });
});
