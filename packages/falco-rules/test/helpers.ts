import { createObjectFieldSet, type FieldSet, type ObjectFieldSpec } from '../src/index.js';
import { readTestdata } from './testdata.js';

/** An event for tests: a plain object keyed by field name (`'proc.name': 'bash'`). */
export type TestEvent = Record<string, unknown>;

/** Syscall event names (code = position), enough for the official rules and the tests. */
export const EVENT_NAMES = [
  'open',
  'openat',
  'openat2',
  'creat',
  'close',
  'read',
  'write',
  'pread',
  'pwrite',
  'readv',
  'writev',
  'execve',
  'execveat',
  'clone',
  'clone3',
  'fork',
  'vfork',
  'procexit',
  'socket',
  'socketpair',
  'connect',
  'accept',
  'accept4',
  'bind',
  'listen',
  'sendto',
  'sendmsg',
  'sendmmsg',
  'recvfrom',
  'recvmsg',
  'recvmmsg',
  'shutdown',
  'getsockopt',
  'setsockopt',
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
  'chown',
  'fchown',
  'fchownat',
  'lchown',
  'mount',
  'umount',
  'umount2',
  'ptrace',
  'setuid',
  'setgid',
  'setresuid',
  'setresgid',
  'setreuid',
  'setregid',
  'setns',
  'unshare',
  'init_module',
  'finit_module',
  'delete_module',
  'bpf',
  'mmap',
  'mprotect',
  'munmap',
  'brk',
  'kill',
  'tkill',
  'tgkill',
  'ioctl',
  'fcntl',
  'pipe',
  'pipe2',
  'eventfd',
  'signalfd',
  'timerfd_create',
  'inotify_init',
  'epoll_create',
  'chdir',
  'fchdir',
  'chroot',
  'pivot_root',
  'capset',
  'prctl',
  'userfaultfd',
  'memfd_create',
  'process_vm_writev',
  'process_vm_readv',
  'switch',
  'container',
  'signaldeliver',
  'poll',
  'select',
  'nanosleep',
  'futex',
  'getdents',
  'getdents64',
  'stat',
  'lstat',
  'fstat',
  'access',
  'truncate',
  'ftruncate',
  'seccomp',
  'quotactl',
  'splice',
  'sendfile',
  'fsconfig',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
];

function specFromTsv(line: string): ObjectFieldSpec<TestEvent> | undefined {
  if (line.startsWith('#') || line.trim() === '') return undefined;
  const [name, type, flags = ''] = line.split('\t');
  if (!name || !type) return undefined;
  const spec: ObjectFieldSpec<TestEvent> = { name, type };
  if (flags.includes('EPF_ARG_REQUIRED') || flags.includes('Required')) spec.arg = 'required';
  else if (flags.includes('EPF_ARG_ALLOWED')) spec.arg = 'optional';
  if (flags.includes('Index') && !flags.includes('Key')) spec.argKind = 'index';
  if (flags.includes('EPF_IS_LIST')) spec.isList = true;
  if (flags.includes('EPF_FILTER_ONLY')) spec.filterOnly = true;
  if (flags.includes('EPF_PRINT_ONLY')) spec.printOnly = true;
  if (flags.includes('EPF_NO_RHS')) spec.noRhs = true;
  if (flags.includes('EPF_NO_TRANSFORMER')) spec.noTransformer = true;
  if (flags.includes('EPF_DEPRECATED')) spec.deprecated = true;
  return spec;
}

/** Every libsinsp (and container plugin) field from `reference/sinsp-fields.tsv`, over plain objects. */
export function sinspFieldSpecs(): ObjectFieldSpec<TestEvent>[] {
  return readTestdata('reference/sinsp-fields.tsv')
    .split('\n')
    .map(specFromTsv)
    .filter((s): s is ObjectFieldSpec<TestEvent> => s !== undefined);
}

/** The test syscall field set: real field names and types, events as plain objects. */
export function sinspFieldSet(withEventTypes = true): FieldSet<TestEvent> {
  return createObjectFieldSet<TestEvent>({
    source: 'syscall',
    fields: sinspFieldSpecs(),
    ...(withEventTypes ? { eventTypes: { names: EVENT_NAMES } } : {}),
  });
}

/** A small field set with one field of each interesting type, for compiler tests. */
export function typedFieldSet(extra: ObjectFieldSpec<TestEvent>[] = []): FieldSet<TestEvent> {
  const defs: ObjectFieldSpec<TestEvent>[] = [
    { name: 'evt.type', type: 'CHARBUF' },
    { name: 'proc.name', type: 'CHARBUF' },
    { name: 'proc.pid', type: 'INT64' },
    { name: 'proc.big', type: 'UINT64' },
    { name: 'proc.aname', type: 'CHARBUF', arg: 'optional', argKind: 'index' },
    { name: 'proc.args', type: 'CHARBUF' },
    { name: 'fd.name', type: 'FSPATH' },
    { name: 'fd.num', type: 'INT64' },
    { name: 'fd.sip', type: 'IPADDR' },
    { name: 'fd.net', type: 'IPNET', filterOnly: true, get: (e) => e['fd.sip'] as string | undefined },
    { name: 'evt.is_open_write', type: 'BOOL' },
    { name: 'evt.buffer', type: 'BYTEBUF' },
    { name: 'evt.arg', type: 'CHARBUF', arg: 'required', argKind: 'any' },
    { name: 'evt.flags', type: 'CHARBUF', isList: true },
    { name: 'proc.ratio', type: 'DOUBLE' },
    { name: 'proc.secret', type: 'CHARBUF', noTransformer: true, noRhs: true },
    { name: 'evt.hostname', type: 'CHARBUF', printOnly: true },
    ...extra,
  ];
  return createObjectFieldSet<TestEvent>({ fields: defs, eventTypes: { names: EVENT_NAMES } });
}
