/** `fs.path.*` fields: the paths of filesystem events (open, mkdir, unlink, rename, link, …). */
import type { EventContext } from '../context.js';
import { P } from '../params.js';
import { atDirectory } from '../parsers/fd.js';
import { resolvePath } from '../paths.js';
import { findParam } from './format.js';
import { type FieldSpec, field } from './spec.js';

/** Which parameter holds the single path of a one-path event. */
const NAME_PARAMS: Record<string, string> = {
  open: 'name',
  openat: 'name',
  openat2: 'name',
  creat: 'name',
  mkdir: 'path',
  mkdirat: 'path',
  rmdir: 'path',
  unlink: 'path',
  unlinkat: 'name',
  chmod: 'filename',
  fchmodat: 'filename',
  chown: 'path',
  lchown: 'path',
  fchownat: 'pathname',
  mknod: 'path',
  mknodat: 'path',
  truncate: 'path',
};

/** Source/target parameter pairs of two-path events. */
const PAIR_PARAMS: Record<string, [string, string]> = {
  rename: ['oldpath', 'newpath'],
  renameat: ['oldpath', 'newpath'],
  renameat2: ['oldpath', 'newpath'],
  link: ['oldpath', 'newpath'],
  linkat: ['oldpath', 'newpath'],
  symlink: ['target', 'linkpath'],
  symlinkat: ['target', 'linkpath'],
};

function pathOf(c: EventContext, name: string, resolve: boolean): string | undefined {
  const p = findParam(c, name);
  if (!p) return undefined;
  const v = c.str(name);
  if (v === undefined) return undefined;
  if (!resolve) return v;
  const info = p.ev.paramInfo(p.i);
  let dir = c.thread?.cwd ?? '/';
  if (info?.dirfdParam !== undefined) {
    try {
      const d = p.ev.param(info.dirfdParam);
      dir = atDirectory(c.thread, typeof d === 'number' ? d : undefined);
    } catch {
      /* keep the cwd */
    }
  }
  return resolvePath(dir, v);
}

function single(resolve: boolean) {
  return (c: EventContext) => {
    const n = NAME_PARAMS[c.ev.name];
    return n ? pathOf(c, n, resolve) : undefined;
  };
}

function pair(which: 0 | 1, resolve: boolean) {
  return (c: EventContext) => {
    const n = PAIR_PARAMS[c.ev.name];
    if (!n) return undefined;
    // A symlink's target is kept as written: it is resolved relative to the link, not the cwd.
    if (which === 0 && n[0] === 'target') return c.str(P.target);
    return pathOf(c, n[which], resolve);
  };
}

/** The `fs.path.*` field class. */
export function fsFields(): FieldSpec[] {
  return [
    field('fs.path.name', 'CHARBUF', 'path of a one-path filesystem event', single(true)),
    field('fs.path.nameraw', 'CHARBUF', 'path as given to the syscall', single(false)),
    field('fs.path.source', 'CHARBUF', 'source path of rename/link/symlink', pair(0, true)),
    field('fs.path.sourceraw', 'CHARBUF', 'source path as given', pair(0, false)),
    field('fs.path.target', 'CHARBUF', 'target path of rename/link/symlink', pair(1, true)),
    field('fs.path.targetraw', 'CHARBUF', 'target path as given', pair(1, false)),
  ];
}
