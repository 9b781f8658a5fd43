/**
 * Every `sf.*` attribute on every record of the sample files (and of constructed records covering
 * pods and Kubernetes events), checked against values derived here from the records as Apache's
 * python Avro implementation reads them — with entity tables built independently in this test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { posix } from 'node:path';
import type { FieldValue } from '@sysray/falco-rules';
import {
  createSysFlowFieldSet,
  resolveRecords,
  resolveSysFlow,
  SysFlowEntityTables,
  type SysFlowFieldEvent,
  sysflowFieldDefs,
  writeSysFlowSync,
} from '@sysray/sysflow-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constructedRecords, pythonRead, requirePythonAvro, sampleFiles } from '../helpers/testdata.js';

// biome-ignore lint/suspicious/noExplicitAny: untyped JSON from the python oracle
type J = any;

const TAG: Record<string, string> = {
  SFHeader: 'H',
  Container: 'C',
  Process: 'P',
  File: 'F',
  ProcessEvent: 'PE',
  NetworkFlow: 'NF',
  FileFlow: 'FF',
  FileEvent: 'FE',
  NetworkEvent: 'NE',
  ProcessFlow: 'PF',
  Pod: 'POD',
  K8sEvent: 'KE',
};
const FLOWS_EVENTS = new Set([
  'ProcessEvent',
  'NetworkFlow',
  'FileFlow',
  'FileEvent',
  'NetworkEvent',
  'ProcessFlow',
]);

/** sf-apis' operation names by bit number, in the order sf-processor lists them. */
const OPS: [number, string][] = [
  [15, 'MKDIR'],
  [16, 'RMDIR'],
  [17, 'LINK'],
  [19, 'SYMLINK'],
  [18, 'UNLINK'],
  [20, 'RENAME'],
  [0, 'CLONE'],
  [1, 'EXEC'],
  [2, 'EXIT'],
  [3, 'SETUID'],
  [7, 'OPEN'],
  [5, 'ACCEPT'],
  [6, 'CONNECT'],
  [10, 'CLOSE'],
  [9, 'WRITE'],
  [8, 'READ'],
  [4, 'SETNS'],
  [13, 'MMAP'],
  [12, 'SHUTDOWN'],
  [11, 'TRUNCATE'],
  [14, 'DIGEST'],
];
function opNames(flags: number, type: string): string[] {
  return OPS.filter(([b]) => (flags >> b) & 1).map(([, n]) =>
    type === 'NetworkFlow' && n === 'WRITE' ? 'SEND' : type === 'NetworkFlow' && n === 'READ' ? 'RECV' : n,
  );
}

/** sf-apis' open flags: name and the bits that must all be set. */
const OPEN: [string, number][] = [
  ['RDONLY', 0b1],
  ['WRONLY', 0b10],
  ['RDWR', 0b11],
  ['CREAT', 1 << 2],
  ['EXCL', 1 << 5],
  ['TRUNC', 1 << 8],
  ['APPEND', 1 << 3],
  ['NONBLOCK', 1 << 6],
  ['DSYNC', 1 << 4],
  ['DIRECT', 1 << 9],
  ['LARGEFILE', 1 << 11],
  ['DIRECTORY', 1 << 10],
  ['CLOEXEC', 1 << 12],
  ['SYNC', 1 << 7],
];
function openNames(flags: number): string[] {
  const out = flags === 0 ? ['NONE'] : [];
  for (const [n, m] of OPEN) if ((flags & m) === m) out.push(n);
  return out;
}

const ip = (n: number) => [0, 8, 16, 24].map((s) => ((n >>> 0) >>> s) & 255).join('.');
const ipLong = (s: string) => ip(Number(BigInt.asIntN(32, BigInt(s))));
/** Go `filepath.Base`. */
const goBase = (p: string) => (p === '' ? '.' : posix.basename(p) || '/');
/** Go `filepath.Dir`. */
function goDir(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '.';
  const n = posix.normalize(p.slice(0, i + 1));
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
/** A socket path `<hex>-><hex> <path>` → `[path, link]`. */
function sock(p: string): [string, string] {
  const m = /^([0-9a-f]+)->([0-9a-f]+) (\S+)/i.exec(p);
  if (!m) return [p, ''];
  const trim = (h: string) => h.toLowerCase().replace(/^0+(?=.)/, '');
  return [m[3]!, `${trim(m[1]!)}->${trim(m[2]!)}`];
}
const cmd = (p: J) => (p.exeArgs ? `${p.exe} ${p.exeArgs}` : p.exe);

/** The record, its entities and the tables, from python's records (built here, in stream order). */
interface Ctx {
  t: string;
  rec: J;
  proc?: J;
  parent?: J;
  cont?: J;
  pod?: J;
  file?: J;
  newFile?: J;
  header?: J;
  /** The process and its ancestors as the tables held them at this record. */
  anc?: J[];
}
const okey = (o: J) => `${o.createTS}/${o.hpid}`;

function contexts(records: J[]): Ctx[] {
  const procs = new Map<string, J>();
  const files = new Map<string, J>();
  const conts = new Map<string, J>();
  const pods = new Map<string, J>();
  let header: J;
  const out: Ctx[] = [];
  for (const { type: t, rec } of records) {
    if (t === 'SFHeader') header = rec;
    if (t === 'Process') procs.set(okey(rec.oid), rec);
    if (t === 'File') files.set(rec.oid, rec);
    if (t === 'Container') conts.set(rec.id, rec);
    if (t === 'Pod') pods.set(rec.id, rec);
    const c: Ctx = { t, rec, header };
    const withCont = (id: string | null | undefined) => {
      if (id === null || id === undefined) return;
      c.cont = conts.get(id);
      if (c.cont?.podId) c.pod = pods.get(c.cont.podId);
    };
    const withProc = (p: J) => {
      c.proc = p;
      if (!p) return;
      if (p.poid) c.parent = procs.get(okey(p.poid));
      withCont(p.containerId);
    };
    if (t === 'Process') withProc(rec);
    else if (t === 'Container') {
      c.cont = rec;
      if (rec.podId) c.pod = pods.get(rec.podId);
    } else if (t === 'File') {
      c.file = rec;
      withCont(rec.containerId);
    } else if (t === 'Pod') c.pod = rec;
    else if (FLOWS_EVENTS.has(t)) {
      withProc(procs.get(okey(rec.procOID)));
      if (t === 'FileFlow' || t === 'FileEvent') c.file = files.get(rec.fileOID);
      if (t === 'FileEvent' && rec.newFileOID) c.newFile = files.get(rec.newFileOID);
    }
    if (c.proc) {
      c.anc = [c.proc];
      let p = c.proc;
      while (p.poid && c.anc.length < 64) {
        p = procs.get(okey(p.poid));
        if (!p) break;
        c.anc.push(p);
      }
    }
    out.push(c);
  }
  return out;
}

const ancestors = (c: Ctx): J[] | undefined => c.anc;

const only = (c: Ctx, types: string[], f: (rec: J) => unknown) =>
  types.includes(c.t) ? f(c.rec) : undefined;
const onProc = (p: J, f: (p: J) => unknown) => (p ? f(p) : undefined);

function procExpect(prefix: string, pick: (c: Ctx) => J): Record<string, (c: Ctx) => unknown> {
  return {
    [`${prefix}.name`]: (c) => onProc(pick(c), (p) => goBase(p.exe)),
    [`${prefix}.exe`]: (c) => onProc(pick(c), (p) => p.exe),
    [`${prefix}.args`]: (c) => onProc(pick(c), (p) => p.exeArgs),
    [`${prefix}.cmdline`]: (c) => onProc(pick(c), cmd),
    [`${prefix}.uid`]: (c) => onProc(pick(c), (p) => p.uid),
    [`${prefix}.user`]: (c) => onProc(pick(c), (p) => p.userName),
    [`${prefix}.gid`]: (c) => onProc(pick(c), (p) => p.gid),
    [`${prefix}.group`]: (c) => onProc(pick(c), (p) => p.groupName),
    [`${prefix}.tty`]: (c) => onProc(pick(c), (p) => p.tty),
    [`${prefix}.entry`]: (c) => onProc(pick(c), (p) => p.entry ?? false),
    [`${prefix}.cwd`]: (c) => onProc(pick(c), (p) => p.cwd ?? ''),
  };
}

function fileExpect(prefix: string, pick: (c: Ctx) => J): Record<string, (c: Ctx) => unknown> {
  return {
    [`sf.file.${prefix}path`]: (c) => onProc(pick(c), (f) => sock(f.path)[0]),
    [`sf.file.${prefix}name`]: (c) => onProc(pick(c), (f) => goBase(sock(f.path)[0])),
    [`sf.file.${prefix}directory`]: (c) => onProc(pick(c), (f) => goDir(sock(f.path)[0])),
    [`sf.file.${prefix}symlink`]: (c) => onProc(pick(c), (f) => sock(f.path)[1]),
    [`sf.file.${prefix}oid`]: (c) => onProc(pick(c), (f) => f.oid),
  };
}

const NET = ['NetworkFlow', 'NetworkEvent'];
const FLOW = ['NetworkFlow', 'FileFlow'];
const K8S = (prefix: string): Record<string, (c: Ctx) => unknown> => ({
  [`${prefix}.action`]: (c) => only(c, ['K8sEvent'], (r) => r.action),
  [`${prefix}.kind`]: (c) => only(c, ['K8sEvent'], (r) => r.kind),
  [`${prefix}.message`]: (c) => only(c, ['K8sEvent'], (r) => r.message),
});

/** Expected value of every attribute (longs as decimal strings). */
const EXPECT: Record<string, (c: Ctx) => unknown> = {
  'sf.type': (c) => TAG[c.t],
  'sf.opflags': (c) => (FLOWS_EVENTS.has(c.t) ? opNames(c.rec.opFlags, c.t) : undefined),
  'sf.ret': (c) => only(c, ['ProcessEvent', 'FileEvent', 'NetworkEvent'], (r) => r.ret),
  'sf.ts': (c) => (c.t === 'SFHeader' || c.t === 'Container' ? undefined : c.rec.ts),
  'sf.endts': (c) =>
    c.t === 'K8sEvent' ? c.rec.ts : only(c, ['FileFlow', 'NetworkFlow', 'ProcessFlow'], (r) => r.endTs),
  'sf.proc.oid': (c) => onProc(c.proc, (p) => `${p.oid.createTS}:${p.oid.hpid}`),
  'sf.proc.pid': (c) => onProc(c.proc, (p) => p.oid.hpid),
  'sf.proc.tid': (c) =>
    only(c, ['ProcessEvent', 'NetworkFlow', 'FileFlow', 'FileEvent', 'NetworkEvent'], (r) => r.tid),
  'sf.proc.createts': (c) => onProc(c.proc, (p) => p.oid.createTS),
  ...procExpect('sf.proc', (c) => c.proc),
  'sf.proc.env': (c) => onProc(c.proc, (p) => p.env ?? []),
  'sf.proc.aname': (c) => ancestors(c)?.map((p) => goBase(p.exe)),
  'sf.proc.aexe': (c) => ancestors(c)?.map((p) => p.exe),
  'sf.proc.acmdline': (c) => ancestors(c)?.map(cmd),
  'sf.proc.apid': (c) => ancestors(c)?.map((p) => p.oid.hpid),
  'sf.pproc.oid': (c) => onProc(c.proc?.poid, (o) => `${o.createTS}:${o.hpid}`),
  'sf.pproc.pid': (c) => c.proc?.poid?.hpid,
  'sf.pproc.createts': (c) => c.proc?.poid?.createTS,
  ...procExpect('sf.pproc', (c) => c.parent),
  ...fileExpect('', (c) => c.file),
  ...fileExpect('new', (c) => c.newFile),
  'sf.file.type': (c) => onProc(c.file, (f) => String.fromCharCode(f.restype)),
  'sf.file.is_open_write': (c) => only(c, ['FileFlow'], (r) => (r.openFlags & 2) === 2),
  'sf.file.is_open_read': (c) => only(c, ['FileFlow'], (r) => (r.openFlags & 1) === 1),
  'sf.file.fd': (c) => only(c, ['FileFlow'], (r) => r.fd),
  'sf.file.openflags': (c) => only(c, ['FileFlow'], (r) => openNames(r.openFlags)),
  'sf.net.proto': (c) => only(c, NET, (r) => r.proto),
  'sf.net.protoname': (c) =>
    only(c, NET, (r) => ({ 6: 'tcp', 17: 'udp', 1: 'icmp', 254: 'raw' })[r.proto as number] ?? ''),
  'sf.net.sport': (c) => only(c, NET, (r) => r.sport),
  'sf.net.dport': (c) => only(c, NET, (r) => r.dport),
  'sf.net.port': (c) => only(c, NET, (r) => [r.sport, r.dport]),
  'sf.net.sip': (c) => only(c, NET, (r) => ip(r.sip)),
  'sf.net.dip': (c) => only(c, NET, (r) => ip(r.dip)),
  'sf.net.ip': (c) => only(c, NET, (r) => [ip(r.sip), ip(r.dip)]),
  'sf.flow.rbytes': (c) => only(c, FLOW, (r) => r.numRRecvBytes),
  'sf.flow.rops': (c) => only(c, FLOW, (r) => r.numRRecvOps),
  'sf.flow.wbytes': (c) => only(c, FLOW, (r) => r.numWSendBytes),
  'sf.flow.wops': (c) => only(c, FLOW, (r) => r.numWSendOps),
  'sf.container.id': (c) => c.cont?.id,
  'sf.container.name': (c) => c.cont?.name,
  'sf.container.image': (c) => c.cont?.image,
  'sf.container.imageid': (c) => c.cont?.imageid,
  'sf.container.type': (c) => onProc(c.cont, (k) => String(k.type).replace(/^CT_/, '')),
  'sf.container.privileged': (c) => c.cont?.privileged,
  'sf.container.podid': (c) => c.cont?.podId ?? undefined,
  'sf.pod.ts': (c) => c.pod?.ts,
  'sf.pod.id': (c) => c.pod?.id,
  'sf.pod.name': (c) => c.pod?.name,
  'sf.pod.nodename': (c) => c.pod?.nodeName,
  'sf.pod.namespace': (c) => c.pod?.namespace,
  'sf.pod.restartcnt': (c) => c.pod?.restartCount,
  'sf.pod.hostip': (c) => c.pod?.hostIP.map(ipLong),
  'sf.pod.internalip': (c) => c.pod?.internalIP.map(ipLong),
  'sf.pod.services': (c) => c.pod?.services.map((s: J) => s.name),
  ...K8S('sf.ke'),
  ...K8S('sf.k8s'),
  'sf.node.id': (c) => c.header?.exporter,
  'sf.node.ip': (c) => c.header?.ip ?? 'NA',
  'sf.meta.schema': (c) => c.header?.version,
  'sf.meta.tracename': (c) => onProc(c.header, (h) => goBase(h.filename ?? '')),
};

/** Our values in the oracle's terms: longs as decimal strings, arrays element-wise. */
function norm(v: FieldValue | undefined): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map((x) => norm(x));
  return v;
}

const fs = createSysFlowFieldSet();
const extractors = [...fs.fields()].map((d) => [d.name, fs.extractor(d, undefined)] as const);
const seen = new Map<string, number>();

/** Compares every attribute of one resolved record with its expectations; collects mismatches. */
function compare(e: SysFlowFieldEvent, c: Ctx, label: string, bad: string[]): void {
  for (const [name, ex] of extractors) {
    const want = EXPECT[name]!(c);
    const got = norm(ex(e));
    if (got !== undefined) seen.set(name, (seen.get(name) ?? 0) + 1);
    if (JSON.stringify(got) !== JSON.stringify(want) && bad.length < 20)
      bad.push(`${label} ${c.t} ${name}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
  }
}

beforeAll(() => requirePythonAvro());

describe('sf.* attributes against values derived from the python-avro records', () => {
  it('has an expectation for every attribute the field set defines', () => {
    const names = [...fs.fields()].map((d) => d.name);
    expect(names.filter((n) => !(n in EXPECT))).toEqual([]);
    expect(Object.keys(EXPECT).filter((n) => !names.includes(n))).toEqual([]);
    expect(names.length).toBeGreaterThan(90);
    expect(sysflowFieldDefs().map((d) => d.name)).toEqual(names);
  });

  for (const [name, path] of sampleFiles()) {
    it(`${name}: every attribute of every record matches, ancestors walked through the process table`, async () => {
      const python = pythonRead(path);
      const ctxs = contexts(python);
      const tables = new SysFlowEntityTables();
      const bad: string[] = [];
      let i = 0;
      // Extract while streaming: the tables hold exactly what precedes each record.
      for await (const e of resolveSysFlow(path, { tables })) {
        const c = ctxs[i]!;
        expect(e.record.type).toBe(c.t);
        compare(Object.assign(e, { tables }), c, `${name} #${i}`, bad);
        i++;
      }
      expect(i).toBe(python.length);
      expect(bad).toEqual([]);
    });
  }

  describe('constructed records (pods, Kubernetes events, rename targets, edge values)', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(`${tmpdir()}/sysray-sf-fields-`);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('every attribute matches what python reads back from the written file', () => {
      const records = constructedRecords();
      const file = `${dir}/constructed.sf`;
      writeFileSync(file, writeSysFlowSync(records));
      const ctxs = contexts(pythonRead(file));
      const tables = new SysFlowEntityTables();
      const bad: string[] = [];
      let i = 0;
      for (const e of resolveRecords(records, { tables })) {
        compare(Object.assign(e, { tables }), ctxs[i]!, `constructed #${i}`, bad);
        i++;
      }
      expect(i).toBe(records.length);
      expect(bad).toEqual([]);
    });
  });

  it('every attribute is present on some record (none is always missing)', () => {
    const never = [...fs.fields()].map((d) => d.name).filter((n) => !seen.has(n));
    expect(never).toEqual([]);
  });
});
