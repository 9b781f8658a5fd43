import { resolveRecords } from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import { compactGraph, computeGraphlets, GraphBuilder, opNames, type ProcessNode } from '../src/index.js';
import { file, fileFlow, generateTrace, OP, oid, proc, T0 } from './helpers/records.js';

function built(records: Parameters<typeof resolveRecords>[0]) {
  const b = new GraphBuilder();
  for (const r of resolveRecords(records)) b.add(r);
  computeGraphlets(b.result);
  return b.result;
}

describe('compactGraph', () => {
  it('collapses repeated children with the same exe and args into one node with a count', () => {
    const pg = built(generateTrace(1, 5, 3));
    expect(pg.nodesOf('process')).toHaveLength(6);
    const c = compactGraph(pg);
    const procs = c.nodesOf('process').map((k) => c.node(k) as ProcessNode);
    expect(procs.map((p) => [p.exe, p.count])).toEqual([
      ['/usr/sbin/httpd', 1],
      ['/usr/sbin/httpd', 5],
    ]);
    expect(procs[1]!.label).toBe('httpd ×5');
    // Flows aggregated per merged process × file: 5 workers × 3 reads of 512 bytes.
    const f = c.graph.findNode((_k, a) => a.kind === 'file')!;
    const fe = c.graph.getEdgeAttributes(c.graph.inEdges(f)[0]!);
    expect(fe).toMatchObject({ records: 15, bytesIn: 15 * 512 });
    expect(opNames(fe.opFlags)).toEqual(['OPEN', 'READ_RECV', 'CLOSE']);
    expect(c.graph.inEdges(f)).toHaveLength(1);
    // The original graph is not changed.
    expect(pg.nodesOf('process')).toHaveLength(6);
  });

  it('keeps siblings with different arguments apart and compacts grandchildren level by level', () => {
    const root = oid(1);
    const recs = [proc(1, '/bin/sh', 'loop')];
    for (let i = 0; i < 4; i++) {
      const ts = T0 + BigInt(10 + i);
      recs.push(proc(10 + i, '/bin/sleep', '1', { parent: root, createTS: ts }));
      recs.push(proc(20 + i, '/bin/date', '', { parent: oid(10 + i, ts), createTS: ts + 1n }));
    }
    recs.push(proc(30, '/bin/sleep', '2', { parent: root, createTS: T0 + 50n }));
    const c = compactGraph(built(recs));
    const rows = c
      .nodesOf('process')
      .map((k) => c.node(k) as ProcessNode)
      .map((p) => `${p.exe} ${p.args} ×${p.count}`)
      .sort();
    expect(rows).toEqual(['/bin/date  ×4', '/bin/sh loop ×1', '/bin/sleep 1 ×4', '/bin/sleep 2 ×1']);
    expect(c.graph.size).toBe(3);
  });

  it('remaps alerts and graphlets onto the merged nodes', () => {
    const pg = built([
      proc(1, '/bin/p', ''),
      proc(2, '/bin/c', '', { parent: oid(1), createTS: T0 + 1n }),
      proc(3, '/bin/c', '', { parent: oid(1), createTS: T0 + 2n }),
      file(1, '/f'),
      fileFlow(oid(3, T0 + 2n), 1, T0 + 3n, OP.OPEN),
    ]);
    const c3 = pg.processImage(`${T0 + 2n}:3`)!;
    pg.alerts.push({
      id: 'a1',
      rule: 'r',
      priority: 'Warning',
      tags: [],
      mitre: [],
      time: T0,
      output: '',
      outputFields: {},
      nodes: [c3],
      edges: [pg.graph.outEdges(c3)[0]!],
      graphlet: '',
    });
    pg.node(c3).alerts.push('a1');
    const c = compactGraph(pg);
    const merged = pg.processImage(`${T0 + 1n}:2`)!;
    expect(c.alerts[0]!.nodes).toEqual([merged]);
    expect(c.graph.hasEdge(c.alerts[0]!.edges[0]!)).toBe(true);
    expect(c.node(merged)).toMatchObject({ count: 2, alerts: ['a1'] });
    expect(c.graphlets[0]!.processes).toBe(2);
  });
});
