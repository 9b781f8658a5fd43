import { describe, expect, it } from 'vitest';
import type { EventContext } from '../../src/index.js';
import { type CraftedEvent, craftCapture, inspectSync, plThread } from '../helpers.js';

function run(events: CraftedEvent[], each?: (c: EventContext) => void) {
  return inspectSync(craftCapture([plThread({ tid: 10, cwd: '/home/u/' })], events), each);
}

describe('fd parsers', () => {
  it('open/openat/creat: paths resolve against the cwd or dirfd; flags are kept', () => {
    const insp = run([
      { name: 'open', tid: 10, params: { fd: 3, name: 'a.txt', flags: 1, mode: 0 } },
      { name: 'openat', tid: 10, params: { fd: 4, dirfd: -100, name: '/etc', flags: 1024 | 1 } },
      { name: 'openat', tid: 10, params: { fd: 5, dirfd: 4, name: 'hosts', flags: 2 } },
      { name: 'creat', tid: 10, params: { fd: 6, name: '/tmp/new', mode: 0o644 } },
      { name: 'openat2', tid: 10, params: { fd: 7, dirfd: -100, name: '../x', flags: 3 } },
    ]);
    const fds = insp.threads.get(10)!.fds;
    expect(fds.get(3)?.name).toBe('/home/u/a.txt');
    expect(fds.get(4)?.kind).toBe('directory');
    expect(fds.get(5)?.name).toBe('/etc/hosts');
    expect(fds.get(5)?.nameRaw).toBe('hosts');
    expect(fds.get(6)?.name).toBe('/tmp/new');
    expect(fds.get(7)?.name).toBe('/home/x');
  });

  it('a failed open leaves no fd but the event still shows the name with fd.num -1', () => {
    let seen: [number | undefined, string | undefined] = [undefined, undefined];
    const insp = run(
      [{ name: 'openat', tid: 10, params: { fd: -2, dirfd: -100, name: '/nope', flags: 1 } }],
      (c) => {
        seen = [c.fd?.fd, c.fd?.name];
      },
    );
    expect(seen).toEqual([-1, '/nope']);
    expect(insp.threads.get(10)!.fds.size).toBe(0);
  });

  it('close removes the fd after the close event has shown it', () => {
    let name: string | undefined;
    const insp = run(
      [
        { name: 'openat', tid: 10, params: { fd: 3, dirfd: -100, name: '/a', flags: 1 } },
        { name: 'close', dir: '>', tid: 10, params: { fd: 3 } },
        { name: 'close', tid: 10, params: { res: 0 } },
      ],
      (c) => {
        if (c.ev.name === 'close') name = c.fd?.name;
      },
    );
    expect(name).toBe('/a');
    expect(insp.threads.get(10)!.fds.get(3)).toBeUndefined();
  });

  it('dup, dup2, dup3 and fcntl(F_DUPFD) copy the fd to the new number', () => {
    const insp = run([
      { name: 'openat', tid: 10, params: { fd: 3, dirfd: -100, name: '/a', flags: 1 } },
      { name: 'dup', tid: 10, params: { res: 4, oldfd: 3 } },
      { name: 'dup2', tid: 10, params: { res: 0, oldfd: 3, newfd: 0 } },
      { name: 'dup3', tid: 10, params: { res: 7, oldfd: 3, newfd: 7, flags: 0 } },
      { name: 'fcntl', tid: 10, params: { res: 8, fd: 3, cmd: 1 } },
      { name: 'fcntl', tid: 10, params: { res: 0, fd: 3, cmd: 4 } },
    ]);
    const fds = insp.threads.get(10)!.fds;
    for (const n of [0, 4, 7, 8]) expect(fds.get(n)?.name).toBe('/a');
    expect(fds.size).toBe(5);
  });

  it('IPv4 sockets: socket, connect give a client tuple; bind and listen make a server socket; accept a server-side connection', () => {
    const names: Record<string, string | undefined> = {};
    const insp = run(
      [
        { name: 'socket', tid: 10, params: { fd: 3, domain: 2, type: 1, proto: 0 } },
        {
          name: 'connect',
          tid: 10,
          params: {
            res: 0,
            tuple: { family: 'inet', sip: '10.0.0.1', sport: 5000, dip: '10.0.0.2', dport: 80 },
            fd: 3,
          },
        },
        { name: 'socket', tid: 10, params: { fd: 4, domain: 2, type: 2, proto: 0 } },
        {
          name: 'bind',
          tid: 10,
          params: { res: 0, addr: { family: 'inet', addr: '0.0.0.0', port: 53 }, fd: 4 },
        },
        { name: 'socket', tid: 10, params: { fd: 5, domain: 2, type: 1, proto: 0 } },
        { name: 'listen', tid: 10, params: { res: 0, fd: 5, backlog: 5 } },
        {
          name: 'accept4',
          tid: 10,
          params: {
            fd: 6,
            tuple: { family: 'inet', sip: '10.0.0.9', sport: 40000, dip: '10.0.0.1', dport: 8080 },
            queuepct: 0,
            flags: 0,
          },
        },
      ],
      (c) => {
        names[`${c.ev.name}${c.num}`] = c.fd?.name;
      },
    );
    const fds = insp.threads.get(10)!.fds;
    const c = fds.get(3)!;
    expect([c.name, c.role, c.l4proto, c.connected, c.lip, c.rport]).toEqual([
      '10.0.0.1:5000->10.0.0.2:80',
      'client',
      'tcp',
      true,
      '10.0.0.1',
      80,
    ]);
    expect(names.connect2).toBe('10.0.0.1:5000->10.0.0.2:80');
    expect(fds.get(4)?.l4proto).toBe('udp');
    expect(fds.get(4)?.name).toBe('0.0.0.0:53');
    expect(fds.get(5)?.listening).toBe(true);
    const a = fds.get(6)!;
    expect([a.role, a.cip, a.sport, a.lport, a.rip]).toEqual(['server', '10.0.0.9', 8080, 8080, '10.0.0.9']);
  });

  it('IPv6 and IPv4-mapped IPv6 connections; unix sockets and socketpair', () => {
    const insp = run([
      { name: 'socket', tid: 10, params: { fd: 3, domain: 10, type: 1, proto: 0 } },
      {
        name: 'connect',
        tid: 10,
        params: {
          res: 0,
          tuple: { family: 'inet6', sip: '2001:db8::1', sport: 5000, dip: '2001:db8::2', dport: 443 },
          fd: 3,
        },
      },
      { name: 'socket', tid: 10, params: { fd: 4, domain: 10, type: 1, proto: 0 } },
      {
        name: 'connect',
        tid: 10,
        params: {
          res: 0,
          tuple: { family: 'inet6', sip: '::ffff:10.0.0.1', sport: 5001, dip: '::ffff:10.0.0.2', dport: 80 },
          fd: 4,
        },
      },
      { name: 'socket', tid: 10, params: { fd: 5, domain: 1, type: 1, proto: 0 } },
      {
        name: 'connect',
        tid: 10,
        params: {
          res: 0,
          tuple: { family: 'unix', source: 'ffff1', dest: 'ffff2', path: '/run/x.sock' },
          fd: 5,
        },
      },
      {
        name: 'socketpair',
        tid: 10,
        params: { res: 0, fd1: 6, fd2: 7, source: 1, peer: 2, domain: 1, type: 1, proto: 0 },
      },
    ]);
    const fds = insp.threads.get(10)!.fds;
    expect([fds.get(3)?.kind, fds.get(3)?.sip]).toEqual(['ipv6', '2001:db8::2']);
    expect([fds.get(4)?.kind, fds.get(4)?.name]).toEqual(['ipv4', '10.0.0.1:5001->10.0.0.2:80']);
    expect([fds.get(5)?.kind, fds.get(5)?.name]).toEqual(['unix', '/run/x.sock']);
    expect([fds.get(6)?.kind, fds.get(7)?.kind]).toEqual(['unix', 'unix']);
  });

  it('pipe, eventfd, signalfd, inotify, timerfd, epoll and memfd_create create fds of their kind', () => {
    const insp = run([
      { name: 'pipe2', tid: 10, params: { res: 0, fd1: 3, fd2: 4, ino: 99, flags: 0 } },
      { name: 'eventfd2', tid: 10, params: { res: 5, flags: 0 } },
      { name: 'signalfd4', tid: 10, params: { res: 6, flags: 0 } },
      { name: 'inotify_init1', tid: 10, params: { res: 7, flags: 0 } },
      { name: 'timerfd_create', tid: 10, params: { res: 8, clockid: 0, flags: 0 } },
      { name: 'epoll_create1', tid: 10, params: { res: 9, flags: 0 } },
      { name: 'memfd_create', tid: 10, params: { fd: 10, name: 'payload', flags: 0 } },
    ]);
    const kinds = [...insp.threads.get(10)!.fds.fds.values()].map((f) => f.typeChar).join('');
    expect(kinds).toBe('ppesitlm');
    expect(insp.threads.get(10)!.fds.get(10)?.name).toBe('memfd:payload');
  });

  it('older captures: parameters missing on the exit event are taken from the paired enter event', () => {
    let seen: string | undefined;
    run(
      [
        { name: 'read', dir: '>', tid: 10, params: { fd: 3, size: 10 } },
        { name: 'openat', tid: 10, params: { fd: 3, dirfd: -100, name: '/data', flags: 1 } },
        { name: 'read', dir: '>', tid: 10, params: { fd: 3, size: 10 } },
        { name: 'read', tid: 10, params: { res: 10, data: new Uint8Array(10) } },
      ],
      (c) => {
        if (c.ev.name === 'read') seen = c.fd?.name;
      },
    );
    expect(seen).toBe('/data');
  });
});
