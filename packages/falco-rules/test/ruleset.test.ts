import { describe, expect, it } from 'vitest';
import { createObjectFieldSet, loadRules } from '../src/index.js';
import { sinspFieldSet, type TestEvent } from './helpers.js';

const yaml = `
- rule: open etc
  desc: d
  condition: evt.type in (open, openat) and fd.name startswith /etc/
  output: o %fd.name
  priority: WARNING
- rule: any bash
  desc: d
  condition: proc.name = bash
  output: o %proc.name
  priority: INFO
  warn_evttypes: false
- rule: open shadow
  desc: d
  condition: evt.type = open and fd.name = /etc/shadow
  output: o %fd.name
  priority: ERROR
- rule: not open
  desc: d
  condition: not evt.type in (open, openat, execve)
  output: o
  priority: DEBUG
  warn_evttypes: false
`;

describe('Ruleset evaluation', () => {
  const r = loadRules([{ name: 'r.yaml', content: yaml }], { fieldSets: [sinspFieldSet()] });
  const rs = r.ruleset!;

  it('returns the first matching rule in load order', () => {
    const ev: TestEvent = { 'evt.type': 'open', 'fd.name': '/etc/shadow', 'proc.name': 'bash' };
    expect(rs.evaluate(ev)?.name).toBe('open etc');
    expect(rs.evaluateAll(ev).map((x) => x.name)).toEqual(['open etc', 'any bash', 'open shadow']);
  });

  it('never calls a rule that cannot match the event type', () => {
    const ev: TestEvent = { 'evt.type': 'close', 'fd.name': '/etc/shadow', 'proc.name': 'zsh' };
    expect(rs.evaluateAll(ev).map((x) => x.name)).toEqual(['not open']);
    const counted = loadRules([{ name: 'r.yaml', content: yaml }], { fieldSets: [countingSet()] }).ruleset!;
    calls.clear();
    counted.evaluateAll({ 'evt.type': 'close', 'fd.name': '/etc/x' });
    expect(calls.get('fd.name') ?? 0).toBe(0);
  });

  it('skips disabled rules and re-indexes when rules are enabled', () => {
    const ev: TestEvent = { 'evt.type': 'open', 'fd.name': '/etc/shadow' };
    expect(rs.setEnabled('open etc', false)).toBe(1);
    expect(rs.evaluate(ev)?.name).toBe('open shadow');
    rs.setEnabled((x) => x.name === 'open etc', true);
    expect(rs.evaluate(ev)?.name).toBe('open etc');
  });

  it('evaluates without an event-type index when the field set has none', () => {
    const plain = loadRules([{ name: 'r.yaml', content: yaml }], { fieldSets: [sinspFieldSet(false)] })
      .ruleset!;
    expect(plain.evaluate({ 'evt.type': 'openat', 'fd.name': '/etc/x' })?.name).toBe('open etc');
    expect(plain.evaluate({ 'evt.type': 'openat', 'fd.name': '/tmp/x' })).toBeUndefined();
  });

  it('evaluates only the rules of the event source asked for', () => {
    const other = createObjectFieldSet<TestEvent>({
      source: 'aws',
      fields: [{ name: 'ct.name', type: 'string' }],
    });
    const multi = loadRules(
      [
        {
          name: 'r.yaml',
          content: `${yaml}- rule: aws\n  desc: d\n  condition: ct.name = x\n  output: o\n  priority: INFO\n  source: aws\n`,
        },
      ],
      { fieldSets: [sinspFieldSet(), other] },
    ).ruleset!;
    expect(multi.evaluate({ 'ct.name': 'x' }, { source: 'aws' })?.name).toBe('aws');
    expect(multi.evaluateAll({ 'ct.name': 'x', 'evt.type': 'open' }).map((x) => x.name)).not.toContain('aws');
  });
});

const calls = new Map<string, number>();
function countingSet() {
  const base = sinspFieldSet();
  return {
    ...base,
    source: base.source,
    field: base.field,
    fields: base.fields,
    eventTypes: base.eventTypes,
    extractor(def: Parameters<typeof base.extractor>[0], arg: string | undefined) {
      const ex = base.extractor(def, arg);
      return (e: TestEvent) => {
        calls.set(def.name, (calls.get(def.name) ?? 0) + 1);
        return ex(e);
      };
    },
  };
}
