import { describe, expect, it } from 'vitest';
import { compileOutput, RuleError } from '../../src/index.js';
import { type TestEvent, typedFieldSet } from '../helpers.js';

const fs = [typedFieldSet()];
const ev: TestEvent = {
  'proc.name': 'bash',
  'proc.pid': 42,
  'proc.aname': ['sshd', 'systemd'],
  'evt.arg': { flags: 'O_RDONLY' },
  'evt.flags': ['A', 'B'],
  'evt.hostname': 'host1',
};

describe('outputs', () => {
  it('substitutes %field, %field[arg] and %evt.arg.name, and prints <NA> for missing values', () => {
    const out = compileOutput(
      'proc=%proc.name pid=%proc.pid parent=%proc.aname[1] flags=%evt.arg.flags fd=%fd.name',
      fs,
    );
    expect(out.render(ev)).toBe('proc=bash pid=42 parent=systemd flags=O_RDONLY fd=<NA>');
  });

  it('lists the output fields with typed values and null for missing ones', () => {
    const out = compileOutput('%proc.name %proc.pid %proc.aname[1] %fd.name %evt.flags', fs);
    expect(out.fieldNames).toEqual(['proc.name', 'proc.pid', 'proc.aname[1]', 'fd.name', 'evt.flags']);
    expect(out.fields(ev)).toEqual({
      'proc.name': 'bash',
      'proc.pid': 42,
      'proc.aname[1]': 'systemd',
      'fd.name': null,
      'evt.flags': '(A,B)',
    });
  });

  it('keeps a % that does not start a field name, and allows print-only fields', () => {
    expect(compileOutput('100% done %evt.hostname', fs).render(ev)).toBe('100% done host1');
  });

  it('rejects unknown fields and filter-only fields with the offset of the token', () => {
    try {
      compileOutput('a %proc.nope b', fs);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleError);
      expect((e as RuleError).code).toBe('LOAD_ERR_COMPILE_OUTPUT');
      expect((e as RuleError).message).toContain('invalid formatting token %proc.nope');
      expect((e as RuleError).offset).toBe(2);
    }
    expect(() => compileOutput('%fd.net', fs)).toThrow(/only be used in conditions/);
  });
});
