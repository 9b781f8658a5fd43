import { describe, expect, it } from 'vitest';
import { FdInfo, FdTable, ThreadInfo, ThreadTable, UserTable } from '../../src/index.js';

function thread(tid: number, pid = tid, ptid = 1): ThreadInfo {
  const t = new ThreadInfo(tid);
  t.pid = pid;
  t.ptid = ptid;
  t.comm = `p${tid}`;
  return t;
}

describe('ThreadTable', () => {
  it('walks parents through main threads', () => {
    const tt = new ThreadTable();
    tt.add(thread(1, 1, 0));
    tt.add(thread(10, 10, 1));
    tt.add(thread(11, 10, 1)); // a thread of 10
    tt.add(thread(20, 20, 10));
    const t = tt.get(20)!;
    expect(tt.parent(t)?.tid).toBe(10);
    expect(tt.ancestor(t, 2)?.tid).toBe(1);
    expect(tt.ancestor(t, 3)).toBeUndefined();
    expect(tt.mainThread(tt.get(11)!).tid).toBe(10);
    expect(tt.threadCount(10)).toBe(2);
  });

  it('never answers a lookup with a thread that was replaced, removed, purged or evicted', () => {
    const tt = new ThreadTable(8);
    const first = tt.add(thread(5));
    expect(tt.get(5)).toBe(first);
    const second = tt.add(thread(5));
    expect(tt.get(5)).toBe(second);
    // 5 + 1024 shares 5's cache slot: each tid still finds its own thread.
    const far = tt.add(thread(5 + 1024));
    expect(tt.get(5 + 1024)).toBe(far);
    expect(tt.get(5)).toBe(second);
    tt.remove(5);
    expect(tt.get(5)).toBeUndefined();
    expect(tt.get(5 + 1024)).toBe(far);
    tt.markExited(far);
    tt.purgeExited();
    expect(tt.get(5 + 1024)).toBeUndefined();
    expect(tt.get(-1)).toBeUndefined();
    for (let tid = 100; tid < 110; tid++) {
      const t = thread(tid);
      t.lastEventNum = tid;
      tt.add(t);
      expect(tt.get(tid)).toBe(t);
    }
    expect(tt.size).toBeLessThanOrEqual(8);
    expect(tt.get(100)).toBeUndefined();
    expect(tt.get(109)?.tid).toBe(109);
  });

  it('removes exited threads only at the next purge', () => {
    const tt = new ThreadTable();
    const t = tt.add(thread(5));
    tt.markExited(t);
    expect(tt.get(5)).toBe(t);
    tt.purgeExited();
    expect(tt.get(5)).toBeUndefined();
  });

  it('keeps memory bounded: the least recently active threads are evicted when full', () => {
    const tt = new ThreadTable(100);
    for (let i = 1; i <= 150; i++) {
      const t = thread(i);
      t.lastEventNum = i;
      tt.add(t);
    }
    expect(tt.size).toBeLessThanOrEqual(100);
    expect(tt.get(150)).toBeDefined();
    expect(tt.get(1)).toBeUndefined();
    expect(tt.evicted).toBeGreaterThan(0);
  });
});

describe('FdTable', () => {
  it('adds, replaces and removes fds; clones deeply', () => {
    const ft = new FdTable();
    const f = new FdInfo(3, 'file');
    f.name = '/etc/passwd';
    ft.set(f);
    const copy = ft.clone();
    ft.remove(3);
    expect(ft.get(3)).toBeUndefined();
    expect(copy.get(3)?.name).toBe('/etc/passwd');
    expect(copy.get(3)).not.toBe(f);
  });

  it('drops new fds beyond its bound', () => {
    const ft = new FdTable(2);
    ft.set(new FdInfo(0, 'file'));
    ft.set(new FdInfo(1, 'file'));
    ft.set(new FdInfo(2, 'file'));
    expect(ft.size).toBe(2);
  });

  it('gives libsinsp type names and type characters, and local/remote endpoints by role', () => {
    const s = new FdInfo(4, 'ipv4');
    s.cip = '10.0.0.1';
    s.cport = 5000;
    s.sip = '10.0.0.2';
    s.sport = 80;
    s.role = 'client';
    expect([s.type, s.typeChar, s.sockFamily, s.lip, s.rport]).toEqual(['ipv4', '4', 'ip', '10.0.0.1', 80]);
    s.role = 'server';
    expect([s.lip, s.lport, s.rip]).toEqual(['10.0.0.2', 80, '10.0.0.1']);
    expect(new FdInfo(5, 'pipe').typeChar).toBe('p');
  });
});

describe('UserTable', () => {
  it('looks users up per container, falling back to the host', () => {
    const u = new UserTable();
    u.addUser({ uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/sh' });
    u.addUser({ uid: 1000, gid: 1000, name: 'app', homedir: '/app', shell: '/bin/sh' }, 'abc');
    expect(u.user(1000, 'abc')?.name).toBe('app');
    expect(u.user(1000)).toBeUndefined();
    expect(u.user(0, 'abc')?.name).toBe('root');
    u.removeUser(1000, 'abc');
    expect(u.user(1000, 'abc')).toBeUndefined();
  });
});
