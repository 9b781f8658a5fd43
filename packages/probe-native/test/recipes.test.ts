import { existsSync, readFileSync } from 'node:fs';
import { EVENT_TABLE } from '@sysray/pcapng/scap';
import { describe, expect, it } from 'vitest';
import { FIXED_LAYOUTS, MAX_RECIPE_PARAMS, Op, packRecipes, RECIPES, Special } from '../src/index.js';

/** Parameter types each op may write (its byte layout). */
const OP_TYPES: Record<number, string[]> = {
  [Op.RET]: ['FD', 'ERRNO', 'PID', 'INT64'],
  [Op.ARG64]: ['UINT64', 'INT64'],
  [Op.ARGFD]: ['FD', 'PID', 'INT64'],
  [Op.ARG32]: ['UINT32', 'INT32', 'FLAGS32', 'ENUMFLAGS32', 'UID', 'GID', 'MODE'],
  [Op.USTR]: ['CHARBUF', 'FSPATH', 'FSRELPATH'],
  [Op.OPENFLAGS]: ['FLAGS32'],
  [Op.OPENHOW_FLAGS]: ['FLAGS32'],
  [Op.OPENHOW_MODE]: ['UINT32'],
  [Op.OPENHOW_RESOLVE]: ['FLAGS32'],
  [Op.CLONEFLAGS]: ['FLAGS32'],
  [Op.DEV]: ['UINT32'],
  [Op.INO]: ['UINT64'],
  [Op.SOCKADDR]: ['SOCKADDR'],
  [Op.TUPLE_ARG]: ['SOCKTUPLE'],
  [Op.TUPLE_RET]: ['SOCKTUPLE'],
  [Op.DATA]: ['BYTEBUF'],
  [Op.EMPTY]: ['BYTEBUF'],
  [Op.PIPEFD]: ['FD'],
  [Op.PIPEINO]: ['UINT64'],
  [Op.CONST16]: ['FLAGS16', 'UINT16'],
  [Op.FCNTL_CMD]: ['ENUMFLAGS8'],
  [Op.PTRACE_REQ]: ['ENUMFLAGS16'],
  [Op.DYN64]: ['DYN'],
  [Op.IOVLEN]: ['UINT32'],
  [Op.BACKLOG]: ['UINT8', 'UINT32'],
  [Op.CONST8]: ['UINT8'],
  [Op.MSG_IOVLEN]: ['UINT32'],
  [Op.IOV_DATA]: ['BYTEBUF'],
  [Op.RET_SIZE]: ['UINT32'],
  [Op.CREAT_LAYER]: ['FLAGS16'],
  [Op.OPEN_MODE]: ['UINT32'],
};

/** Parameter counts the kernel code of the special handlers writes (bpf/probe.bpf.c). */
const SPECIAL_NPARAMS: Record<number, number> = {
  [Special.EXECVE]: 31,
  [Special.EXECVEAT]: 30,
  [Special.CLONE]: 21,
  [Special.FORK]: 21,
  [Special.VFORK]: 21,
  [Special.CLONE3]: 21,
  [Special.SENDMSG]: 5,
  [Special.RECVMSG]: 6,
  [Special.SENDMMSG]: 5,
  [Special.RECVMMSG]: 6,
};

describe('RECIPES', () => {
  it.each(RECIPES.map((r) => [r.name, r] as const))(
    '%s writes the current exit event of its syscall',
    (_, r) => {
      const info = EVENT_TABLE[r.event]!;
      expect(info.name).toBe(r.name);
      expect(info.direction).toBe('<');
      // the version the drivers emit today, the one libsinsp parses first
      expect(info.oldVersion).toBe(false);
      const fixed = FIXED_LAYOUTS[r.special];
      if (fixed) expect(r.ops).toBe(fixed);
      else if (r.special !== Special.NONE) {
        expect(r.ops).toEqual([]);
        expect(info.params.length).toBe(SPECIAL_NPARAMS[r.special]);
        return;
      }
      expect(r.ops.length).toBeLessThanOrEqual(MAX_RECIPE_PARAMS);
      expect(r.ops.length).toBe(info.params.length);
      r.ops.forEach(([op], i) => {
        const p = info.params[i]!;
        expect(OP_TYPES[op], `${r.name} param ${p.name}`).toContain(p.typeName);
      });
    },
  );

  it('numbers every syscall as the x86-64 kernel headers do', () => {
    const header = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';
    expect(existsSync(header), `${header} (Debian linux-libc-dev) is the oracle`).toBe(true);
    const nr = new Map<string, number>();
    for (const m of readFileSync(header, 'utf8').matchAll(/#define __NR_(\w+) (\d+)/g))
      nr.set(m[1]!, Number(m[2]));
    const kernelName: Record<string, string> = { pread: 'pread64', pwrite: 'pwrite64' };
    for (const r of RECIPES) expect(nr.get(kernelName[r.name] ?? r.name), r.name).toBe(r.nr);
  });

  it('has one recipe per syscall number', () => {
    expect(new Set(RECIPES.map((r) => r.nr)).size).toBe(RECIPES.length);
  });
});

describe('packRecipes', () => {
  it('lays each recipe out at its syscall number as struct sysray_recipe', () => {
    const openat = RECIPES.find((r) => r.name === 'openat')!;
    const packed = packRecipes([openat]);
    const o = openat.nr * 28;
    const dv = new DataView(packed.buffer);
    expect(dv.getUint16(o, true)).toBe(307);
    expect(packed[o + 2]).toBe(7);
    expect(packed[o + 3]).toBe(Special.OPENAT);
    expect([...packed.subarray(o + 4, o + 11)]).toEqual(openat.ops.map(([op]) => op));
    expect([...packed.subarray(o + 12, o + 19)]).toEqual(openat.ops.map(([, a = 0]) => a));
    // nothing else is set
    expect(packed.reduce((n, b) => n + (b ? 1 : 0), 0)).toBe(
      [...packed.subarray(o, o + 28)].filter((b) => b !== 0).length,
    );
  });
});
