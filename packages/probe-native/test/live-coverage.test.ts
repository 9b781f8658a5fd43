/**
 * A second live workload (Python, so it calls the system calls Node does not expose: pipes, dup, fcntl,
 * memfd_create, accept4, sendmsg/recvmsg, readv/writev, pread/pwrite, setres*id, …): every call yields its exit
 * event with the parameters the script reports.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScapEvent } from '@sysray/pcapng/scap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapture } from '../src/index.js';
import { decodeEvent, type Ev } from './live-events.js';
import { canRunLive } from './live-gate.js';

const SCRIPT = `
import json, os, socket, struct, sys, fcntl
d = sys.argv[1]
out = {}
r, w = os.pipe()
out['pipe'] = [r, w]
# writes that fail (the read end of the pipe: EBADF) still carry the data they were given
for f in (lambda: os.write(r, b'xyz'), lambda: os.writev(r, [b'ab', b'c'])):
    try:
        f()
    except OSError:
        pass
out['dup'] = os.dup(w)
os.dup2(w, 100)
out['fcntl_getfl'] = fcntl.fcntl(r, fcntl.F_GETFL)
os.mkdir(d + '/sub', 0o750)
os.chdir(d + '/sub')
os.chdir(d)
fd = os.open(d + '/f.txt', os.O_RDWR | os.O_CREAT, 0o600)
out['file'] = fd
os.pwrite(fd, b'0123456789', 3)
os.pread(fd, 4, 5)
os.writev(fd, [b'ab', b'cde'])
os.lseek(fd, 0, 0)
os.readv(fd, [bytearray(2), bytearray(3)])
os.close(fd)
# vectored I/O with known iovecs (an empty one in the middle); the capture's snaplen is 16
v = os.open(d + '/v.txt', os.O_RDWR | os.O_CREAT, 0o600)
out['vfile'] = v
os.writev(v, [b'alpha-', b'', b'beta-', b'gamma-delta-epsilon'])
# glibc's pwritev/preadv call pwritev2/preadv2: the pwritev (296) and preadv (295) system calls directly
import ctypes
class Iovec(ctypes.Structure):
    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]
def iovecs(bufs):
    arr = (Iovec * len(bufs))()
    for i, b in enumerate(bufs):
        arr[i].base = ctypes.cast(b, ctypes.c_void_p)
        arr[i].len = len(b)
    return arr
sc = ctypes.CDLL(None, use_errno=True).syscall
sc.restype = ctypes.c_long
wbufs = [ctypes.create_string_buffer(b'XY', 2), ctypes.create_string_buffer(b'Z', 1)]
assert sc(296, v, iovecs(wbufs), 2, ctypes.c_long(100), 0) == 3
rbufs = [ctypes.create_string_buffer(1), ctypes.create_string_buffer(5)]
assert sc(295, v, iovecs(rbufs), 2, ctypes.c_long(100), 0) == 3
os.lseek(v, 0, 0)
os.readv(v, [bytearray(4), bytearray(40)])
os.close(v)
os.symlink(d + '/f.txt', d + '/sym')
os.link(d + '/f.txt', d + '/hard')
os.rmdir(d + '/sub')
m = os.memfd_create('sysray-memfd', os.MFD_CLOEXEC)
out['memfd'] = m
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(('127.0.0.1', 0))
srv.listen(7)
port = srv.getsockname()[1]
out['port'] = port
out['srv'] = srv.fileno()
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(('127.0.0.1', port))
out['client'] = c.fileno()
a, _ = srv.accept()
out['accepted'] = a.fileno()
out['client_port'] = c.getsockname()[1]
c.send(b'hello')
a.recvfrom(16)
c.sendmsg([b'msg', b'!'])
a.recvmsg(16)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 0))
u.sendto(b'dgram', u.getsockname())
u.recvfrom(16)
out['udp'] = u.fileno()
out['udp_port'] = u.getsockname()[1]
# an unconnected UDP socket: the tuple's remote end comes from msg_name
u.sendmsg([b'udp-', b'', b'msg'], [], 0, u.getsockname())
u.recvmsg(16)
# sendmmsg / recvmmsg (Python has neither): two datagrams to the socket itself, received together; a bad fd
class Msghdr(ctypes.Structure):
    _fields_ = [('name', ctypes.c_void_p), ('namelen', ctypes.c_uint32), ('iov', ctypes.c_void_p),
                ('iovlen', ctypes.c_size_t), ('control', ctypes.c_void_p), ('controllen', ctypes.c_size_t),
                ('flags', ctypes.c_int)]
class Mmsghdr(ctypes.Structure):
    _fields_ = [('hdr', Msghdr), ('len', ctypes.c_uint)]
dest = ctypes.create_string_buffer(struct.pack('<H', socket.AF_INET) + struct.pack('>H', u.getsockname()[1])
                                   + socket.inet_aton('127.0.0.1') + bytes(8), 16)
def mmsgs(iov_lists, names):
    arr = (Mmsghdr * len(iov_lists))()
    keep = []
    for i, bufs in enumerate(iov_lists):
        v = iovecs(bufs)
        keep.append(v)
        arr[i].hdr.name = ctypes.cast(names[i], ctypes.c_void_p)
        arr[i].hdr.namelen = 16
        arr[i].hdr.iov = ctypes.cast(v, ctypes.c_void_p)
        arr[i].hdr.iovlen = len(bufs)
    return arr, keep
sent, k1 = mmsgs([[ctypes.create_string_buffer(b'one-', 4), ctypes.create_string_buffer(b'first', 5)],
                  [ctypes.create_string_buffer(b'second-message-longer', 21)]], [dest, dest])
assert sc(307, u.fileno(), sent, 2, 0) == 2
got, k2 = mmsgs([[ctypes.create_string_buffer(64)], [ctypes.create_string_buffer(64)]],
                [ctypes.create_string_buffer(16), ctypes.create_string_buffer(16)])
assert sc(299, u.fileno(), got, 2, 0, None) == 2
assert sc(307, -1, sent, 2, 0) == -1
# a unix socket pair passing an fd (ancillary data: SCM_RIGHTS)
s1, s2 = socket.socketpair()
s1.sendmsg([b'fd!'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack('i', r))])
_, anc, _, _ = s2.recvmsg(16, socket.CMSG_SPACE(4))
out['unix_send'] = s1.fileno()
out['unix_recv'] = s2.fileno()
out['passed_fd'] = struct.unpack('i', anc[0][2][:4])[0]
# a named unix stream socket: connect and accept
us = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
us.bind(d + '/u.sock')
us.listen(1)
uc = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
uc.connect(d + '/u.sock')
ua, _ = us.accept()
out['ux_client'] = uc.fileno()
out['ux_accepted'] = ua.fileno()
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
out['dirfd'] = dfd
os.fchdir(dfd)
out['creat'] = libc.syscall(85, (d + '/c.txt').encode(), 0o644)
class OpenHow(ctypes.Structure):
    _fields_ = [('flags', ctypes.c_uint64), ('mode', ctypes.c_uint64), ('resolve', ctypes.c_uint64)]
how = OpenHow(os.O_RDONLY, 0, 0x04)
out['openat2'] = libc.syscall(437, -100, (d + '/c.txt').encode(), ctypes.byref(how), 24)
# a mode register without O_CREAT / O_TMPFILE means nothing: written as 0
out['rawopen'] = libc.syscall(257, -100, (d + '/c.txt').encode(), 0, 0o755)
# open (2) itself, creating its file and failing, and close of a bad fd (fixed-layout events)
out['open2'] = libc.syscall(2, (d + '/o.txt').encode(), os.O_WRONLY | os.O_CREAT, 0o640)
st = os.fstat(out['open2'])
out['open2_ino'] = st.st_ino
out['open2_dev'] = st.st_dev
libc.syscall(2, (d + '/none/o.txt').encode(), os.O_RDONLY, 0)
libc.syscall(3, -1)
ns = os.open('/proc/self/ns/uts', os.O_RDONLY)
out['nsfd'] = ns
out['setns'] = libc.setns(ns, 0x04000000)
tracee = os.fork()
if tracee == 0:
    libc.ptrace(0, 0, 0, 0)
    os._exit(0)
os.waitpid(tracee, 0)
out['tracee'] = tracee
child = os.fork()
if child == 0:
    exe = os.open('/bin/true', os.O_RDONLY)
    os.execve(exe, ['true', 'fexecve-arg'], {'K': 'V'})
os.waitpid(child, 0)
out['child'] = child
try:
    os.execve(dfd, ['x', 'at-arg'], {'AT': '1'})
except OSError:
    pass
try:
    os.execve(d + '/no-such-exe', ['ghost', 'a1', '', 'a3'], {'K2': 'V2', 'K3': ''})
except OSError:
    pass
os.setresgid(65534, 65534, 65534)
os.setresuid(65534, 65534, 65534)
print(json.dumps(out))
`;

describe.skipIf(!canRunLive)('live capture of more system calls (root)', () => {
  let dir: string;
  let evs: Ev[] = [];
  let out: {
    pipe: [number, number];
    dup: number;
    file: number;
    vfile: number;
    udp: number;
    udp_port: number;
    unix_send: number;
    unix_recv: number;
    passed_fd: number;
    ux_client: number;
    ux_accepted: number;
    memfd: number;
    port: number;
    srv: number;
    client: number;
    accepted: number;
    client_port: number;
    dirfd: number;
    creat: number;
    openat2: number;
    rawopen: number;
    open2: number;
    open2_ino: number;
    open2_dev: number;
    nsfd: number;
    setns: number;
    child: number;
    tracee: number;
  };
  let all: Ev[] = [];
  let pid = 0;

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'sysray-cov-')));
    writeFileSync(join(dir, 'w.py'), SCRIPT);
    const cap = startCapture({ snaplen: 16, scanProc: false });
    const batches: Ev[][] = [];
    const reading = (async () => {
      const ev = new ScapEvent();
      for await (const b of cap) {
        const list: Ev[] = [];
        for (let i = 0; i < b.count; i++) {
          ev.load(b, i);
          list.push(decodeEvent(ev));
        }
        batches.push(list);
      }
    })();
    const r = await new Promise<{ code: number | null; stdout: string; pid: number }>((resolve) => {
      const child = spawn('/usr/bin/python3', [join(dir, 'w.py'), dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.on('close', (code) => resolve({ code, stdout, pid: child.pid ?? 0 }));
    });
    expect(r.code).toBe(0);
    pid = r.pid;
    out = JSON.parse(r.stdout);
    await new Promise((res) => setTimeout(res, 100));
    await cap.stop();
    await reading;
    all = batches.flat();
    evs = all.filter((e) => e.tid === pid);
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const first = (names: string[], pred: (e: Ev) => boolean = () => true) =>
    evs.find((e) => names.includes(e.name) && pred(e));
  /** The tuple of a datagram the workload's UDP socket sent to itself. */
  const udpToItself = () => ({
    family: 'inet',
    sip: '127.0.0.1',
    sport: out.udp_port,
    dip: '127.0.0.1',
    dport: out.udp_port,
  });

  it('pipes, dup, fcntl', () => {
    const p = first(['pipe', 'pipe2'], (e) => e.params.fd1 === out.pipe[0] && e.params.fd2 === out.pipe[1])!;
    expect(p.params.res).toBe(0);
    expect(Number(p.params.ino)).toBeGreaterThan(0);
    const d = first(['dup', 'fcntl'], (e) => e.params.res === out.dup)!;
    expect(d).toBeDefined();
    const d2 = first(['dup2', 'dup3'], (e) => e.params.res === 100)!;
    expect(d2.params.oldfd).toBe(out.pipe[1]);
    expect(d2.params.newfd).toBe(100);
    const cmds = evs
      .filter((e) => e.name === 'fcntl' && e.params.fd === out.pipe[0])
      .map((e) => (e.params.cmd as { names: string[] }).names.join('|'));
    expect(cmds).toContain('F_GETFL'); // Linux F_GETFL (3) as PPM_FCNTL_F_GETFL
  });

  it('directories, cwd, links', () => {
    const mk = first(['mkdir', 'mkdirat'])!;
    expect(mk.params.res).toBe(0);
    expect(mk.params.path).toBe(join(dir, 'sub'));
    expect(mk.params.mode).toBe(0o750);
    const cd = evs.filter((e) => e.name === 'chdir');
    expect(cd.map((e) => e.params.path)).toEqual([join(dir, 'sub'), dir]);
    const sym = first(['symlink', 'symlinkat'])!;
    expect(sym.params.res).toBe(0);
    expect(sym.params.target).toBe(join(dir, 'f.txt'));
    expect(sym.params.linkpath).toBe(join(dir, 'sym'));
    const ln = first(['link', 'linkat'])!;
    expect(ln.params.res).toBe(0);
    expect(ln.params.oldpath).toBe(join(dir, 'f.txt'));
    expect(ln.params.newpath).toBe(join(dir, 'hard'));
    const rm = first(['rmdir', 'unlinkat'], (e) => (e.params.path ?? e.params.name) === join(dir, 'sub'))!;
    expect(rm.params.res).toBe(0);
  });

  it('positional and vector reads and writes with their sizes and data', () => {
    const fd = out.file;
    const pw = first(['pwrite'], (e) => e.params.fd === fd)!;
    expect(pw.params).toMatchObject({ res: 10, size: 10, pos: 3 });
    expect(Buffer.from(pw.params.data as Uint8Array).toString()).toBe('0123456789');
    const pr = first(['pread'], (e) => e.params.fd === fd)!;
    expect(pr.params).toMatchObject({ res: 4, size: 4, pos: 5 });
    expect(Buffer.from(pr.params.data as Uint8Array).toString()).toBe('2345');
    const wv = first(['writev'], (e) => e.params.fd === fd)!;
    expect(wv.params).toMatchObject({ res: 5, size: 5 });
    expect(Buffer.from(wv.params.data as Uint8Array).toString()).toBe('abcde');
    const rv = first(['readv'], (e) => e.params.fd === fd)!;
    expect(rv.params).toMatchObject({ res: 5, size: 5 });
    expect(Buffer.from(rv.params.data as Uint8Array).toString()).toBe('abcde');
  });

  it('vectored reads and writes carry their iovecs concatenated, cut at the snaplen and at what was transferred', () => {
    const fd = out.vfile;
    const opened = first(['openat', 'open'], (e) => e.params.name === join(dir, 'v.txt'))!;
    expect(opened.params.fd).toBe(fd);
    const after = (names: string[], pred: (e: Ev) => boolean) =>
      evs.find((e) => names.includes(e.name) && e.num > opened.num && pred(e));
    const str = (e: Ev | undefined) => Buffer.from(e!.params.data as Uint8Array).toString();
    // 30 bytes written in 4 iovecs (one empty): the first 16 (the snaplen), across the iovec boundaries
    const wv = after(['writev'], (e) => e.params.fd === fd)!;
    expect(wv.params).toMatchObject({ res: 30, size: 30 });
    expect(str(wv)).toBe('alpha-beta-gamma');
    const pwv = after(['pwritev'], (e) => e.params.fd === fd)!;
    expect(pwv.params).toMatchObject({ res: 3, size: 3, pos: 100 });
    expect(str(pwv)).toBe('XYZ');
    // reads: size is what was read; the data stops there even though the iovecs are larger
    const prv = after(['preadv'], (e) => e.params.fd === fd)!;
    expect(prv.params).toMatchObject({ res: 3, size: 3, pos: 100 });
    expect(str(prv)).toBe('XYZ');
    const rv = after(['readv'], (e) => e.params.fd === fd)!;
    expect(rv.params).toMatchObject({ res: 44, size: 44 });
    expect(str(rv)).toBe('alpha-beta-gamma');
  });

  it('failed writes carry the data they were given, up to the snaplen', () => {
    const r = out.pipe[0];
    const wr = first(['write'], (e) => e.params.fd === r)!;
    expect(wr.params).toMatchObject({ res: -9, size: 3 });
    expect(Buffer.from(wr.params.data as Uint8Array).toString()).toBe('xyz');
    const wv = first(['writev'], (e) => e.params.fd === r)!;
    expect(wv.params).toMatchObject({ res: -9, size: 3 });
    expect(Buffer.from(wv.params.data as Uint8Array).toString()).toBe('abc');
  });

  it('memfd_create', () => {
    const m = first(['memfd_create'])!;
    expect(m.params).toMatchObject({ fd: out.memfd, name: 'sysray-memfd' });
    expect((m.params.flags as { value: number }).value).toBe(1); // MFD_CLOEXEC
  });

  it('sockets: socket, bind, listen, connect, accept4 with tuples and queue fill', () => {
    const s = first(['socket'], (e) => e.params.fd === out.srv)!;
    expect((s.params.domain as { value: number }).value).toBe(2);
    const b = first(['bind'], (e) => e.params.fd === out.srv)!;
    expect(b.params).toMatchObject({ res: 0 });
    expect((b.params.addr as { addr: string }).addr).toBe('127.0.0.1');
    expect(first(['listen'])?.params).toEqual({ res: 0, fd: out.srv, backlog: 7 });
    const c = first(['connect'], (e) => e.params.fd === out.client)!;
    expect(c.params.res).toBe(0);
    expect(c.params.tuple).toEqual({
      family: 'inet',
      sip: '127.0.0.1',
      sport: out.client_port,
      dip: '127.0.0.1',
      dport: out.port,
    });
    const a = first(['accept', 'accept4'])!;
    expect(a.params.fd).toBe(out.accepted);
    // inbound: the client is the source
    expect(a.params.tuple).toEqual({
      family: 'inet',
      sip: '127.0.0.1',
      sport: out.client_port,
      dip: '127.0.0.1',
      dport: out.port,
    });
    expect(a.params.queuemax).toBe(7);
  });

  it('send/recv families with data, sizes and tuples', () => {
    const snd = first(['sendto', 'write'], (e) => e.params.fd === out.client && e.params.res === 5)!;
    expect(Buffer.from(snd.params.data as Uint8Array).toString()).toBe('hello');
    const rcv = first(['recvfrom'], (e) => e.params.fd === out.accepted)!;
    expect(rcv.params.res).toBe(5);
    expect(Buffer.from(rcv.params.data as Uint8Array).toString()).toBe('hello');
    expect((rcv.params.tuple as { sport: number }).sport).toBe(out.client_port);
    const tcp = {
      family: 'inet',
      sip: '127.0.0.1',
      sport: out.client_port,
      dip: '127.0.0.1',
      dport: out.port,
    };
    const sm = first(['sendmsg'], (e) => e.params.fd === out.client)!;
    expect(sm.params).toMatchObject({ res: 4, size: 4, tuple: tcp });
    expect(Buffer.from(sm.params.data as Uint8Array).toString()).toBe('msg!');
    const rm = first(['recvmsg'], (e) => e.params.fd === out.accepted)!;
    // size: the bytes received (not the 16-byte buffer); inbound tuple: the client is the source
    expect(rm.params).toMatchObject({ res: 4, size: 4, tuple: tcp });
    expect(Buffer.from(rm.params.data as Uint8Array).toString()).toBe('msg!');
    expect((rm.params.msgcontrol as Uint8Array).length).toBe(0);
    // unconnected UDP: the remote end of the tuple is the datagram's address (sent to itself)
    const self = udpToItself();
    const udp = first(['sendto'], (e) => e.params.fd === out.udp)!;
    expect(udp.params).toMatchObject({ res: 5, tuple: self });
    expect(Buffer.from(udp.params.data as Uint8Array).toString()).toBe('dgram');
    expect(first(['recvfrom'], (e) => e.params.fd === out.udp)?.params).toMatchObject({
      res: 5,
      tuple: self,
    });
    const usm = first(['sendmsg'], (e) => e.params.fd === out.udp)!;
    expect(usm.params).toMatchObject({ res: 7, size: 7, tuple: self });
    expect(Buffer.from(usm.params.data as Uint8Array).toString()).toBe('udp-msg');
    const urm = first(['recvmsg'], (e) => e.params.fd === out.udp)!;
    expect(urm.params).toMatchObject({ res: 7, size: 7, tuple: self });
    expect(Buffer.from(urm.params.data as Uint8Array).toString()).toBe('udp-msg');
  });

  it('sendmmsg and recvmmsg give an event per message; a failed one a single event with its error', () => {
    const str = (e: Ev) => Buffer.from(e.params.data as Uint8Array).toString();
    const self = udpToItself();
    const sent = evs.filter((e) => e.name === 'sendmmsg' && e.params.fd === out.udp);
    expect(sent.map((e) => e.params)).toMatchObject([
      { res: 9, size: 9, tuple: self },
      { res: 21, size: 21, tuple: self },
    ]);
    // the snaplen is 16
    expect(sent.map(str)).toEqual(['one-first', 'second-message-l']);
    const got = evs.filter((e) => e.name === 'recvmmsg' && e.params.fd === out.udp);
    expect(got.map((e) => e.params)).toMatchObject([
      { res: 9, size: 9, tuple: self },
      { res: 21, size: 21, tuple: self },
    ]);
    expect(got.map(str)).toEqual(['one-first', 'second-message-l']);
    expect(got.map((e) => (e.params.msgcontrol as Uint8Array).length)).toEqual([0, 0]);
    const failed = evs.filter((e) => e.name === 'sendmmsg' && e.params.fd === -1);
    expect(failed.map((e) => e.params)).toMatchObject([{ res: -9, fd: -1, size: 0, tuple: null }]);
    expect((failed[0]!.params.data as Uint8Array).length).toBe(0);
  });

  it('recvmsg carries the ancillary data the kernel filled in (an fd passed over a unix socket)', () => {
    const sm = first(['sendmsg'], (e) => e.params.fd === out.unix_send)!;
    expect(sm.params).toMatchObject({ res: 3, size: 3 });
    expect(Buffer.from(sm.params.data as Uint8Array).toString()).toBe('fd!');
    const rm = first(['recvmsg'], (e) => e.params.fd === out.unix_recv)!;
    expect(rm.params).toMatchObject({ res: 3, size: 3 });
    expect(Buffer.from(rm.params.data as Uint8Array).toString()).toBe('fd!');
    // one cmsghdr (len 20, SOL_SOCKET, SCM_RIGHTS) holding the new fd, padded to CMSG_SPACE(4) = 24
    const c = Buffer.from(rm.params.msgcontrol as Uint8Array);
    expect(c.length).toBe(24);
    expect(c.readBigUInt64LE(0)).toBe(20n);
    expect(c.readInt32LE(8)).toBe(1);
    expect(c.readInt32LE(12)).toBe(1);
    expect(c.readInt32LE(16)).toBe(out.passed_fd);
    // both ends write the same tuple: destination socket, source socket (an unnamed pair: no path)
    const t = sm.params.tuple as { family: string; source: string; dest: string; path: string };
    expect(t.family).toBe('unix');
    expect(t.path).toBe('');
    expect(t.source).not.toBe(t.dest);
    expect(rm.params.tuple).toEqual(t);
  });

  it('unix stream connect and accept write the same tuple, with the bound path', () => {
    const c = first(['connect'], (e) => e.params.fd === out.ux_client)!;
    expect(c.params.res).toBe(0);
    expect(c.params.addr).toEqual({ family: 'unix', path: join(dir, 'u.sock') });
    const t = c.params.tuple as { family: string; source: string; dest: string; path: string };
    expect(t).toMatchObject({ family: 'unix', path: join(dir, 'u.sock') });
    const a = first(['accept', 'accept4'], (e) => e.params.fd === out.ux_accepted)!;
    expect(a.params.tuple).toEqual(t);
  });

  it('fchdir, creat, openat2, setns', () => {
    expect(first(['fchdir'])?.params).toEqual({ res: 0, fd: out.dirfd });
    const c = first(['creat'])!;
    expect(c.params).toMatchObject({ fd: out.creat, name: join(dir, 'c.txt'), mode: 0o644 });
    expect(Number(c.params.ino)).toBeGreaterThan(0);
    const o = first(['openat2'])!;
    expect(o.params).toMatchObject({ fd: out.openat2, dirfd: -100, name: join(dir, 'c.txt'), mode: 0 });
    expect((o.params.flags as { names: string[] }).names).toContain('O_RDONLY');
    expect((o.params.resolve as { value: number }).value).toBe(4);
    const raw = first(
      ['openat'],
      (e) => e.params.fd === out.rawopen && e.params.name === join(dir, 'c.txt'),
    )!;
    expect(raw.params.mode).toBe(0);
    expect(out.setns).toBe(0);
    const ns = first(['setns'])!;
    expect(ns.params.res).toBe(0);
    expect(ns.params.fd).toBe(out.nsfd);
    expect((ns.params.nstype as { names: string[] }).names).toEqual(['CLONE_NEWUTS']);
  });

  it('open (2) and a failed open carry every parameter; close of a bad fd its error', () => {
    const o = first(['open'], (e) => e.params.name === join(dir, 'o.txt'))!;
    expect(o.params).toMatchObject({ fd: out.open2, mode: 0o640, dev: out.open2_dev });
    expect(Number(o.params.ino)).toBe(out.open2_ino);
    expect((o.params.flags as { names: string[] }).names.sort()).toEqual([
      'O_CREAT',
      'O_F_CREATED',
      'O_WRONLY',
    ]);
    const failed = first(['open'], (e) => e.params.name === join(dir, 'none/o.txt'))!;
    expect(failed.params).toMatchObject({ fd: -2, mode: 0, dev: 0 });
    expect(Number(failed.params.ino)).toBe(0);
    expect((failed.params.flags as { names: string[] }).names).toEqual(['O_RDONLY']);
    expect(first(['close'], (e) => e.params.fd === -1)?.params).toEqual({ res: -9, fd: -1 });
  });

  it('fork (both sides), ptrace and execveat (fexecve) in the child', () => {
    const parent = first(['clone', 'fork', 'vfork', 'clone3'], (e) => e.params.res === out.child)!;
    expect(parent).toBeDefined();
    expect(parent.params.pid).toBe(pid);
    const childSide = all.find(
      (e) =>
        ['clone', 'fork', 'vfork', 'clone3'].includes(e.name) && e.tid === out.child && e.params.res === 0,
    )!;
    expect(childSide.params).toMatchObject({ tid: out.child, pid: out.child, ptid: pid, comm: 'python3' });
    const tr = all.find((e) => e.name === 'ptrace' && e.tid === out.tracee)!;
    expect(tr.params.res).toBe(0);
    expect((tr.params.request as { names: string[] }).names).toEqual(['PTRACE_TRACEME']);
    // The kernel reports a successful execveat with execve's syscall number at syscall exit, so it comes out
    // as an execve exit event (a failed one is an execveat event: see the next test).
    const ex = all.find((e) => (e.name === 'execve' || e.name === 'execveat') && e.tid === out.child)!;
    expect(ex.params).toMatchObject({ res: 0, exe: 'true', pid: out.child, ptid: pid, comm: 'true' });
    expect(Buffer.from(ex.params.args as Uint8Array).toString()).toBe('fexecve-arg\0');
    expect(Buffer.from(ex.params.env as Uint8Array).toString()).toBe('K=V\0');
    expect(ex.params.trusted_exepath).toBe(realpathSync('/bin/true'));
  });

  it('a failed execveat, with the argument vector and environment it was given', () => {
    const ex = first(['execveat'])!;
    expect(ex.params.res).toBe(-13); // EACCES: a directory
    expect(ex.params.pid).toBe(pid);
    expect(ex.params.exe).toBe('x');
    expect(Buffer.from(ex.params.args as Uint8Array).toString()).toBe('at-arg\0');
    expect(Buffer.from(ex.params.env as Uint8Array).toString()).toBe('AT=1\0');
  });

  it('a failed execve carries the argv and envp of the call, not those of the process', () => {
    const ex = first(['execve'], (e) => e.params.res === -2)!; // ENOENT
    expect(ex.params).toMatchObject({
      exe: 'ghost',
      pid,
      filename: join(dir, 'no-such-exe'),
      comm: 'python3',
    });
    // an empty argument is a lone NUL
    expect(Buffer.from(ex.params.args as Uint8Array).toString()).toBe('a1\0\0a3\0');
    expect(Buffer.from(ex.params.env as Uint8Array).toString()).toBe('K2=V2\0K3=\0');
  });

  it('setresgid and setresuid', () => {
    expect(first(['setresgid'])?.params).toEqual({ res: 0, rgid: 65534, egid: 65534, sgid: 65534 });
    expect(first(['setresuid'])?.params).toEqual({ res: 0, ruid: 65534, euid: 65534, suid: 65534 });
  });
});
