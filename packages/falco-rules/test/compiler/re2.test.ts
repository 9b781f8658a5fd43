import { describe, expect, it } from 'vitest';
import { compileRe2, RuleError, translateRe2 } from '../../src/index.js';

describe('RE2 translation', () => {
  it.each([
    ['a\\1', /backreferences/],
    ['(?<=a)b', /lookaround/],
    ['(?!a)b', /lookaround/],
    ['(?>a)', /atomic/],
    ['a*+', /possessive/],
    ['a{1001}', /1000/],
    ['[a-', /missing \]/],
    ['a\\Z', /invalid escape/],
    ['(?U)a', /ungreedy/],
  ])('rejects %s as RE2 does', (pattern, why) => {
    expect(() => translateRe2(pattern)).toThrow(why);
    expect(() => translateRe2(pattern)).toThrow(RuleError);
  });

  it('matches the whole string only', () => {
    const m = compileRe2('ab+');
    expect(m('abbb')).toBe(true);
    expect(m('xabbb')).toBe(false);
    expect(m('abbbx')).toBe(false);
  });

  it('maps RE2 syntax JS lacks: named groups, \\A \\z, \\Q..\\E, POSIX classes, leading flags', () => {
    expect(compileRe2('(?P<x>a)b')('ab')).toBe(true);
    expect(compileRe2('\\Aab\\z')('ab')).toBe(true);
    expect(compileRe2('\\Qa.b\\E')('a.b')).toBe(true);
    expect(compileRe2('\\Qa.b\\E')('axb')).toBe(false);
    expect(compileRe2('[[:digit:]]+')('123')).toBe(true);
    expect(compileRe2('(?i)abc')('ABC')).toBe(true);
    expect(compileRe2('\\pL+')('héllo')).toBe(true);
  });

  it('uses ASCII white space for \\s as RE2 does', () => {
    expect(compileRe2('a\\sb')('a\tb')).toBe(true);
    expect(compileRe2('a\\sb')('a\u00a0b')).toBe(false);
  });
});
