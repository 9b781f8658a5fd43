import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  decodeParamValue,
  ERRNO_NAMES,
  EVENT_TABLE,
  encodeParamValue,
  eventTypesByName,
  PT,
  paramText,
  type ScapParamInfo,
} from '@sysray/pcapng/scap';
import { describe, expect, test } from 'vitest';
import { generateEventTableSource } from '../../scripts/gen-event-table.js';
import { FLAG_TABLES } from '../../src/scap/event-table.generated.js';

const pkgDir = fileURLToPath(new URL('../../', import.meta.url));
const data = (f: string) => readFileSync(`${pkgDir}data/${f}`, 'utf8');

/** The tables that had no transcribed names before (issue 4): each must now resolve values. */
const ADDED_TABLES = [
  'quotactl_types',
  'quotactl_dqi_flags',
  'quotactl_quota_fmts',
  'semop_flags',
  'semget_flags',
  'semctl_commands',
  'pf_flags',
  'renameat2_flags',
  'openat2_flags',
  'execve_flags',
  'execveat_flags',
  'io_uring_setup_flags',
  'io_uring_setup_feats',
  'io_uring_enter_flags',
  'io_uring_register_opcodes',
  'mlockall_flags',
  'mlock2_flags',
  'fsconfig_cmds',
  'epoll_create1_flags',
  'fchownat_flags',
  'prctl_options',
  'memfd_create_flags',
  'pidfd_open_flags',
  'finit_module_flags',
  'delete_module_flags',
  'bpf_commands',
  'creat_flags',
  'anon_inode_fd_types',
];

/** Flag parameter `param` of the newest version of event `event` carrying it (with table `table` if given). */
function paramOf(event: string, param: string, table?: string): ScapParamInfo {
  for (const type of eventTypesByName(event).reverse()) {
    const p = EVENT_TABLE[type]!.params.find(
      (x) => x.name === param && x.flagTable && (table === undefined || x.flagTable === table),
    );
    if (p) return p;
  }
  throw new Error(`no flag parameter ${event}.${param}`);
}

/** Encodes `value` as parameter `event.param`, decodes it back with the event table, and renders it. */
function render(event: string, param: string, value: number, table?: string): string {
  const info = paramOf(event, param, table);
  const bytes = encodeParamValue(info.type, value);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoded = decodeParamValue(view, bytes, 0, bytes.length, info.type, info.flagTable, true, 0);
  return paramText(decoded, info);
}

describe('flag and enum tables', () => {
  test('every flag table the event table references has symbolic names', () => {
    const referenced = new Set<string>();
    for (const e of EVENT_TABLE) for (const p of e.params) if (p.flagTable) referenced.add(p.flagTable);
    const empty = [...referenced].filter((t) => (FLAG_TABLES[t]?.length ?? 0) === 0);
    expect(empty).toEqual([]);
    for (const t of ADDED_TABLES) expect(referenced.has(t)).toBe(true);
    expect(data('flag-tables.tsv')).not.toMatch(/^!missing/m);
  });

  test('the generator refuses an event table that names a table without rows', () => {
    const flags = data('flag-tables.tsv')
      .split('\n')
      .filter((l) => !l.startsWith('prctl_options\t'))
      .join('\n');
    expect(() =>
      generateEventTableSource(data('event-table.tsv'), flags, data('dynamic-params.tsv')),
    ).toThrow(/prctl_options has no rows in flag-tables\.tsv/);
    expect(() =>
      generateEventTableSource(
        data('event-table.tsv'),
        `${flags}\n!missing\tprctl_options\n`,
        data('dynamic-params.tsv'),
      ),
    ).toThrow(/flag-tables\.tsv/);
  });

  test('bit-flag tables decode the PPM encodings the drivers write', () => {
    expect(render('renameat2', 'flags', 1)).toBe('1(RENAME_NOREPLACE)');
    expect(render('renameat2', 'flags', 6)).toBe('6(RENAME_EXCHANGE|RENAME_WHITEOUT)');
    expect(render('quotactl', 'dqi_flags', 2)).toBe('2(V1_DQF_RSQUASH)');
    expect(render('semop', 'sem_flg_0', 3)).toBe('3(IPC_NOWAIT|SEM_UNDO)');
    expect(render('semget', 'semflg', 0x6000)).toBe('24576(IPC_EXCL|IPC_CREAT)');
    expect(render('page_fault', 'error', 0x14)).toBe('20(WRITE_ACCESS|USER_FAULT)');
    expect(render('openat2', 'resolve', 0x28)).toBe('40(RESOLVE_NO_SYMLINKS|RESOLVE_CACHED)');
    expect(render('execve', 'flags', 8)).toBe('8(EXE_LOWER_LAYER)');
    expect(render('execve', 'flags', 5)).toBe('5(EXE_WRITABLE|EXE_FROM_MEMFD)');
    expect(render('execveat', 'flags', 1, 'execveat_flags')).toBe('1(AT_EMPTY_PATH)');
    expect(render('execveat', 'flags', 2, 'execveat_flags')).toBe('2(AT_SYMLINK_NOFOLLOW)');
    expect(render('io_uring_setup', 'flags', 0x42)).toBe('66(IORING_SETUP_SQPOLL|IORING_SETUP_ATTACH_RW)');
    expect(render('io_uring_setup', 'features', 0x201)).toBe(
      '513(IORING_FEAT_SINGLE_MMAP|IORING_FEAT_NATIVE_WORKERS)',
    );
    expect(render('io_uring_enter', 'flags', 5)).toBe('5(IORING_ENTER_GETEVENTS|IORING_ENTER_SQ_WAIT)');
    expect(render('mlockall', 'flags', 3)).toBe('3(MCL_CURRENT|MCL_FUTURE)');
    expect(render('mlock2', 'flags', 1)).toBe('1(MLOCK_ONFAULT)');
    expect(render('epoll_create1', 'flags', 1)).toBe('1(EPOLL_CLOEXEC)');
    // libs names PPM_AT_SYMLINK_FOLLOW (0x400) AT_SYMLINK_NOFOLLOW in this table: the driver maps the
    // kernel's AT_SYMLINK_NOFOLLOW there.
    expect(render('fchownat', 'flags', 0x400)).toBe('1024(AT_SYMLINK_NOFOLLOW)');
    expect(render('fchownat', 'flags', 0x1000)).toBe('4096(AT_EMPTY_PATH)');
    expect(render('memfd_create', 'flags', 5)).toBe('5(MFD_CLOEXEC|MFD_HUGETLB)');
    expect(render('pidfd_open', 'flags', 1)).toBe('1(PIDFD_NONBLOCK)');
    expect(render('finit_module', 'flags', 4)).toBe('4(MODULE_INIT_COMPRESSED_FILE)');
    expect(render('delete_module', 'flags', 3)).toBe('3(O_NONBLOCK|O_TRUNC)');
    expect(render('creat', 'creat_flags', 2)).toBe('2(FD_LOWER_LAYER_CREAT)');
  });

  test('enum-like tables typed as flags name single values with one name', () => {
    // quotactl types/formats and semctl commands are one bit per value in the PPM encoding.
    expect(render('quotactl', 'type', 1)).toBe('1(USRQUOTA)');
    expect(render('quotactl', 'type', 2)).toBe('2(GRPQUOTA)');
    expect(render('quotactl', 'quota_fmt', 4)).toBe('4(QFMT_VFS_V0)');
    expect(render('semctl', 'cmd', 0x200)).toBe('512(GETVAL)');
    expect(render('semctl', 'cmd', 0x1000)).toBe('4096(SETVAL)');
    expect(render('task_file_anon_inode', 'fd_type', 0)).toBe('0(ANON_INODE_FD_TYPE_UNKNOWN)');
    expect(render('task_file_anon_inode', 'fd_type', 1)).toBe('1(ANON_INODE_FD_TYPE_EVENTFD)');
    expect(render('task_file_anon_inode', 'fd_type', 8)).toBe('8(ANON_INODE_FD_TYPE_PIDFD)');
  });

  test('anon inode fd types are PT_FLAGS8 in libs, so composite values decompose as libsinsp does', () => {
    expect(paramOf('task_file_anon_inode', 'fd_type').type).toBe(PT.FLAGS8);
    expect(render('task_file_anon_inode', 'fd_type', 3)).toBe(
      '3(ANON_INODE_FD_TYPE_EVENTFD|ANON_INODE_FD_TYPE_EVENTPOLL)',
    );
  });

  test('enum tables name the equal value only, never a decomposition', () => {
    expect(paramOf('prctl', 'option').type).toBe(PT.ENUMFLAGS32);
    expect(render('prctl', 'option', 15)).toBe('15(PR_SET_NAME)');
    expect(render('prctl', 'option', 38)).toBe('38(PR_SET_NO_NEW_PRIVS)');
    expect(render('prctl', 'option', 47)).toBe('47(PR_CAP_AMBIENT)');
    // Values the libs table does not list stay bare numbers, as in sysdig.
    expect(render('prctl', 'option', 1)).toBe('1');
    expect(render('prctl', 'option', 0x59616d61)).toBe('1499557217');
    expect(render('fsconfig', 'cmd', 3)).toBe('3(FSCONFIG_SET_PATH)');
    expect(render('fsconfig', 'cmd', 6)).toBe('6(FSCONFIG_CMD_CREATE)');
    expect(render('io_uring_register', 'opcode', 0)).toBe('0(IORING_REGISTER_BUFFERS)');
    expect(render('io_uring_register', 'opcode', 21)).toBe('21(IORING_UNREGISTER_RING_FDS)');
    expect(render('bpf', 'cmd', 0)).toBe('0(BPF_MAP_CREATE)');
    expect(render('bpf', 'cmd', 5)).toBe('5(BPF_PROG_LOAD)');
    expect(render('bpf', 'cmd', 35)).toBe('35(BPF_PROG_BIND_MAP)');
    expect(render('bpf', 'cmd', 36)).toBe('36');
    expect(render('socket', 'domain', 2)).toBe('2(AF_INET)');
    expect(render('socket', 'domain', 44)).toBe('44');
  });

  test('an enum value listed under several names gets all of them, as libsinsp prints it', () => {
    expect(render('socket', 'domain', 1)).toBe('1(AF_LOCAL|AF_UNIX)');
    expect(render('socket', 'domain', 16)).toBe('16(AF_ROUTE|AF_NETLINK)');
    expect(render('bpf', 'cmd', 10)).toBe('10(BPF_PROG_TEST_RUN|BPF_PROG_RUN)');
    // libs lists PR_MCE_KILL twice.
    expect(render('prctl', 'option', 33)).toBe('33(PR_MCE_KILL|PR_MCE_KILL)');
  });

  test('the same bits decompose in a flag table and match whole in an enum table', () => {
    expect(paramOf('io_uring_enter', 'flags').type).toBe(PT.FLAGS32);
    expect(render('io_uring_enter', 'flags', 3)).toBe('3(IORING_ENTER_GETEVENTS|IORING_ENTER_SQ_WAKEUP)');
    expect(paramOf('io_uring_register', 'opcode').type).toBe(PT.ENUMFLAGS16);
    expect(render('io_uring_register', 'opcode', 3)).toBe('3(IORING_UNREGISTER_FILES)');
  });
});

describe('errno names', () => {
  const errnoInfo = EVENT_TABLE[eventTypesByName('close').at(-1)!]!.params.find((p) => p.name === 'res');

  test('every Linux errno 1..133 has its uapi name, except 41 and 58 which only alias others', () => {
    expect(errnoInfo?.type).toBe(PT.ERRNO);
    for (let n = 1; n <= 133; n++) {
      if (n === 41 || n === 58) {
        expect(ERRNO_NAMES[n]).toBeUndefined();
        expect(paramText(-n, errnoInfo)).toBe(`-${n}`);
        continue;
      }
      const name = ERRNO_NAMES[n];
      expect(name, `errno ${n}`).toMatch(/^E[A-Z0-9]+$/);
      expect(paramText(-n, errnoInfo)).toBe(`-${n}(${name})`);
    }
    const names = Object.entries(ERRNO_NAMES).filter(([n]) => Number(n) <= 133);
    expect(new Set(names.map(([, v]) => v)).size).toBe(131);
  });

  test('names agree with the errno constants Node was built with', () => {
    const aliases = new Set(['EWOULDBLOCK', 'ENOTSUP', 'EDEADLOCK']);
    const known = Object.entries(constants.errno).filter(([name]) => !aliases.has(name));
    expect(known.length).toBeGreaterThan(60);
    for (const [name, n] of known) expect(ERRNO_NAMES[n], name).toBe(name);
  });

  test('names beyond the common set come from asm-generic/errno.h', () => {
    expect(ERRNO_NAMES[44]).toBe('ECHRNG');
    expect(ERRNO_NAMES[57]).toBe('EBADSLT');
    expect(ERRNO_NAMES[59]).toBe('EBFONT');
    expect(ERRNO_NAMES[86]).toBe('ESTRPIPE');
    expect(ERRNO_NAMES[117]).toBe('EUCLEAN');
    expect(ERRNO_NAMES[121]).toBe('EREMOTEIO');
    expect(ERRNO_NAMES[126]).toBe('ENOKEY');
    expect(ERRNO_NAMES[130]).toBe('EOWNERDEAD');
    expect(ERRNO_NAMES[131]).toBe('ENOTRECOVERABLE');
    expect(ERRNO_NAMES[132]).toBe('ERFKILL');
    expect(ERRNO_NAMES[133]).toBe('EHWPOISON');
    expect(ERRNO_NAMES[512]).toBe('ERESTARTSYS');
  });
});
