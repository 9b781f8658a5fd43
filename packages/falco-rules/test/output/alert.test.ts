import { describe, expect, it } from 'vitest';
import { createAlert, formatIsoNanos, loadRules } from '../../src/index.js';
import { sinspFieldSet, type TestEvent } from '../helpers.js';

const yaml = `
- rule: Shell spawned
  desc: a shell
  condition: evt.type = execve and proc.name = bash
  output: Shell spawned (user=%user.name command=%proc.cmdline parent=%proc.pname)
  priority: NOTICE
  tags: [shell, mitre_execution]
`;

describe('Falco JSON alerts', () => {
  it('has the keys and values of Falco json_output', () => {
    const r = loadRules([{ name: 'r.yaml', content: yaml }], { fieldSets: [sinspFieldSet()] });
    const ev: TestEvent = {
      'evt.type': 'execve',
      'proc.name': 'bash',
      'user.name': 'root',
      'proc.cmdline': 'bash -i',
      'evt.rawtime': 1700000000123456789n,
    };
    const rule = r.ruleset!.evaluate(ev)!;
    const alert = createAlert(rule, ev, { hostname: 'node-1', timestamp: (e) => e['evt.rawtime'] as bigint });
    expect(alert).toEqual({
      time: '2023-11-14T22:13:20.123456789Z',
      rule: 'Shell spawned',
      priority: 'Notice',
      output: '2023-11-14T22:13:20.123456789Z: Notice Shell spawned (user=root command=bash -i parent=<NA>)',
      output_fields: { 'user.name': 'root', 'proc.cmdline': 'bash -i', 'proc.pname': null },
      source: 'syscall',
      tags: ['mitre_execution', 'shell'],
      hostname: 'node-1',
    });
    expect(Object.keys(JSON.parse(JSON.stringify(alert))).sort()).toEqual([
      'hostname',
      'output',
      'output_fields',
      'priority',
      'rule',
      'source',
      'tags',
      'time',
    ]);
    const clock = createAlert(rule, ev, { timestamp: () => 1700000000123456789n, timeFormat: 'clock' });
    expect(clock.output.startsWith('22:13:20.123456789: Notice ')).toBe(true);
  });

  it('formats nanosecond timestamps', () => {
    expect(formatIsoNanos(0n)).toBe('1970-01-01T00:00:00.000000000Z');
    expect(formatIsoNanos(1_000_000_001n)).toBe('1970-01-01T00:00:01.000000001Z');
  });
});
