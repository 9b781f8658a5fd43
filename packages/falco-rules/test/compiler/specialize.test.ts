import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldEvtTypeChecks, specializeByEventType } from '../../src/compiler/specialize.js';
import { conditionToString, type FieldSet, loadRules, parseCondition } from '../../src/index.js';
import { EVENT_NAMES, sinspFieldSet, type TestEvent } from '../helpers.js';

const info = {
  count: EVENT_NAMES.length,
  codes: (n: string) => {
    const i = EVENT_NAMES.indexOf(n);
    return i < 0 ? undefined : [i];
  },
  of: () => 0,
  name: (c: number) => EVENT_NAMES[c],
};
const code = (name: string) => EVENT_NAMES.indexOf(name);

/** The folded condition for one event name, printed (or the constant). */
function folded(cond: string, name: string): string | boolean {
  const { groups } = specializeByEventType(parseCondition(cond), [code(name)], info);
  const f = groups[0]!.folded;
  return typeof f === 'boolean' ? f : conditionToString(f);
}

describe('conditions folded for a known event type', () => {
  it('drops evt.type checks that hold and keeps the rest', () => {
    expect(folded('evt.type in (open, openat) and fd.name startswith /etc', 'openat')).toBe(
      'fd.name startswith /etc',
    );
    expect(folded('evt.type = open and proc.name = x and fd.num >= 0', 'open')).toBe(
      '(proc.name = x and fd.num >= 0)',
    );
  });

  it('decides a condition whose evt.type checks settle it', () => {
    expect(folded('evt.type = open and proc.name = x', 'close')).toBe(false);
    expect(folded('evt.type = open or proc.name = x', 'open')).toBe(true);
    expect(folded('not evt.type in (open, close)', 'close')).toBe(false);
    expect(folded('evt.type != open', 'close')).toBe(true);
  });

  it('keeps only the branch of an or that applies, through not', () => {
    const cond =
      '(evt.type = open and fd.name = /a) or (evt.type = execve and proc.name = b) or not (evt.type = close or proc.pid = 1)';
    expect(folded(cond, 'open')).toBe('(fd.name = /a or not proc.pid = 1)');
    expect(folded(cond, 'execve')).toBe('(proc.name = b or not proc.pid = 1)');
    expect(folded(cond, 'close')).toBe(false);
  });

  it('groups codes by the outcome of their checks, and leaves codes without a static name to the full test', () => {
    const cond = parseCondition('evt.type in (open, openat) and fd.name = /x or evt.type = close');
    const dynamicInfo = { ...info, name: (c: number) => (c === code('read') ? undefined : EVENT_NAMES[c]) };
    const { groups, dynamic } = specializeByEventType(
      cond,
      ['open', 'openat', 'close', 'read'].map(code),
      dynamicInfo,
    );
    expect(dynamic).toEqual([code('read')]);
    expect(groups.map((g) => g.codes.map((c) => EVENT_NAMES[c]))).toEqual([['open', 'openat'], ['close']]);
    expect(groups[1]!.folded).toBe(true);
  });

  it('leaves a condition without evt.type checks unchanged', () => {
    const e = parseCondition('proc.name = x and not fd.num < 3');
    expect(foldEvtTypeChecks(e, new Map())).toBe(e);
  });
});

describe('a ruleset specialised per event type alerts exactly as the unspecialised one', () => {
  const rules = `
- rule: open etc
  desc: d
  condition: evt.type in (open, openat) and fd.name startswith /etc/ and not proc.name in (cat, ls)
  output: o
  priority: WARNING
- rule: mixed
  desc: d
  condition: (evt.type = open and fd.num >= 3) or (evt.type in (execve, close) and proc.name = bash) or (not evt.type in (open, read) and proc.pid = 1)
  output: o
  priority: INFO
- rule: negated
  desc: d
  condition: not (evt.type = close or proc.name = sh) and evt.type != read
  output: o
  priority: DEBUG
  warn_evttypes: false
- rule: any type
  desc: d
  condition: proc.name = bash or evt.type = close
  output: o
  priority: DEBUG
  warn_evttypes: false
`;
  const load = (fs: FieldSet<TestEvent>) =>
    loadRules([{ name: 'r.yaml', content: rules }], { fieldSets: [fs] }).ruleset!;
  const specialised = load(sinspFieldSet());
  const plainSet = sinspFieldSet();
  delete (plainSet.eventTypes as { name?: unknown }).name;
  const plain = load(plainSet);

  it('the field set names its codes, so rules are specialised', () => {
    expect(sinspFieldSet().eventTypes?.name?.(code('openat'))).toBe('openat');
    expect(plainSet.eventTypes?.name).toBeUndefined();
  });

  it('on random events', () => {
    const event = fc.record({
      'evt.type': fc.constantFrom('open', 'openat', 'close', 'read', 'execve', 'unknownevent'),
      'fd.name': fc.constantFrom('/etc/passwd', '/tmp/x', '/etc/'),
      'fd.num': fc.integer({ min: -1, max: 5 }),
      'proc.name': fc.constantFrom('bash', 'cat', 'sh', 'nginx'),
      'proc.pid': fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(event, (ev) => {
        const e = ev as TestEvent;
        expect(specialised.evaluateAll(e).map((r) => r.name)).toEqual(
          plain.evaluateAll(e).map((r) => r.name),
        );
        expect(specialised.evaluate(e)?.name).toBe(plain.evaluate(e)?.name);
      }),
      { numRuns: 3000 },
    );
  });
});
