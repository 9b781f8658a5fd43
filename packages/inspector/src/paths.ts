/** Path helpers with libsinsp's semantics (`sinsp_utils::concatenate_paths`). */

/**
 * Normalises an absolute path: collapses `//`, resolves `.` and `..` (never above `/`), drops a trailing
 * `/` except for the root.
 */
export function normalizePath(path: string): string {
  if (isNormal(path)) return path;
  const parts = path.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}

/** Whether an absolute path has no `//`, no `/.` (so no `.` or `..` component) and no trailing `/`. */
function isNormal(path: string): boolean {
  const n = path.length;
  let slash = false;
  for (let i = 0; i < n; i++) {
    const c = path.charCodeAt(i);
    if (slash && (c === 47 || c === 46)) return false;
    slash = c === 47;
  }
  return !slash || n === 1;
}

/**
 * Resolves `path` against the directory `dir` (absolute, with or without a trailing `/`), as libsinsp
 * does for relative paths of open/openat/execve: absolute paths are only normalised; an empty path
 * stays empty.
 */
export function resolvePath(dir: string, path: string): string {
  if (path === '') return '';
  if (path.charCodeAt(0) === 47) return normalizePath(path);
  const base = dir === '' ? '/' : dir;
  return normalizePath(base.endsWith('/') ? base + path : `${base}/${path}`);
}

/** Ensures a directory path ends with `/` (libsinsp keeps `proc.cwd` that way). */
export function withTrailingSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

/** A path's directory (`fd.directory`) and last component (`fd.filename`). */
export interface PathParts {
  readonly dir: string;
  readonly file: string;
}

const PARTS = new Map<string, PathParts>();
const MAX_PARTS = 8192;

/**
 * {@link dirname} and {@link basename} of `path` at once. Cached by path: the same files are opened again
 * and again, and their parts come back as the same string objects, which compare and hash cheaply.
 */
export function pathParts(path: string): PathParts {
  let parts = PARTS.get(path);
  if (parts !== undefined) return parts;
  const i = path.lastIndexOf('/');
  parts = { dir: i < 0 ? '' : i === 0 ? '/' : path.slice(0, i), file: i < 0 ? path : path.slice(i + 1) };
  if (PARTS.size >= MAX_PARTS) PARTS.clear();
  PARTS.set(path, parts);
  return parts;
}

/** `fd.directory`: the directory part of a path (`/etc/passwd` → `/etc`, `/x` → `/`). */
export function dirname(path: string): string {
  return pathParts(path).dir;
}

/** `fd.filename`: the last component of a path. */
export function basename(path: string): string {
  return pathParts(path).file;
}
