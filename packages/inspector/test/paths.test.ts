import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { basename, dirname, normalizePath, resolvePath } from '../src/index.js';
import { pathParts } from '../src/paths.js';

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
    expect(dirname('passwd')).toBe('');
    expect(basename('passwd')).toBe('passwd');
  });

  it('gives the same directory string object for a path seen again', () => {
    const a = pathParts(`/srv/data/${'file'}1.txt`);
    const b = pathParts(['/srv', 'data', 'file1.txt'].join('/'));
    expect(b).toBe(a);
    expect(a).toEqual({ dir: '/srv/data', file: 'file1.txt' });
  });

  it('normalises every absolute path like a component-by-component walk', () => {
    const walk = (p: string) => {
      const out: string[] = [];
      for (const c of p.split('/')) {
        if (c === '' || c === '.') continue;
        if (c === '..') out.pop();
        else out.push(c);
      }
      return `/${out.join('/')}`;
    };
    const path = fc
      .array(fc.constantFrom('/', '.', 'a', 'b.'), { maxLength: 12 })
      .map((parts) => `/${parts.join('')}`);
    fc.assert(
      fc.property(path, (p) => {
        expect(normalizePath(p)).toBe(walk(p));
      }),
      { numRuns: 5000 },
    );
  });
});
