/** Path helpers for file events: lexical normalisation like the collector's canonical paths. */

/** Removes `.`, `..` and repeated slashes from an absolute path (lexically; symlinks are not resolved). */
export function normalizeAbsolute(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  const joined = `/${out.join('/')}`;
  return path.endsWith('/') && joined !== '/' ? `${joined}/` : joined;
}

/**
 * The absolute form of `name` for a file event: relative names are joined to `base` (the cwd or the
 * directory of a `dirfd`); without a base the name stays as given.
 */
export function absolutePath(base: string | undefined, name: string): string {
  if (name.startsWith('/')) return normalizeAbsolute(name);
  if (!base) return name;
  return normalizeAbsolute(`${base.endsWith('/') ? base : `${base}/`}${name}`);
}

/** Removes `.` segments and resolves `..` where possible in a relative path (`./a/../b` → `b`). */
export function normalizeRelative(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}
