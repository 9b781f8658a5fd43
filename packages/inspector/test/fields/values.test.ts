import { resolveField } from '@sysray/falco-rules';
import { describe, expect, it } from 'vitest';
import { compileFilter, type EventContext, syscallFieldSets } from '../../src/index.js';
import { type CraftedEvent, craftCapture, inspectSync, nulList, plThread, T0 } from '../helpers.js';

const CID = 'c0ffee1234567890c0ffee1234567890c0ffee1234567890c0ffee1234567890';

/** Field values of every visible event, for the given fields. */
function values(
  events: CraftedEvent[],
  fields: string[],
  threads = defaultThreads(),
): Record<string, unknown>[] {
  const sets = syscallFieldSets();
  const ex = fields.map((f) => {
    const m = /^([^[]+)(?:\[(.*)\])?$/.exec(f)!;
    const r = resolveField(sets, m[1]!, m[2]);
    if (!r) throw new Error(`no field ${f}`);
    return [f, r.fieldSet.extractor(r.def, r.arg)] as const;
  });
  const out: Record<string, unknown>[] = [];
  inspectSync(craftCapture(threads, events), (c: EventContext) => {
    const row: Record<string, unknown> = {};
    for (const [f, e] of ex) row[f] = e(c);
    out.push(row);
  });
  return out;
}

function defaultThreads() {
  return [
    plThread({ tid: 1, ptid: 0, comm: 'systemd', exe: '/sbin/init', exepath: '/usr/lib/systemd/systemd' }),
    plThread({ tid: 50, ptid: 1, comm: 'sshd', exe: '/usr/sbin/sshd', exepath: '/usr/sbin/sshd' }),
    plThread({ tid: 60, ptid: 50, comm: 'bash', exe: '-bash', exepath: '/bin/bash', args: [] }),
    plThread({
      tid: 70,
      ptid: 60,
      comm: 'python3',
      exe: 'python3',
      exepath: '/usr/bin/python3',
      args: ['app.py', '--port', '80'],
      env: ['HOME=/root', 'LANG=C'],
      cwd: '/srv/app/',
      cgroups: [`cpuset=/docker/${CID}`],
      loginuid: 1000,
      uid: 0,
    }),
  ];
}

describe('field values', () => {
  it('evt.*: number, type, direction, result texts, failure and open flags', () => {
    const rows = values(
      [
        {
          name: 'openat',
          tid: 70,
          params: { fd: 3, dirfd: -100, name: 'data.db', flags: 2 | 4 | 256, mode: 0o755 },
        },
        { name: 'openat', tid: 70, params: { fd: -13, dirfd: -100, name: '/etc/shadow', flags: 1 } },
      ],
      [
        'evt.num',
        'evt.type',
        'evt.dir',
        'evt.res',
        'evt.rawres',
        'evt.failed',
        'evt.is_open_read',
        'evt.is_open_write',
        'evt.is_open_exec',
        'evt.arg.flags',
        'evt.arg[0]',
        'evt.arg.fd',
        'evt.time',
        'evt.hostname',
        'evt.category',
      ],
    );
    expect(rows[0]).toMatchObject({
      'evt.num': 1,
      'evt.type': 'openat',
      'evt.dir': '<',
      'evt.res': 'SUCCESS',
      'evt.rawres': 3,
      'evt.failed': false,
      'evt.is_open_read': false,
      'evt.is_open_write': true,
      'evt.is_open_exec': true,
      'evt.arg.flags': 'O_TRUNC|O_CREAT|O_WRONLY',
      'evt.arg.fd': '<f>/srv/app/data.db',
      'evt.time': '00:00:00.000001000',
      'evt.hostname': 'test-host',
      'evt.category': 'file',
    });
    expect(rows[1]).toMatchObject({
      'evt.res': 'EACCES',
      'evt.rawres': -13,
      'evt.failed': true,
      'evt.is_open_read': true,
      'evt.arg[0]': 'EACCES',
    });
  });

  it('proc.* and thread.*: names, command lines, ancestors, env, cwd, login uid', () => {
    const [row] = values(
      [{ name: 'openat', tid: 70, params: { fd: 3, dirfd: -100, name: '/x', flags: 1 } }],
      [
        'proc.name',
        'proc.exe',
        'proc.exepath',
        'proc.cmdline',
        'proc.args',
        'proc.pid',
        'proc.ppid',
        'proc.pname',
        'proc.pcmdline',
        'proc.pexepath',
        'proc.aname[2]',
        'proc.aname[3]',
        'proc.apid[2]',
        'proc.aname',
        'proc.env',
        'proc.env[LANG]',
        'proc.cwd',
        'proc.sid',
        'proc.tty',
        'thread.tid',
        'thread.ismain',
        'user.uid',
        'user.name',
        'user.loginuid',
      ],
    );
    expect(row).toEqual({
      'proc.name': 'python3',
      'proc.exe': 'python3',
      'proc.exepath': '/usr/bin/python3',
      'proc.cmdline': 'python3 app.py --port 80',
      'proc.args': 'app.py --port 80',
      'proc.pid': 70,
      'proc.ppid': 60,
      'proc.pname': 'bash',
      'proc.pcmdline': 'bash',
      'proc.pexepath': '/bin/bash',
      'proc.aname[2]': 'sshd',
      'proc.aname[3]': 'systemd',
      'proc.apid[2]': 50,
      'proc.aname': ['bash', 'sshd', 'systemd'],
      'proc.env': 'HOME=/root LANG=C',
      'proc.env[LANG]': 'C',
      'proc.cwd': '/srv/app/',
      'proc.sid': 70,
      'proc.tty': 0,
      'thread.tid': 70,
      'thread.ismain': true,
      'user.uid': 0,
      'user.name': 'root',
      'user.loginuid': 1000,
    });
  });

  it('fd.*: file name parts, socket endpoints and protocol', () => {
    const rows = values(
      [
        { name: 'openat', tid: 70, params: { fd: 3, dirfd: -100, name: '/etc/ssl/cert.pem', flags: 1 } },
        { name: 'socket', tid: 70, params: { fd: 4, domain: 2, type: 1, proto: 0 } },
        {
          name: 'connect',
          tid: 70,
          params: {
            res: 0,
            tuple: { family: 'inet', sip: '172.17.0.2', sport: 40000, dip: '93.184.216.34', dport: 443 },
            fd: 4,
          },
        },
      ],
      [
        'fd.num',
        'fd.name',
        'fd.directory',
        'fd.filename',
        'fd.type',
        'fd.typechar',
        'fd.l4proto',
        'fd.sip',
        'fd.sport',
        'fd.cip',
        'fd.lport',
        'fd.rip',
        'fd.sockfamily',
        'fd.connected',
        'fd.is_server',
      ],
    );
    expect(rows[0]).toMatchObject({
      'fd.num': 3,
      'fd.directory': '/etc/ssl',
      'fd.filename': 'cert.pem',
      'fd.type': 'file',
      'fd.typechar': 'f',
      'fd.sip': undefined,
    });
    expect(rows[2]).toMatchObject({
      'fd.num': 4,
      'fd.name': '172.17.0.2:40000->93.184.216.34:443',
      'fd.type': 'ipv4',
      'fd.l4proto': 'tcp',
      'fd.sip': '93.184.216.34',
      'fd.sport': 443,
      'fd.cip': '172.17.0.2',
      'fd.lport': 40000,
      'fd.rip': '93.184.216.34',
      'fd.sockfamily': 'ip',
      'fd.connected': true,
      'fd.is_server': false,
      'fd.directory': undefined,
    });
  });

  it('fs.path.*: the paths of one-path and two-path filesystem events', () => {
    const rows = values(
      [
        { name: 'unlinkat', tid: 70, params: { res: 0, dirfd: -100, name: 'old.log', flags: 0 } },
        {
          name: 'renameat2',
          tid: 70,
          params: { res: 0, olddirfd: -100, oldpath: 'a', newdirfd: -100, newpath: '/tmp/b', flags: 0 },
        },
        {
          name: 'symlinkat',
          tid: 70,
          params: { res: 0, target: '../etc/shadow', linkdirfd: -100, linkpath: 'ln' },
        },
      ],
      ['fs.path.name', 'fs.path.nameraw', 'fs.path.source', 'fs.path.target', 'fs.path.targetraw'],
    );
    expect(rows[0]).toMatchObject({
      'fs.path.name': '/srv/app/old.log',
      'fs.path.nameraw': 'old.log',
      'fs.path.source': undefined,
    });
    expect(rows[1]).toMatchObject({ 'fs.path.source': '/srv/app/a', 'fs.path.target': '/tmp/b' });
    expect(rows[2]).toMatchObject({
      'fs.path.source': '../etc/shadow',
      'fs.path.target': '/srv/app/ln',
      'fs.path.targetraw': 'ln',
    });
  });

  it('container.*: the 12-character id from cgroups, host for host processes, metadata from container events', () => {
    const json = JSON.stringify({
      container: {
        id: CID.slice(0, 12),
        type: 0,
        name: 'web',
        image: 'nginx:1',
        imagerepo: 'nginx',
        privileged: false,
        labels: { 'io.kubernetes.pod.namespace': 'prod' },
      },
    });
    const rows = values(
      [
        { name: 'container', dir: '>', tid: -1, params: { json } },
        { name: 'openat', tid: 70, params: { fd: 3, dirfd: -100, name: '/x', flags: 1 } },
        { name: 'openat', tid: 60, params: { fd: 3, dirfd: -100, name: '/x', flags: 1 } },
      ],
      ['container.id', 'container.name', 'container.image.repository', 'container.privileged', 'k8s.ns.name'],
    );
    // The container event itself is consumed, not shown.
    expect(rows).toEqual([
      {
        'container.id': CID.slice(0, 12),
        'container.name': 'web',
        'container.image.repository': 'nginx',
        'container.privileged': false,
        'k8s.ns.name': 'prod',
      },
      {
        'container.id': 'host',
        'container.name': 'host',
        'container.image.repository': undefined,
        'container.privileged': undefined,
        'k8s.ns.name': undefined,
      },
    ]);
  });

  it('execve fields describe the new program; evt.arg.flags of execve and proc.is_exe_* come from its flags', () => {
    const rows = values(
      [
        {
          name: 'execve',
          tid: 70,
          params: {
            res: 0,
            exe: '/tmp/x',
            args: nulList(['a']),
            tid: 70,
            pid: 70,
            ptid: 60,
            comm: 'x',
            flags: 1 | 2,
            trusted_exepath: '/tmp/x',
          },
        },
      ],
      [
        'proc.name',
        'proc.cmdline',
        'proc.is_exe_writable',
        'proc.is_exe_upper_layer',
        'proc.is_exe_from_memfd',
        'proc.pname',
      ],
    );
    expect(rows[0]).toEqual({
      'proc.name': 'x',
      'proc.cmdline': 'x a',
      'proc.is_exe_writable': true,
      'proc.is_exe_upper_layer': true,
      'proc.is_exe_from_memfd': false,
      'proc.pname': 'bash',
    });
  });

  it('compiled conditions evaluate over event contexts (IP networks, lists, ancestors)', () => {
    const f = compileFilter(
      'fd.snet in ("93.184.0.0/16") and proc.aname in (sshd) and fd.sport in (443, 8443)',
    );
    let hits = 0;
    inspectSync(
      craftCapture(defaultThreads(), [
        { name: 'socket', tid: 70, params: { fd: 4, domain: 2, type: 1, proto: 0 } },
        {
          name: 'connect',
          tid: 70,
          params: {
            res: 0,
            tuple: { family: 'inet', sip: '172.17.0.2', sport: 1, dip: '93.184.216.34', dport: 443 },
            fd: 4,
          },
        },
      ]),
      (c) => {
        if (f(c)) hits++;
      },
    );
    expect(hits).toBe(1);
    const v6 = compileFilter('fd.net = "2001:db8::/32" and not fd.snet in ("10.0.0.0/8") and fd.ip != "::1"');
    let v6hits = 0;
    inspectSync(
      craftCapture(defaultThreads(), [
        { name: 'socket', tid: 70, params: { fd: 4, domain: 10, type: 1, proto: 0 } },
        {
          name: 'connect',
          tid: 70,
          params: {
            res: 0,
            tuple: { family: 'inet6', sip: '2001:db8::1', sport: 1, dip: '2001:db8::2', dport: 443 },
            fd: 4,
          },
        },
      ]),
      (c) => {
        if (v6(c)) v6hits++;
      },
    );
    expect(v6hits).toBe(1);
    expect(T0).toBeGreaterThan(0n);
  });
});
