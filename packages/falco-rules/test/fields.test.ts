import { describe, expect, it } from 'vitest';
import { createObjectFieldSet, normalizeFieldType, RuleError, resolveField } from '../src/index.js';

type Ev = Record<string, unknown>;

describe('normalizeFieldType', () => {
  it('accepts libsinsp names with or without PT_, and plugin type names', () => {
    expect(normalizeFieldType('PT_UINT64')).toBe('UINT64');
    expect(normalizeFieldType('FSPATH')).toBe('FSPATH');
    expect(normalizeFieldType('string')).toBe('CHARBUF');
    expect(normalizeFieldType('ipnet')).toBe('IPNET');
    expect(() => normalizeFieldType('PT_WHATEVER')).toThrow(RuleError);
  });
});

describe('createObjectFieldSet', () => {
  const fs = createObjectFieldSet<Ev>({
    source: 'json',
    fields: [
      { name: 'proc.name', type: 'string' },
      { name: 'proc.aname', type: 'CHARBUF', arg: 'optional', argKind: 'index' },
      { name: 'k8s.label', type: 'CHARBUF', arg: 'required' },
      { name: 'evt.type', type: 'CHARBUF' },
      { name: 'evt.num', type: 'UINT64', get: (e) => (e.n as number) * 2 },
    ],
    eventTypes: { names: ['open', 'close', 'open'] },
  });

  const get = (name: string, arg: string | undefined, e: Ev) => fs.extractor(fs.field(name)!, arg)(e);

  it('reads flat keys first, then nested paths', () => {
    expect(get('proc.name', undefined, { 'proc.name': 'a' })).toBe('a');
    expect(get('proc.name', undefined, { proc: { name: 'b' } })).toBe('b');
    expect(get('proc.name', undefined, {})).toBeUndefined();
    expect(get('proc.name', undefined, { proc: { name: null } })).toBeUndefined();
  });

  it('indexes arrays by numeric argument and objects by key', () => {
    expect(get('proc.aname', '1', { 'proc.aname': ['x', 'y'] })).toBe('y');
    expect(get('proc.aname', '5', { 'proc.aname': ['x'] })).toBeUndefined();
    expect(get('k8s.label', 'app', { k8s: { label: { app: 'web' } } })).toBe('web');
    expect(() => fs.extractor(fs.field('proc.aname')!, 'x')).toThrow(RuleError);
  });

  it('uses a custom getter when given', () => {
    expect(get('evt.num', undefined, { n: 21 })).toBe(42);
  });

  it('maps event names to codes, several codes per name, unknown names to an extra code', () => {
    const et = fs.eventTypes!;
    expect(et.count).toBe(4);
    expect(et.codes('open')).toEqual([0, 2]);
    expect(et.of({ 'evt.type': 'close' })).toBe(1);
    expect(et.of({ 'evt.type': 'nope' })).toBe(3);
  });

  it('resolves dotted arguments to the longest field taking an argument', () => {
    expect(resolveField([fs], 'k8s.label.app', undefined)).toMatchObject({
      def: { name: 'k8s.label' },
      arg: 'app',
    });
    expect(resolveField([fs], 'proc.name.x', undefined)).toBeUndefined();
    expect(resolveField([fs], 'proc.name', '1')).toMatchObject({ def: { name: 'proc.name' }, arg: '1' });
    expect(resolveField([fs], 'nope', undefined)).toBeUndefined();
  });
});
