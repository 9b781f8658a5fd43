/** Condition semantics of the `sf.*` fields: multi-valued attributes, ancestor indexes, missing values. */
import { compileCondition, RuleError } from '@sysray/falco-rules';
import {
  createSysFlowFieldSet,
  openFlagNames,
  opFlagNames,
  resolveSysFlow,
  SysFlowEntityTables,
  type SysFlowFieldEvent,
  type SysFlowFieldSetOptions,
} from '@sysray/sysflow-format';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRACES_DIR } from '../helpers/testdata.js';

const FLOWS_EVENTS = new Set([
  'ProcessEvent',
  'NetworkFlow',
  'FileFlow',
  'FileEvent',
  'NetworkEvent',
  'ProcessFlow',
]);

async function load(name: string): Promise<SysFlowFieldEvent[]> {
  const tables = new SysFlowEntityTables();
  const out: SysFlowFieldEvent[] = [];
  for await (const e of resolveSysFlow(`${TRACES_DIR}${name}`, { tables }))
    out.push(Object.assign(e, { tables }));
  return out;
}

let shellshock: SysFlowFieldEvent[];
let httpd: SysFlowFieldEvent[];
beforeAll(async () => {
  shellshock = await load('shellshock.sf');
  httpd = await load('httpd.sf');
});

/** Indexes of the events a condition holds for. */
function where(
  events: SysFlowFieldEvent[],
  condition: string,
  options: SysFlowFieldSetOptions = {},
): number[] {
  const test = compileCondition(condition, [createSysFlowFieldSet(options)]);
  return events.flatMap((e, i) => (test(e) ? [i] : []));
}

/** Indexes of the flows/events whose `opFlags` satisfy `pred`. */
function byOps(events: SysFlowFieldEvent[], pred: (flags: number) => boolean): number[] {
  return events.flatMap((e, i) =>
    FLOWS_EVENTS.has(e.record.type) && pred((e.record.rec as { opFlags: number }).opFlags) ? [i] : [],
  );
}

const READ = 1 << 8;
const EXEC = 1 << 1;
const MMAP = 1 << 13;
const CLOSE = 1 << 10;

describe('multi-valued attributes (SysFlow semantics: a check holds when it holds for any element)', () => {
  it('`=` holds when any operation equals the value', () => {
    const got = where(shellshock, 'sf.opflags = READ');
    expect(got).toEqual(byOps(shellshock, (f) => (f & READ) !== 0));
    expect(got.length).toBeGreaterThan(10);
  });

  it('`in` holds when any operation is in the set (not every one)', () => {
    expect(where(shellshock, 'sf.opflags in (MMAP, EXEC)')).toEqual(
      byOps(shellshock, (f) => (f & (MMAP | EXEC)) !== 0),
    );
  });

  it('`!=` holds when any operation differs from the value', () => {
    expect(where(shellshock, 'sf.opflags != CLOSE')).toEqual(byOps(shellshock, (f) => (f & ~CLOSE) !== 0));
  });

  it("with listSemantics 'falco' the fields are lists: `in` needs every element, `!=` no element equal", () => {
    expect(where(shellshock, 'sf.opflags in (MMAP, EXEC)', { listSemantics: 'falco' })).toEqual(
      byOps(shellshock, (f) => f !== 0 && (f & ~(MMAP | EXEC)) === 0),
    );
    expect(where(shellshock, 'sf.opflags != CLOSE', { listSemantics: 'falco' })).toEqual(
      byOps(shellshock, (f) => (f & CLOSE) === 0),
    );
    const list = (o: SysFlowFieldSetOptions) =>
      [...createSysFlowFieldSet(o).fields()].filter((d) => d.isList).map((d) => d.name);
    expect(list({})).toEqual([]);
    expect(list({ listSemantics: 'falco' })).toContain('sf.proc.aname');
  });

  it('ancestors include the process itself first and match any element', () => {
    const execs = where(shellshock, 'sf.type = PE and sf.opflags = EXEC and sf.proc.aname = apache2');
    const exes = execs.map((i) => shellshock[i]!.process!.exe);
    expect(exes).toEqual(['/usr/lib/cgi-bin/vulnerable', '/bin/bash', '/bin/cat']);
    expect(where(shellshock, 'sf.type = PE and sf.opflags = EXEC and sf.proc.aname = systemd')).toEqual(
      execs,
    );
    expect(where(shellshock, 'sf.type = PE and sf.opflags = EXEC and sf.proc.aname = nginx')).toEqual([]);
  });

  it('`sf.proc.aname[n]` is the n-th process up the tree (0 the process, 1 its parent)', () => {
    const fs = createSysFlowFieldSet();
    const field = (name: string, arg: string) => fs.extractor(fs.field(name)!, arg);
    const bash = shellshock.find((e) => e.record.type === 'ProcessEvent' && e.process?.exe === '/bin/bash')!;
    const names = [0, 1, 2, 3, 4, 5].map((n) => field('sf.proc.aname', String(n))(bash));
    expect(names).toEqual(['bash', 'vulnerable', 'apache2', 'apache2', 'dash', 'bash']);
    expect(field('sf.proc.apid', '1')(bash)).toBe(bash.process!.poid!.hpid);
    expect(field('sf.proc.aexe', '0')(bash)).toBe('/bin/bash');
    expect(field('sf.proc.acmdline', '40')(bash)).toBeUndefined();
    expect(
      where(shellshock, 'sf.proc.aname[2] = apache2 and sf.proc.aname[0] = bash').length,
    ).toBeGreaterThan(5);
  });

  it('without entity tables the ancestors are the process and its parent', () => {
    const fs = createSysFlowFieldSet();
    const aname = fs.extractor(fs.field('sf.proc.aname')!, undefined);
    const bash = shellshock.find((e) => e.record.type === 'ProcessEvent' && e.process?.exe === '/bin/bash')!;
    expect(aname({ ...bash, tables: undefined })).toEqual(['bash', 'vulnerable']);
    expect(aname(bash)).toHaveLength(9);
    const viaOption = createSysFlowFieldSet({ tables: bash.tables! });
    expect(
      viaOption.extractor(viaOption.field('sf.proc.aname')!, undefined)({ ...bash, tables: undefined }),
    ).toEqual(aname(bash));
  });

  it('ports and addresses are two-element lists (source, destination)', () => {
    const nf = httpd.findIndex((e) => e.record.type === 'NetworkFlow');
    expect(where(httpd, 'sf.net.port = 80')).toEqual([nf]);
    expect(where(httpd, 'sf.net.port = 47200')).toEqual([nf]);
    expect(where(httpd, 'sf.net.ip = 172.17.0.1 and sf.net.dip = 172.17.0.2')).toEqual([nf]);
    expect(where(httpd, 'sf.net.ip in (10.0.0.1, 172.17.0.2)')).toEqual([nf]);
    expect(where(httpd, 'sf.net.dport in (443, 8080)')).toEqual([]);
  });

  it('open flags: a CLOEXEC read-only open lists NONE-free RDONLY and CLOEXEC', () => {
    const got = where(shellshock, 'sf.file.openflags = CLOEXEC');
    const want = shellshock.flatMap((e, i) =>
      e.record.type === 'FileFlow' && (e.record.rec.openFlags & 4096) !== 0 ? [i] : [],
    );
    expect(got).toEqual(want);
    expect(got.map((i) => shellshock[i]!.file!.path)).toEqual(['/etc/passwd']);
    expect(where(shellshock, 'sf.file.openflags = CLOEXEC and sf.file.openflags = RDONLY')).toEqual(got);
  });
});

describe('missing values', () => {
  it('an attribute a record does not carry is missing: every check is false, `exists` tells', () => {
    const files = shellshock.flatMap((e, i) => (e.file ? [i] : []));
    expect(where(shellshock, 'sf.file.path exists')).toEqual(files);
    expect(where(shellshock, 'sf.type = PE and sf.file.path != /x')).toEqual([]);
    const host = shellshock.flatMap((e, i) => (e.process && !e.container ? [i] : []));
    expect(host.length).toBeGreaterThan(0);
    const notX = new Set(where(shellshock, 'sf.container.id != x'));
    expect(host.filter((i) => notX.has(i))).toEqual([]);
  });
});

describe('field set contract', () => {
  const fs = createSysFlowFieldSet();

  it('serves the sysflow source by default and another when asked', () => {
    expect(fs.source).toBe('sysflow');
    expect(createSysFlowFieldSet({ source: 'syscall' }).source).toBe('syscall');
  });

  it('ancestor fields take an optional numeric index; other fields take none', () => {
    expect(fs.field('sf.proc.aname')).toMatchObject({ arg: 'optional', argKind: 'index' });
    expect(fs.field('sf.proc.name')!.arg).toBeUndefined();
    expect(() => compileCondition('sf.type[1] = PE', [fs])).toThrow(RuleError);
    expect(() => compileCondition('sf.proc.aname[x] = bash', [fs])).toThrow(RuleError);
    expect(() => compileCondition('sf.proc.nosuch = bash', [fs])).toThrow(RuleError);
  });

  it('event-type codes are record types', () => {
    const info = fs.eventTypes!;
    expect(info.count).toBe(12);
    const pe = shellshock.find((e) => e.record.type === 'ProcessEvent')!;
    expect(info.codes('PE')).toEqual([info.of(pe)]);
    expect(info.codes('nope')).toBeUndefined();
  });

  it('names operations and open flags as sf-processor does', () => {
    expect(opFlagNames(EXEC | CLOSE | READ | (1 << 9))).toEqual(['EXEC', 'CLOSE', 'WRITE', 'READ']);
    expect(opFlagNames(READ | (1 << 9), 'NetworkFlow')).toEqual(['SEND', 'RECV']);
    expect(opFlagNames((1 << 20) | (1 << 15))).toEqual(['MKDIR', 'RENAME']);
    expect(Object.isFrozen(opFlagNames(EXEC))).toBe(true);
    expect(openFlagNames(0)).toEqual(['NONE']);
    expect(openFlagNames(3 | 4 | 256)).toEqual(['RDONLY', 'WRONLY', 'RDWR', 'CREAT', 'TRUNC']);
  });
});
