import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../src/index.js';

describe('glob', () => {
  it.each([
    ['*', '/any/path', true],
    ['/usr/*', '/usr/bin/ls', true],
    ['*.log', '/var/log/x.log', true],
    ['*.log', '/var/log/x.txt', false],
    ['/var/lo?/x', '/var/log/x', true],
    ['[abc]x', 'bx', true],
    ['[!abc]x', 'bx', false],
    ['[^abc]x', 'dx', true],
    ['[a-c]x', 'cx', true],
    ['\\*x', '*x', true],
    ['\\*x', 'ax', false],
    ['[[:digit:]]', '7', true],
    ['a[', 'a[', true],
  ])('%s against %s is %s', (glob, s, expected) => {
    expect(compileGlob(glob, false)(s)).toBe(expected);
  });

  it('ignores case for iglob', () => {
    expect(compileGlob('/ETC/*', true)('/etc/passwd')).toBe(true);
    expect(compileGlob('/ETC/*', false)('/etc/passwd')).toBe(false);
  });
});
