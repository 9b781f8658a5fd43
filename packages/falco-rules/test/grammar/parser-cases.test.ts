import { describe, expect, it } from 'vitest';
import { RuleError } from '../../src/errors.js';
import { parseCondition } from '../../src/grammar/parse.js';
import { readTestdata } from '../testdata.js';

interface Case {
  input: string;
  expect: 'accept' | 'reject';
}

const cases = JSON.parse(readTestdata('falco-rules/parser-test-cases.json')) as Case[];

describe('condition grammar against libsinsp parser cases', () => {
  it('has all 530 cases', () => {
    expect(cases.length).toBe(530);
  });

  it('accepts and rejects exactly as libsinsp on every case', () => {
    const mismatches: string[] = [];
    for (const c of cases) {
      let got: 'accept' | 'reject' = 'accept';
      let detail = '';
      try {
        parseCondition(c.input);
      } catch (e) {
        got = 'reject';
        if (!(e instanceof RuleError)) detail = ` (threw ${String(e)} instead of RuleError)`;
        else detail = ` (${e.message})`;
        if (!(e instanceof RuleError)) mismatches.push(`${JSON.stringify(c.input)}: non-RuleError${detail}`);
      }
      if (got !== c.expect)
        mismatches.push(`${JSON.stringify(c.input)}: expected ${c.expect}, got ${got}${detail}`);
    }
    expect(mismatches, mismatches.join('\n')).toEqual([]);
  });
});
