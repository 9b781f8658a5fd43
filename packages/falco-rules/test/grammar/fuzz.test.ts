import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCondition, RuleError } from '../../src/index.js';

const tokens = [
  'a',
  'proc.name',
  'evt.arg[0]',
  'fd.name',
  ' ',
  '  ',
  '\n',
  '\t',
  '(',
  ')',
  'and',
  'or',
  'not',
  'not(',
  '=',
  '==',
  '!=',
  '<',
  '>=',
  'in',
  'contains ',
  'glob ',
  'exists',
  'oneof ',
  'anyof',
  '(a, b)',
  ',',
  "'",
  '"',
  '\\',
  "'x'",
  '"y\\"z"',
  'b64(',
  'tolower(',
  'val(',
  'join("-", (',
  'getopt(',
  '[',
  ']',
  '0x1f',
  '-1.5e+3',
  '/bin/*',
  '%',
];

function expectOnlyRuleError(input: string): void {
  try {
    parseCondition(input);
  } catch (e) {
    if (!(e instanceof RuleError))
      throw new Error(`non-RuleError for ${JSON.stringify(input)}: ${String(e)}`);
  }
}

describe('parser fuzz', () => {
  it('throws only RuleError and terminates on random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => expectOnlyRuleError(s)),
      { seed: 20261123, numRuns: 3000 },
    );
  });

  it('throws only RuleError and terminates on random token sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 60 }), (ts) =>
        expectOnlyRuleError(ts.join('')),
      ),
      { seed: 424242, numRuns: 4000 },
    );
  });

  it('rejects pathological nesting quickly', () => {
    const start = Date.now();
    expectOnlyRuleError(`${'not ('.repeat(5000)}a${')'.repeat(5000)}`);
    expectOnlyRuleError(`${'b64('.repeat(5000)}x.y${')'.repeat(5000)} exists`);
    expect(Date.now() - start).toBeLessThan(2000);
  });
});
