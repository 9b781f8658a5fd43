import { describe, expect, it } from 'vitest';
import type { BinaryCheckExpr, Expr, TransformerExpr } from '../../src/index.js';
import { conditionToString, parseCondition, RuleError } from '../../src/index.js';

function binary(e: Expr): BinaryCheckExpr {
  if (e.kind !== 'binary') throw new Error(`expected a binary check, got ${e.kind}`);
  return e;
}

describe('parseCondition AST', () => {
  it('gives and precedence over or, flattening chains', () => {
    const e = parseCondition('a.a=1 or b.b=2 and c and d');
    expect(e.kind).toBe('or');
    if (e.kind !== 'or') return;
    expect(e.children.map((c) => c.kind)).toEqual(['binary', 'and']);
    const and = e.children[1]!;
    expect(and.kind === 'and' && and.children.length).toBe(3);
  });

  it('collapses an even number of nots and keeps an odd one', () => {
    expect(parseCondition('not not a').kind).toBe('identifier');
    expect(parseCondition('not not not a').kind).toBe('not');
    expect(parseCondition('not(a)').kind).toBe('not');
  });

  it('reads field arguments: index, key, quoted, and dotted names', () => {
    const idx = binary(parseCondition('proc.aname[2] = bash'));
    expect(idx.left).toMatchObject({ kind: 'field', name: 'proc.aname', arg: '2' });
    const quoted = binary(parseCondition("container.label['a b'] = x"));
    expect(quoted.left).toMatchObject({ name: 'container.label', arg: 'a b' });
    const dotted = binary(parseCondition('evt.arg.flags contains O_TRUNC'));
    expect(dotted.left).toMatchObject({ name: 'evt.arg.flags' });
    expect((dotted.left as { arg?: string }).arg).toBeUndefined();
  });

  it('unescapes quoted strings with libsinsp escapes', () => {
    expect(binary(parseCondition('a.b = "x\\ty\\"z"')).right).toMatchObject({
      value: 'x\ty"z',
      quoted: true,
    });
    expect(binary(parseCondition("a.b = 'it\\'s'")).right).toMatchObject({ value: "it's" });
    expect(() => parseCondition('a.b = "bad \\q"')).toThrow(/unsupported string escape sequence: \\q/);
  });

  it('builds lists, list names, and oneof/anyof/allof modifiers', () => {
    const inList = binary(parseCondition('a.b in (x, \'y z\', "w")'));
    expect(inList.right.kind).toBe('list');
    expect(inList.right.kind === 'list' && inList.right.items.map((i) => i.value)).toEqual(['x', 'y z', 'w']);
    const named = binary(parseCondition('a.b in my_list'));
    expect(named.right).toMatchObject({ kind: 'value', value: 'my_list' });
    const mod = binary(parseCondition('proc.name contains anyof (cat, dog)'));
    expect(mod).toMatchObject({ op: 'contains', modifier: 'anyof' });
    const bare = binary(parseCondition('proc.name == anyof and b'.replace(' and b', '')));
    expect(bare.modifier).toBeUndefined();
    expect(bare.right).toMatchObject({ value: 'anyof' });
  });

  it('parses nested transformers, val(), join, concat and getopt', () => {
    const t = binary(parseCondition('toupper(b64(fd.name)) = val(proc.name)'));
    expect(t.left).toMatchObject({ kind: 'transformer', name: 'toupper', args: [{ name: 'b64' }] });
    expect(t.right).toMatchObject({
      kind: 'transformer',
      name: 'val',
      args: [{ kind: 'field', name: 'proc.name' }],
    });
    const j = binary(parseCondition('join("-", (fd.name, "lit", 12)) = x')).left as TransformerExpr;
    expect(j).toMatchObject({ name: 'join', param: '-' });
    expect(j.args.map((a) => a.kind)).toEqual(['field', 'value', 'value']);
    const c = binary(parseCondition('concat(proc.name, ":", proc.pid) = x')).left as TransformerExpr;
    expect(c.args.length).toBe(3);
    const g = binary(parseCondition('getopt(proc.args, "nt:")[t] = value')).left as TransformerExpr;
    expect(g).toMatchObject({ name: 'getopt', param: 'nt:', key: 't' });
  });

  it('records source positions of nodes', () => {
    const e = parseCondition('a and\n  proc.name = x');
    expect(e.kind).toBe('and');
    if (e.kind !== 'and') return;
    const check = e.children[1]!;
    expect(check.loc.start).toEqual({ offset: 8, line: 2, column: 3 });
    expect(check.loc.end.offset).toBe(21);
  });

  it('throws RuleError with the offset, line and column of a syntax error', () => {
    try {
      parseCondition('a and\n  b.c ==');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleError);
      const err = e as RuleError;
      expect(err.code).toBe('PARSE_ERROR');
      expect(err.offset).toBe(14);
      expect([err.line, err.col]).toEqual([2, 9]);
    }
  });

  it('rejects empty input and deep nesting with RuleError', () => {
    expect(() => parseCondition('')).toThrow(RuleError);
    expect(() => parseCondition(`${'('.repeat(40)}a${')'.repeat(40)}`)).toThrow(/depth/);
    expect(() => parseCondition(`${'('.repeat(19)}a${')'.repeat(19)}`)).not.toThrow();
    expect(() => parseCondition(`${'('.repeat(20)}a${')'.repeat(20)}`)).toThrow(/depth/);
    expect(() => parseCondition(`${'('.repeat(150)}a${')'.repeat(150)}`, { maxDepth: 1000 })).not.toThrow();
  });

  it('prints conditions the way Falco shows condition_compiled', () => {
    expect(conditionToString(parseCondition('evt.type=open and proc.name in (ash,bash)'))).toBe(
      '(evt.type = open and proc.name in (ash, bash))',
    );
    expect(conditionToString(parseCondition("not a.b = 'x y'"))).toBe('not a.b = "x y"');
  });
});
