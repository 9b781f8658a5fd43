import { describe, expect, it } from 'vitest';
import { basename, dirname, normalizePath, resolvePath } from '../src/index.js';

describe('paths', () => {
  it('resolves relative paths against a directory and normalises . and ..', () => {
    expect(resolvePath('/var/www/', '../../etc/passwd')).toBe('/etc/passwd');
    expect(resolvePath('/root', 'a/./b')).toBe('/root/a/b');
    expect(resolvePath('/x/', '/abs//path/')).toBe('/abs/path');
    expect(resolvePath('/', '../../..')).toBe('/');
    expect(resolvePath('/x', '')).toBe('');
  });

  it('splits directory and file name like fd.directory / fd.filename', () => {
    expect(dirname('/etc/passwd')).toBe('/etc');
    expect(dirname('/x')).toBe('/');
    expect(basename('/etc/passwd')).toBe('passwd');
    expect(normalizePath('/a/b/../c')).toBe('/a/c');
  });
});
