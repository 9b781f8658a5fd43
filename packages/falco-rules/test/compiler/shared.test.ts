import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createObjectFieldSet, type FieldSet, loadRules } from '../../src/index.js';
import { EVENT_NAMES, type TestEvent } from '../helpers.js';

/** Calls of each counted field's extractor. */
type Calls = Record<string, number>;

/** A field set whose `fd.directory` (cost 2) and `proc.cmdline` (cost 3) extractors count their calls. */
function countingFieldSet(calls: Calls): FieldSet<TestEvent> {
  const counted = (name: string) => (e: TestEvent) => {
    calls[name] = (calls[name] ?? 0) + 1;
    return e[name] as string | undefined;
  };
  return createObjectFieldSet<TestEvent>({
    fields: [
      { name: 'evt.type', type: 'CHARBUF' },
      { name: 'proc.name', type: 'CHARBUF' },
      { name: 'fd.name', type: 'FSPATH' },
      { name: 'fd.num', type: 'INT64' },
      { name: 'fd.directory', type: 'CHARBUF', cost: 2, get: counted('fd.directory') },
      { name: 'proc.cmdline', type: 'CHARBUF', cost: 3, get: counted('proc.cmdline') },
    ],
    eventTypes: { names: EVENT_NAMES },
  });
}

const RULES = `
- macro: sensitive
  condition: (fd.name in (/etc/shadow, /etc/passwd) or fd.directory in (/etc/pam.d, /etc/sudoers.d))
- macro: opened
  condition: (evt.type in (open, openat) and fd.num >= 0)
- rule: sensitive by a shell
  desc: d
  condition: opened and sensitive and proc.name in (bash, sh)
  output: o
  priority: WARNING
- rule: sensitive by a server
  desc: d
  condition: opened and sensitive and proc.name in (nginx, httpd)
  output: o
  priority: WARNING
- rule: costly first as written
  desc: d
  condition: evt.type = execve and proc.cmdline contains "-c" and proc.name = bash
  output: o
  priority: NOTICE
- rule: either
  desc: d
  condition: (evt.type = open and not sensitive) or (evt.type = execve and proc.cmdline contains "/tmp")
  output: o
  priority: INFO
`;

function load(calls: Calls) {
  return loadRules([{ name: 'r.yaml', content: RULES }], { fieldSets: [countingFieldSet(calls)] }).ruleset!;
}

describe('rules compiled together', () => {
  it('extract a sub-condition that two rules share once per event', () => {
    const calls: Calls = {};
    const rs = load(calls);
    const ev = {
      'evt.type': 'openat',
      'fd.num': 3,
      'fd.name': '/tmp/x',
      'fd.directory': '/tmp',
      'proc.name': 'sh',
    };
    expect(rs.evaluateAll(ev)).toEqual([]);
    expect(calls['fd.directory']).toBe(1);
    // Each rule's own test, called alone, extracts it again.
    calls['fd.directory'] = 0;
    for (const r of rs.rules.filter((x) => x.name.startsWith('sensitive'))) r.test(ev);
    expect(calls['fd.directory']).toBe(2);
  });

  it('do not carry a remembered value over to the next event', () => {
    const rs = load({});
    const base = { 'evt.type': 'open', 'fd.num': 3, 'proc.name': 'bash' };
    const quiet = { ...base, 'fd.name': '/tmp/x', 'fd.directory': '/tmp' };
    const loud = { ...base, 'fd.name': '/etc/pam.d/sshd', 'fd.directory': '/etc/pam.d' };
    expect(rs.evaluateAll(quiet).map((r) => r.name)).toEqual(['either']);
    expect(rs.evaluateAll(loud).map((r) => r.name)).toEqual(['sensitive by a shell']);
    expect(rs.evaluate(quiet)?.name).toBe('either');
    expect(rs.evaluate(loud)?.name).toBe('sensitive by a shell');
  });

  it('run the cheap positive checks of an and before costly ones', () => {
    const calls: Calls = {};
    const rs = load(calls);
    rs.evaluateAll({ 'evt.type': 'execve', 'proc.name': 'nginx', 'proc.cmdline': 'nginx -g x' });
    // `costly first as written` fails on proc.name without extracting proc.cmdline; `either` needs it.
    expect(calls['proc.cmdline']).toBe(1);
    expect(rs.rule('costly first as written')!.test({ 'evt.type': 'execve', 'proc.name': 'nginx' })).toBe(
      false,
    );
  });

  it('reach the verdicts of each rule alone, on random events', () => {
    const rs = load({});
    const event = fc.record({
      'evt.type': fc.constantFrom('open', 'openat', 'execve', 'close'),
      'fd.num': fc.integer({ min: -1, max: 4 }),
      'fd.name': fc.constantFrom('/etc/shadow', '/tmp/x', '/etc/pam.d/sshd'),
      'fd.directory': fc.constantFrom('/etc', '/tmp', '/etc/pam.d', '/etc/sudoers.d'),
      'proc.name': fc.constantFrom('bash', 'sh', 'nginx', 'httpd', 'cat'),
      'proc.cmdline': fc.constantFrom('bash -c x', 'cat /tmp/y', 'nginx'),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 6 }), (events) => {
        for (const e of events) {
          const alone = rs.rules.filter((r) => r.test(e)).map((r) => r.name);
          expect(rs.evaluateAll(e).map((r) => r.name)).toEqual(alone);
          expect(rs.evaluate(e)?.name).toBe(alone[0]);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
