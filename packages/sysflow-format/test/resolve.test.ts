import {
  readSysFlowSync,
  resolveRecords,
  resolveSysFlow,
  SysFlowEntityTables,
  type SysFlowRecord,
} from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import { collect } from './helpers/streams.js';
import { constructedRecords, readBytes, sampleFiles } from './helpers/testdata.js';

const FLOWS_AND_EVENTS = new Set([
  'ProcessEvent',
  'NetworkFlow',
  'FileFlow',
  'FileEvent',
  'NetworkEvent',
  'ProcessFlow',
]);

describe('OID resolution on the sample files', () => {
  let withContainer = 0;
  for (const [name, path] of sampleFiles()) {
    it(`${name}: every flow/event resolves its process, parent, container and file`, async () => {
      const resolved = await collect(resolveSysFlow(path));
      expect(resolved).toHaveLength(readSysFlowSync(readBytes(path)).length);
      let checked = 0;
      for (const r of resolved) {
        expect(r.unresolved, `${r.record.type} ${JSON.stringify(r.unresolved)}`).toEqual([]);
        if (!FLOWS_AND_EVENTS.has(r.record.type)) continue;
        checked++;
        expect(r.process).toBeDefined();
        const rec = r.record.rec as { procOID: { createTS: bigint; hpid: bigint } };
        expect(r.process!.oid).toEqual(rec.procOID);
        if (r.process!.poid) expect(r.parent!.oid).toEqual(r.process!.poid);
        if (r.process!.containerId !== null) {
          expect(r.container?.id).toBe(r.process!.containerId);
          withContainer++;
        } else {
          expect(r.container).toBeUndefined();
        }
        if (r.record.type === 'FileFlow' || r.record.type === 'FileEvent') {
          expect(Buffer.from(r.file!.oid).equals(Buffer.from(r.record.rec.fileOID))).toBe(true);
        }
        if (r.record.type === 'FileEvent' && r.record.rec.newFileOID) expect(r.newFile).toBeDefined();
      }
      expect(checked).toBeGreaterThan(0);
      expect(resolved.every((r) => r.header !== undefined)).toBe(true);
    });
  }
  it('containerized flows are among them (alpine, objectstore, httpd, shellshock)', () => {
    expect(withContainer).toBeGreaterThan(50);
  });

  it('entities: false yields flows and events only; tables stay inspectable', async () => {
    const [, path] = sampleFiles().find(([n]) => n === 'shellshock.sf')!;
    const tables = new SysFlowEntityTables();
    const flows = await collect(resolveSysFlow(path, { entities: false, tables }));
    expect(flows.every((r) => FLOWS_AND_EVENTS.has(r.record.type))).toBe(true);
    expect(flows).toHaveLength(56);
    // 13 Process records of 10 distinct processes (later states replace earlier ones).
    const all = readSysFlowSync(readBytes(path));
    const distinct = new Set(
      all.flatMap((r) => (r.type === 'Process' ? [`${r.rec.oid.createTS}:${r.rec.oid.hpid}`] : [])),
    );
    expect(all.filter((r) => r.type === 'Process')).toHaveLength(13);
    expect(tables.processes.size).toBe(distinct.size);
    expect(distinct.size).toBe(10);
    expect(tables.files.size).toBe(
      new Set(all.flatMap((r) => (r.type === 'File' ? [Buffer.from(r.rec.oid).toString('hex')] : []))).size,
    );
    expect(tables.containers.size).toBe(1);
    expect(tables.header?.version).toBe(4n);
  });
});

describe('entity tables', () => {
  const records = constructedRecords();
  it('resolves constructed records and reports what is missing', () => {
    const resolved = [...resolveRecords(records)];
    const byType = (t: string) => resolved.filter((r) => r.record.type === t);
    // The constructed process's container "c2" exists; pod-1 comes later in the stream than its container.
    expect(byType('Container')[1]!.unresolved).toEqual(['pod']);
    const second = byType('Process')[1]!;
    expect(second.container?.name).toBe('名前');
    expect(second.parent?.exe).toBe('/bin/😀');
    const fe = byType('FileEvent')[0]!;
    expect(fe.file?.path).toBe('');
    expect(fe.newFile?.path).toBe('/x/ÿ');
    expect(fe.process?.exe).toBe('/bin/😀');
  });

  it('a flow before its entities is unresolved; later records replace earlier ones; clear() forgets', () => {
    const tables = new SysFlowEntityTables();
    const flow = records.find((r) => r.type === 'FileFlow')!;
    expect(tables.resolve(flow).unresolved).toEqual(['process', 'file']);
    const proc = records.find((r) => r.type === 'Process')! as Extract<SysFlowRecord, { type: 'Process' }>;
    tables.add(proc);
    tables.add({ type: 'Process', rec: { ...proc.rec, state: 'MODIFIED', exe: '/new' } });
    expect(tables.resolve(flow).process?.exe).toBe('/new');
    expect(tables.resolve(flow).unresolved).toEqual(['file']);
    tables.clear();
    expect(tables.processes.size).toBe(0);
    expect(tables.resolve(flow).unresolved).toEqual(['process', 'file']);
  });
});
