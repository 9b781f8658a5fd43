import { readFileSync } from 'node:fs';
import { resolveRecords } from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import {
  buildGraphFromFile,
  compactGraph,
  computeGraphlets,
  exportJSON,
  GraphBuilder,
  graphToJSON,
  type Json,
} from '../src/index.js';
import { validate } from './helpers/json-schema.js';
import { netFlow, OP, oid, proc, SEC, T0 } from './helpers/records.js';
import { SCHEMA_PATH, SHELLSHOCK } from './helpers/testdata.js';

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));
const RULES = [
  {
    name: 'r.yaml',
    content: `
- rule: Read passwd
  desc: d
  condition: sf.file.path = /etc/passwd and sf.opflags contains READ
  output: "%sf.proc.exe read %sf.file.path (%sf.flow.rbytes bytes)"
  priority: WARNING
  tags: [T1003.008]
`,
  },
];

describe('JSON export', () => {
  it('validates against schema/graph.schema.json, full and compacted, with alerts', async () => {
    const { graph: pg } = await buildGraphFromFile(SHELLSHOCK, { rules: RULES });
    for (const g of [pg, compactGraph(pg)]) {
      const doc = JSON.parse(exportJSON(g));
      expect(validate(schema, doc)).toEqual([]);
      expect(doc.nodes).toHaveLength(g.graph.order);
      expect(doc.edges).toHaveLength(g.graph.size);
      expect(doc.alerts).toHaveLength(1);
      expect(doc.alerts[0].outputFields['sf.flow.rbytes']).toBe(761);
    }
  });

  it('validates with traffic series, and keeps nanosecond timestamps exact as strings', () => {
    const b = new GraphBuilder();
    const recs = [proc(7, '/tmp/implant', '', { createTS: T0 + 123n })];
    for (let i = 0; i < 8; i++) {
      const ts = T0 + BigInt(i) * 30n * SEC + 200n;
      recs.push(
        netFlow(
          oid(7, T0 + 123n),
          ts,
          ts + 1n,
          OP.CONNECT,
          ['10.0.0.1', 5000 + i],
          ['198.51.100.9', 8443],
          10,
          99,
        ),
      );
    }
    for (const r of resolveRecords(recs)) b.add(r);
    computeGraphlets(b.result);
    const doc = graphToJSON(b.result) as { [k: string]: Json } & {
      traffic: { [k: string]: Json }[];
      nodes: { [k: string]: Json }[];
    };
    expect(validate(schema, doc)).toEqual([]);
    expect(doc.traffic).toHaveLength(1);
    expect(doc.traffic[0]!.totalOut).toBe(8 * 99);
    expect((doc.traffic[0]!.periodicity as { beaconing: boolean }).beaconing).toBe(true);
    expect(doc.nodes.find((n) => n.kind === 'process')!.start).toBe(`${T0 + 123n}`);
    expect(graphToJSON(b.result, { traffic: false }).traffic).toEqual([]);
  });

  it('the schema check rejects a document that breaks it', async () => {
    const { graph: pg } = await buildGraphFromFile(SHELLSHOCK);
    const doc = JSON.parse(exportJSON(pg));
    doc.nodes[0].start = 12;
    doc.nodes[1].kind = 'socket';
    doc.edges[0].extra = true;
    delete doc.meta.records;
    const errors = validate(schema, doc);
    expect(errors.some((e) => e.startsWith('$.nodes[0]'))).toBe(true);
    expect(errors.some((e) => e.startsWith('$.nodes[1]'))).toBe(true);
    expect(errors).toContain('$.edges[0]: unexpected property extra');
    expect(errors).toContain('$.meta: missing records');
  });
});
