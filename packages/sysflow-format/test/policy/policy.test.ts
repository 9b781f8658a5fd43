/** SysFlow policy files: loading (filters, drops, rules, tags, priorities) and running over traces. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, RuleError } from '@sysray/falco-rules';
import {
  DEFAULT_POLICY_OUTPUT,
  loadSysFlowPolicy,
  loadSysFlowPolicyFiles,
  type PolicyAlert,
  runPolicy,
} from '@sysray/sysflow-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../helpers/streams.js';
import { pythonRead, readBytes, requirePythonAvro, TRACES_DIR } from '../helpers/testdata.js';

// biome-ignore lint/suspicious/noExplicitAny: untyped JSON from the python oracle
type J = any;

const POLICY = fileURLToPath(new URL('./fixtures/shellshock.yaml', import.meta.url));
const SHELLSHOCK = `${TRACES_DIR}shellshock.sf`;
const HTTPD = `${TRACES_DIR}httpd.sf`;
const FLOWS_EVENTS = new Set([
  'ProcessEvent',
  'NetworkFlow',
  'FileFlow',
  'FileEvent',
  'NetworkEvent',
  'ProcessFlow',
]);
const SHELLS = new Set(['bash', 'csh', 'ksh', 'sh', 'tcsh', 'zsh', 'dash']);
const WEB = new Set(['apache2', 'httpd', 'nginx', 'lighttpd']);
const bit = (n: number) => 1 << n;
const [EXEC, OPEN, ACCEPT, CONNECT, CLOSE, MMAP] = [
  bit(1),
  bit(7),
  bit(5),
  bit(6),
  bit(10),
  bit(13),
] as const;

/** Each python record with its process, ancestors and file, resolved here in stream order. */
function walk(records: J[]): { t: string; rec: J; proc?: J; anc: J[]; file?: J }[] {
  const procs = new Map<string, J>();
  const files = new Map<string, J>();
  const key = (o: J) => `${o.createTS}:${o.hpid}`;
  return records.map(({ type: t, rec }) => {
    if (t === 'Process') procs.set(key(rec.oid), rec);
    if (t === 'File') files.set(rec.oid, rec);
    const proc = FLOWS_EVENTS.has(t) ? procs.get(key(rec.procOID)) : undefined;
    const anc: J[] = [];
    for (let p = proc; p && anc.length < 64; p = p.poid ? procs.get(key(p.poid)) : undefined) anc.push(p);
    const file = t === 'FileFlow' || t === 'FileEvent' ? files.get(rec.fileOID) : undefined;
    return { t, rec, proc, anc, file };
  });
}

let python: J[];
let walked: ReturnType<typeof walk>;
let alerts: PolicyAlert[];
const dropped: number[] = [];

beforeAll(async () => {
  requirePythonAvro();
  python = pythonRead(SHELLSHOCK);
  walked = walk(python);
  alerts = await collect(runPolicy(POLICY, SHELLSHOCK, { onDrop: (i) => dropped.push(i) }));
});

/** Record indexes of the alerts that name a rule. */
const firing = (rule: string) =>
  alerts.filter((a) => a.rules.some((r) => r.rule === rule)).map((a) => a.recordIndex);

describe('loading a SysFlow policy', () => {
  it('loads lists, macros, filter and drop items, rules with actions, priorities, MITRE tags and prefilters', () => {
    const r = loadSysFlowPolicyFiles([POLICY]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.ok).toBe(true);
    const p = r.policy!;
    expect(p.filters.map((f) => [f.name, f.enabled, f.line])).toEqual([
      ['ignore_empty_closes', true, 15],
      ['ignore_ld_cache', true, 20],
      ['disabled_drop_everything', false, 23],
    ]);
    expect(
      p.rules.map((x) => ({
        name: x.name,
        priority: x.priority,
        severity: x.severity,
        actions: x.actions,
        alert: x.alert,
        prefilter: x.prefilter,
        tags: x.tags,
        enabled: x.enabled,
        line: x.line,
      })),
    ).toEqual([
      {
        name: 'Shell spawned by a web server',
        priority: 'high',
        severity: 'Error',
        actions: ['alert'],
        alert: true,
        prefilter: ['PE'],
        tags: ['mitre:T1059.004', 'mitre:T1190', 'shellshock'],
        enabled: true,
        line: 27,
      },
      {
        name: 'Password file opened',
        priority: 'medium',
        severity: 'Warning',
        actions: [],
        alert: true,
        prefilter: undefined,
        tags: ['credential-access', 'mitre:T1003.008'],
        enabled: true,
        line: 35,
      },
      {
        name: 'Library mapped',
        priority: 'low',
        severity: 'Notice',
        actions: ['tag'],
        alert: false,
        prefilter: ['FF'],
        tags: ['library'],
        enabled: true,
        line: 45,
      },
      {
        name: 'Never runs',
        priority: 'low',
        severity: 'Notice',
        actions: [],
        alert: true,
        prefilter: undefined,
        tags: [],
        enabled: false,
        line: 53,
      },
    ]);
    expect(p.rules[0]!.compiled.output).toBeDefined();
    expect(p.rules[0]!.file).toBe(POLICY);
  });

  it('accepts Falco priorities (mapped to low/medium/high) and gives rules without priority or output defaults', () => {
    const r = loadSysFlowPolicy([
      {
        name: 'p.yaml',
        content: [
          '- rule: a',
          '  desc: a',
          '  condition: sf.type = PE',
          '  priority: WARNING',
          '- rule: b',
          '  desc: b',
          '  condition: sf.type = PE',
          '  priority: critical',
          '  output: "%sf.proc.exe ran"',
          '- rule: c',
          '  desc: c',
          '  condition: sf.type = PE',
        ].join('\n'),
      },
    ]);
    expect(r.diagnostics).toEqual([]);
    const [a, b, c] = r.policy!.rules;
    expect([a!.priority, a!.severity]).toEqual(['medium', 'Warning']);
    expect([b!.priority, b!.severity]).toEqual(['high', 'Critical']);
    expect([c!.priority, c!.severity]).toEqual(['low', 'Notice']);
    expect(c!.compiled.output.format).toBe(DEFAULT_POLICY_OUTPUT);
  });
});

describe('policy file layout', () => {
  it('reads CRLF files, comments, quoted values, scalar actions and block-sequence tags at the key indent', () => {
    const content = [
      '# header comment',
      '- rule: "quoted name" # trailing comment',
      '  desc: d',
      '  condition: sf.type = PE',
      '  action: tag',
      "  priority: 'HIGH'",
      '  tags:',
      '  - mitre:T1059',
      '  - two',
      '',
      '# between items',
      '- rule: second',
      '  desc: d',
      '  condition: sf.type = PE and sf.nosuch = 1',
    ].join('\r\n');
    const r = loadSysFlowPolicy([{ name: 'crlf.yaml', content }]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      'crlf.yaml:14:31: error: LOAD_ERR_COMPILE_CONDITION: filter_check called with nonexistent field sf.nosuch',
    ]);
    const ok = loadSysFlowPolicy([
      { name: 'crlf.yaml', content: content.split('\r\n').slice(0, 10).join('\r\n') },
    ]);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.policy!.rules[0]).toMatchObject({
      name: 'quoted name',
      priority: 'high',
      actions: ['tag'],
      alert: false,
      tags: ['mitre:T1059', 'two'],
    });
  });

  it('loads several files in order: a later file appends to a macro and uses lists of an earlier one', () => {
    const r = loadSysFlowPolicy([
      {
        name: 'a.yaml',
        content: '- list: shells\n  items: [bash]\n- macro: sh\n  condition: sf.proc.name in (shells)\n',
      },
      {
        name: 'b.yaml',
        content:
          '- macro: sh\n  condition: or sf.proc.name = cat\n  append: true\n- rule: r\n  desc: d\n  condition: sf.type = PE and sh\n  priority: low\n',
      },
    ]);
    expect(r.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    expect(r.policy!.rules[0]!.compiled.compiledCondition).toContain('cat');
  });
});

describe('running a policy over the shellshock trace', () => {
  it('catches the shell the web server spawned, with priority high and MITRE tags', () => {
    // Independently: EXEC events of a shell whose ancestors include a web server.
    const want = walked.flatMap((w, i) =>
      w.t === 'ProcessEvent' &&
      (w.rec.opFlags & EXEC) !== 0 &&
      w.proc &&
      SHELLS.has(posix.basename(w.proc.exe)) &&
      w.anc.some((p) => WEB.has(posix.basename(p.exe)))
        ? [i]
        : [],
    );
    expect(want).toHaveLength(1);
    expect(firing('Shell spawned by a web server')).toEqual(want);
    const a = alerts.find((x) => x.recordIndex === want[0])!;
    expect(a).toMatchObject({
      type: 'PE',
      alert: true,
      priority: 'high',
      ts: python[want[0]!].rec.ts,
      context: {
        exe: '/bin/bash',
        args: '-c cat /etc/passwd',
        pexe: '/usr/lib/cgi-bin/vulnerable',
        container: 'apache',
      },
    });
    expect(a.tags).toEqual(['mitre:T1059.004', 'mitre:T1190', 'shellshock']);
    expect(a.time).toMatch(/^2022-11-29T06:11:39\.\d{9}Z$/);
    expect(a.record).toEqual(python[want[0]!]);
    expect(a.rules[0]).toMatchObject({ rule: 'Shell spawned by a web server', severity: 'Error', line: 27 });
    expect(a.rules[0]!.output).toContain('/bin/bash -c cat /etc/passwd');
    expect(a.rules[0]!.output_fields['sf.pproc.cmdline']).toBe(
      '/usr/lib/cgi-bin/vulnerable /usr/lib/cgi-bin/vulnerable',
    );
  });

  it('drops what the filter and drop items match before any rule runs', () => {
    const closes = (f: number) => (f & CLOSE) !== 0 && (f & (OPEN | CONNECT | ACCEPT)) === 0;
    const want = walked.flatMap((w, i) =>
      (w.t === 'FileFlow' &&
        closes(w.rec.opFlags) &&
        w.rec.numRRecvBytes === '0' &&
        w.rec.numWSendBytes === '0') ||
      w.file?.path === '/etc/ld.so.cache'
        ? [i]
        : [],
    );
    expect(want.length).toBeGreaterThan(10);
    expect(dropped).toEqual(want);
    const gone = new Set(dropped);
    expect(alerts.filter((a) => gone.has(a.recordIndex))).toEqual([]);
  });

  it('fires a rule without prefilter on every matching record, and no disabled rule', () => {
    const want = walked.flatMap((w, i) =>
      w.t === 'FileFlow' &&
      (w.rec.opFlags & OPEN) !== 0 &&
      w.file?.path === '/etc/passwd' &&
      (w.rec.openFlags & 1) === 1
        ? [i]
        : [],
    );
    expect(want).toHaveLength(2);
    expect(firing('Password file opened')).toEqual(want);
    expect(alerts.filter((a) => a.recordIndex === want[0]).map((a) => a.priority)).toEqual(['medium']);
    expect(firing('Never runs')).toEqual([]);
  });

  it('a tag-only rule runs on its prefilter record types and its matches are not alerts', () => {
    const gone = new Set(dropped);
    const want = walked.flatMap((w, i) =>
      w.t === 'FileFlow' &&
      !gone.has(i) &&
      (w.rec.opFlags & MMAP) !== 0 &&
      posix.dirname(w.file?.path ?? '') === '/lib/x86_64-linux-gnu'
        ? [i]
        : [],
    );
    expect(want.length).toBeGreaterThan(5);
    expect(firing('Library mapped')).toEqual(want);
    for (const i of want) {
      const a = alerts.find((x) => x.recordIndex === i)!;
      expect(a).toMatchObject({ type: 'FF', alert: false, priority: 'low', tags: ['library'] });
    }
  });

  it("'filter' mode yields every flow and event no filter dropped, matched or not", async () => {
    const all = await collect(runPolicy(POLICY, readBytes(SHELLSHOCK), { mode: 'filter' }));
    const flows = walked.flatMap((w, i) => (FLOWS_EVENTS.has(w.t) ? [i] : []));
    const gone = new Set(dropped);
    expect(all.map((a) => a.recordIndex)).toEqual(flows.filter((i) => !gone.has(i)));
    expect(all.filter((a) => a.rules.length > 0)).toEqual(alerts);
  });

  it('alerts are plain JSON (longs as decimal strings)', () => {
    for (const a of alerts) expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(alerts.every((a) => typeof a.ts === 'string' && a.context.pid !== null)).toBe(true);
  });

  it('takes a loaded policy and any byte source; a policy without matches yields nothing on httpd', async () => {
    const { policy } = loadSysFlowPolicyFiles([POLICY]);
    const again = await collect(runPolicy(policy!, readBytes(SHELLSHOCK)));
    expect(again).toEqual(alerts);
    const web = await collect(runPolicy(policy!, HTTPD));
    expect(web.filter((a) => a.alert)).toEqual([]);
  });

  it('entity records are evaluated only when asked', async () => {
    const p = loadSysFlowPolicy([
      {
        name: 'p.yaml',
        content: '- rule: procs\n  desc: p\n  condition: sf.type = P and sf.proc.name = bash\n',
      },
    ]).policy!;
    expect(await collect(runPolicy(p, SHELLSHOCK))).toEqual([]);
    const got = await collect(runPolicy(p, SHELLSHOCK, { entities: true }));
    const want = walked.flatMap((w, i) =>
      w.t === 'Process' && posix.basename(w.rec.exe) === 'bash' ? [i] : [],
    );
    expect(got.map((a) => a.recordIndex)).toEqual(want);
  });
});

describe('policy errors carry file, line and column', () => {
  const cases: { name: string; content: string; want: string }[] = [
    {
      name: 'unknown attribute inside a folded condition, after items that gained generated keys',
      content: [
        '- rule: first',
        '  desc: fine',
        '  condition: sf.type = PE',
        '',
        '- filter: f1',
        '  condition: sf.type = FF',
        '',
        '- rule: second',
        '  desc: broken',
        '  condition: >',
        '    sf.opflags = EXEC',
        '    and sf.proc.nosuch = x',
        '  priority: low',
      ].join('\n'),
      want: 'p.yaml:12:9: error: LOAD_ERR_COMPILE_CONDITION: filter_check called with nonexistent field sf.proc.nosuch',
    },
    {
      name: 'a rule without desc',
      content: '- rule: nodesc\n  condition: sf.type = PE\n',
      want: "p.yaml:1:3: error: LOAD_ERR_YAML_VALIDATE: Item has no mapping for key 'desc'",
    },
    {
      name: 'an invalid priority',
      content: '- rule: r\n  desc: d\n  condition: sf.type = PE\n  priority: urgent\n',
      want: 'p.yaml:4:13: error: LOAD_ERR_YAML_VALIDATE: Invalid priority',
    },
    {
      name: 'an unknown record type in a prefilter',
      content: '- rule: r\n  desc: d\n  condition: sf.type = PE\n  prefilter: [PE, XX]\n',
      want: "p.yaml:4:3: error: LOAD_ERR_VALIDATE: Unknown record type 'XX' in prefilter",
    },
    {
      name: 'a syntax error in a condition',
      content: '- rule: r\n  desc: d\n  condition: sf.type = PE and (sf.opflags = EXEC\n',
      want: 'p.yaml:3:48: error: LOAD_ERR_COMPILE_CONDITION: Expected ")"',
    },
    {
      name: 'an undefined macro',
      content: '- rule: r\n  desc: d\n  priority: high\n  condition: sf.type = PE and no_such_macro\n',
      want: "p.yaml:4:31: error: LOAD_ERR_VALIDATE: Undefined macro 'no_such_macro'",
    },
    {
      name: 'a filter named like a rule',
      content: '- rule: a\n  desc: d\n  condition: sf.type = PE\n- drop: a\n  condition: sf.type = FF\n',
      want: "p.yaml:4:9: error: LOAD_ERR_VALIDATE: 'a' names both a rule and a filter",
    },
    {
      name: 'broken YAML',
      content: '- rule: a\n  desc: [unclosed\n  condition: sf.type = PE\n',
      want: 'p.yaml:3:3: error: LOAD_ERR_YAML_PARSE: Flow sequence in block collection',
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const r = loadSysFlowPolicy([{ name: 'p.yaml', content: c.content }]);
      expect(r.ok).toBe(false);
      expect(r.policy).toBeUndefined();
      const first = r.diagnostics.find((d) => d.level === 'error')!;
      expect(formatDiagnostic(first).startsWith(c.want), formatDiagnostic(first)).toBe(true);
    });
  }

  it('warns about unknown actions and unknown filter keys, at their lines', () => {
    const r = loadSysFlowPolicy([
      {
        name: 'p.yaml',
        content: [
          '- rule: a',
          '  desc: d',
          '  condition: sf.type = PE',
          '  action: [alert, page]',
          '- filter: f',
          '  condition: sf.type = FF',
          '  priority: low',
        ].join('\n'),
      },
    ]);
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      "p.yaml:4:3: warning: LOAD_UNKNOWN_KEY: Unknown action 'page' (expected alert, tag or hash)",
      "p.yaml:7:3: warning: LOAD_UNKNOWN_KEY: Unknown key 'priority' in a filter (expected condition, enabled)",
    ]);
    expect(r.policy!.rules[0]!.actions).toEqual(['alert']);
  });

  describe('runPolicy', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(`${tmpdir()}/sysray-policy-`);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('rejects a policy that does not load with a RuleError carrying code, file, line and column', async () => {
      const file = `${dir}/bad.yaml`;
      writeFileSync(
        file,
        `${readFileSync(POLICY, 'utf8')}\n- rule: bad\n  desc: d\n  condition: sf.proc.nme = x\n`,
      );
      const err = await collect(runPolicy(file, SHELLSHOCK)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RuleError);
      expect(err).toMatchObject({ code: 'LOAD_ERR_COMPILE_CONDITION', file, line: 60, col: 14 });
    });

    it('rejects a missing policy file with LOAD_ERR_FILE_READ', async () => {
      const err = await collect(runPolicy(`${dir}/missing.yaml`, SHELLSHOCK)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'LOAD_ERR_FILE_READ', file: `${dir}/missing.yaml`, line: 1, col: 1 });
    });
  });
});
