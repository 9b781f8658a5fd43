import { describe, expect, it } from 'vitest';
import {
  compileFilter,
  filterEvents,
  InspectorError,
  inspectCapture,
  loadSyscallRules,
  runRulesOnCapture,
} from '../src/index.js';
import { craftCapture, PAIRS, plThread, testdata } from './helpers.js';

const RULES = testdata('falco-rules/falco_rules.yaml');

const SHADOW = craftCapture(
  [plThread({ tid: 100, comm: 'python3', exe: 'python3', exepath: '/usr/bin/python3' })],
  [
    { name: 'openat', dir: '>', tid: 100, params: { dirfd: -100, name: '/etc/shadow', flags: 1, mode: 0 } },
    {
      name: 'openat',
      tid: 100,
      params: { fd: 3, dirfd: -100, name: '/etc/shadow', flags: 1, mode: 0, dev: 0, ino: 1 },
    },
    { name: 'close', tid: 100, params: { res: 0, fd: 3 } },
  ],
);

describe('runRulesOnCapture', () => {
  it("yields alerts in Falco's JSON output format", async () => {
    const alerts = [];
    for await (const a of runRulesOnCapture(SHADOW, [RULES])) alerts.push(a);
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(Object.keys(a).sort()).toEqual([
      'hostname',
      'output',
      'output_fields',
      'priority',
      'rule',
      'source',
      'tags',
      'time',
    ]);
    expect(a).toMatchObject({
      rule: 'Read sensitive file untrusted',
      priority: 'Warning',
      source: 'syscall',
      hostname: 'test-host',
    });
    expect(a.time).toBe('2024-01-01T00:00:00.000002000Z');
    expect(a.output).toMatch(
      /^2024-01-01T00:00:00\.000002000Z: Warning Sensitive file opened for reading by non-trusted program \| file=\/etc\/shadow /,
    );
    expect(a.output_fields).toMatchObject({
      'fd.name': '/etc/shadow',
      'proc.name': 'python3',
      'evt.type': 'openat',
      'user.name': 'root',
    });
    expect(a.tags).toContain('filesystem');
  });

  it('honours hostname, minPriority and rule inputs given as text', async () => {
    const content = `
- rule: any open
  desc: d
  condition: evt.type = openat and fd.name startswith /etc
  output: "%proc.name opened %fd.name"
  priority: DEBUG
`;
    const got = [];
    for await (const a of runRulesOnCapture(SHADOW, [{ name: 'r.yaml', content }], { hostname: 'h1' }))
      got.push(a);
    expect(got.map((a) => [a.rule, a.hostname, a.output.endsWith('python3 opened /etc/shadow')])).toEqual([
      ['any open', 'h1', true],
    ]);
    const none = [];
    for await (const a of runRulesOnCapture(SHADOW, [{ name: 'r.yaml', content }], {
      minPriority: 'Warning',
    }))
      none.push(a);
    expect(none).toEqual([]);
  });

  it('reports rules that fail to load as InspectorError RULES_LOAD with the diagnostics', async () => {
    let err: unknown;
    try {
      loadSyscallRules([
        {
          name: 'bad.yaml',
          content: '- rule: x\n  desc: d\n  condition: proc.nosuchfield = 1\n  output: o\n  priority: INFO\n',
        },
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InspectorError);
    expect((err as InspectorError).code).toBe('RULES_LOAD');
    expect((err as InspectorError).message).toContain('bad.yaml');
    expect((err as InspectorError).diagnostics?.[0]).toMatchObject({
      level: 'error',
      file: 'bad.yaml',
      code: 'LOAD_ERR_COMPILE_CONDITION',
    });
  });

  it('runs the official rules over every real capture without errors', async () => {
    const rules = loadSyscallRules([RULES]).ruleset!;
    for (const f of [
      ...PAIRS.map((p) => `sysflow-pairs/${p}.scap`),
      'scap/curl_google.scap',
      'scap/single_ipv6_conn.scap',
    ]) {
      let n = 0;
      for await (const a of runRulesOnCapture(testdata(f), rules)) {
        expect(a.rule).toBeTypeOf('string');
        n++;
      }
      expect(n).toBeGreaterThanOrEqual(0);
    }
  });

  it('a file that is not a capture is InspectorError BAD_CAPTURE', async () => {
    let err: unknown;
    try {
      for await (const _ of runRulesOnCapture(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), [
        RULES,
      ])) {
        /* nothing */
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InspectorError);
    expect((err as InspectorError).code).toBe('BAD_CAPTURE');
  });
});

describe('filterEvents', () => {
  it('yields the shown events that match, like sysdig -r FILE COND (enter events hidden)', async () => {
    const got: string[] = [];
    for await (const c of filterEvents(SHADOW, 'fd.name = /etc/shadow'))
      got.push(`${c.num} ${c.ev.direction} ${c.ev.name}`);
    expect(got).toEqual(['2 < openat', '3 < close']);
  });

  it('an empty condition yields every shown event; a bad one is InspectorError BAD_FILTER', async () => {
    let n = 0;
    for await (const _ of filterEvents(SHADOW, '')) n++;
    expect(n).toBe(2);
    expect(() => compileFilter('proc.name = ')).toThrowError(InspectorError);
    expect(() => compileFilter('no.such.field = 1')).toThrowError(/BAD_FILTER|bad filter/);
  });

  it('filters a real capture: the IPv6 connect events of curl in curl_google.scap', async () => {
    const got: string[] = [];
    for await (const c of filterEvents(
      testdata('scap/curl_google.scap'),
      'evt.type = connect and proc.name = curl',
    ))
      got.push(`${c.fd?.typeChar} ${c.fd?.name}`);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toContain('6 2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:37140->2607:f8b0:4004:802::2004:80');
  });

  it('inspectCapture keeps the state current for each yielded event (IPv6 connection of single_ipv6_conn.scap)', async () => {
    const names: string[] = [];
    for await (const c of inspectCapture(testdata('scap/single_ipv6_conn.scap')))
      if (c.ev.name === 'connect' && c.fd?.kind === 'ipv6') names.push(c.fd.name);
    expect(names.length).toBeGreaterThan(0);
  });
});
