/**
 * Benchmark: Falco's default ruleset, compiled, over a synthetic stream of realistic syscall events
 * (most of which match no rule). Prints events per second on one core.
 *
 *   pnpm --filter @sysray/falco-rules build
 *   node --experimental-strip-types bench/evaluate.ts          # Node >= 22.6
 *   pnpm --filter @sysray/falco-rules bench                     # any Node: bundles this file first
 *
 * Needs ../shared/testdata (the official rules and the libsinsp field list), as the tests do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createObjectFieldSet, loadRules, type ObjectFieldSpec } from '../dist/index.js';

type Ev = Record<string, unknown>;

/** `shared/testdata/` next to the repository: the first ancestor directory holding it. */
function findTestdata(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'shared', 'testdata');
    if (existsSync(join(candidate, 'falco-rules'))) return `${candidate}/`;
    const up = dirname(dir);
    if (up === dir) throw new Error('shared/testdata not found next to the repository');
    dir = up;
  }
}

const testdata = findTestdata();

const EVENT_NAMES = [
  'read',
  'write',
  'close',
  'futex',
  'poll',
  'epoll_wait',
  'mmap',
  'munmap',
  'brk',
  'fstat',
  'stat',
  'lseek',
  'recvfrom',
  'sendto',
  'recvmsg',
  'sendmsg',
  'nanosleep',
  'getdents64',
  'ioctl',
  'fcntl',
  'open',
  'openat',
  'openat2',
  'creat',
  'execve',
  'execveat',
  'clone',
  'clone3',
  'fork',
  'vfork',
  'procexit',
  'socket',
  'connect',
  'accept',
  'accept4',
  'bind',
  'listen',
  'dup',
  'dup2',
  'dup3',
  'link',
  'linkat',
  'symlink',
  'symlinkat',
  'unlink',
  'unlinkat',
  'rename',
  'renameat',
  'renameat2',
  'mkdir',
  'mkdirat',
  'rmdir',
  'chmod',
  'fchmod',
  'fchmodat',
  'mount',
  'umount',
  'umount2',
  'ptrace',
  'setuid',
  'setgid',
  'setns',
  'unshare',
  'init_module',
  'finit_module',
  'bpf',
  'mprotect',
  'kill',
  'pipe',
  'pipe2',
  'switch',
  'container',
  'memfd_create',
  'prctl',
  'chdir',
  'chroot',
];

function fieldSpecs(): ObjectFieldSpec<Ev>[] {
  const out: ObjectFieldSpec<Ev>[] = [];
  for (const line of readFileSync(`${testdata}reference/sinsp-fields.tsv`, 'utf8').split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const [name, type, flags = ''] = line.split('\t');
    if (!name || !type) continue;
    const spec: ObjectFieldSpec<Ev> = { name, type };
    if (flags.includes('EPF_ARG_REQUIRED') || flags.includes('Required')) spec.arg = 'required';
    else if (flags.includes('EPF_ARG_ALLOWED')) spec.arg = 'optional';
    out.push(spec);
  }
  return out;
}

const fieldSet = createObjectFieldSet<Ev>({ fields: fieldSpecs(), eventTypes: { names: EVENT_NAMES } });
const result = loadRules(
  [{ name: 'falco_rules.yaml', content: readFileSync(`${testdata}falco-rules/falco_rules.yaml`, 'utf8') }],
  { fieldSets: [fieldSet] },
);
if (!result.ok || !result.ruleset) throw new Error(JSON.stringify(result.diagnostics));
const ruleset = result.ruleset;

// A deterministic mix resembling a busy host: mostly I/O and scheduling syscalls, some file opens,
// process spawns and network connections of ordinary programs.
let seed = 12345;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const procs = [
  'nginx',
  'postgres',
  'node',
  'java',
  'python3',
  'containerd',
  'kubelet',
  'sshd',
  'bash',
  'cron',
];
const files = [
  '/var/log/app.log',
  '/tmp/cache.bin',
  '/usr/lib/x86_64-linux-gnu/libc.so.6',
  '/proc/self/stat',
  '/etc/hosts',
  '/data/db/base/1',
];
const weights: [string, number][] = [
  ['read', 22],
  ['write', 18],
  ['close', 8],
  ['futex', 10],
  ['epoll_wait', 8],
  ['recvfrom', 6],
  ['sendto', 5],
  ['mmap', 3],
  ['fstat', 3],
  ['nanosleep', 3],
  ['openat', 6],
  ['open', 1],
  ['execve', 1],
  ['clone', 1],
  ['connect', 2],
  ['socket', 1],
  ['switch', 2],
];
const total = weights.reduce((a, [, w]) => a + w, 0);
function eventType(): string {
  let x = rand() * total;
  for (const [n, w] of weights) {
    x -= w;
    if (x < 0) return n;
  }
  return 'read';
}
function makeEvent(i: number): Ev {
  // One event in a thousand: an unexpected program reading a sensitive file.
  if (i % 1000 === 999) {
    return {
      'evt.type': 'openat',
      'evt.is_open_read': true,
      'evt.res': 'SUCCESS',
      'fd.typechar': 'f',
      'fd.num': 3,
      'fd.name': '/etc/shadow',
      'fd.directory': '/etc',
      'proc.name': 'python3',
      'proc.pname': 'bash',
      'proc.exepath': '/usr/bin/python3',
      'proc.cmdline': 'python3 x.py',
      'proc.aname': ['bash', 'sshd'],
      'user.name': 'app',
    };
  }
  const type = eventType();
  const proc = pick(procs);
  const fd = pick(files);
  return {
    'evt.type': type,
    'evt.dir': '<',
    'evt.res': 'SUCCESS',
    'evt.is_open_read': type.startsWith('open'),
    'evt.is_open_write': false,
    'proc.name': proc,
    'proc.pname': 'systemd',
    'proc.exepath': `/usr/bin/${proc}`,
    'proc.cmdline': `${proc} --serve`,
    'proc.args': '--serve',
    'proc.aname': ['systemd'],
    'proc.tty': 0,
    'proc.pid': 1000 + Math.floor(rand() * 5000),
    'user.name': 'app',
    'user.uid': 1000,
    'fd.name': fd,
    'fd.directory': fd.slice(0, fd.lastIndexOf('/')),
    'fd.filename': fd.slice(fd.lastIndexOf('/') + 1),
    'fd.typechar': 'f',
    'fd.num': 5,
    'container.id': 'host',
  };
}

const N = 20_000;
const events = Array.from({ length: N }, (_, i) => makeEvent(i));
let matches = 0;
for (let i = 0; i < 200_000; i++) if (ruleset.evaluate(events[i % N]!)) matches++; // warm-up

const start = process.hrtime.bigint();
const deadline = start + 3_000_000_000n;
let count = 0;
matches = 0;
while (process.hrtime.bigint() < deadline) {
  for (let i = 0; i < N; i++) if (ruleset.evaluate(events[i]!)) matches++;
  count += N;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(
  `falco_rules.yaml: ${ruleset.rules.length} rules, ${count} events in ${seconds.toFixed(2)} s: ` +
    `${Math.round(count / seconds).toLocaleString('en-US')} events/s (${matches} matched)`,
);
