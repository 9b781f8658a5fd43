import { resolveRecords } from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import {
  buildGraphFromFile,
  computeGraphlets,
  GraphBuilder,
  graphletSubgraph,
  nodeKey,
} from '../src/index.js';
import { container, file, fileFlow, OP, oid, proc, SEC, T0 } from './helpers/records.js';
import { SHELLSHOCK } from './helpers/testdata.js';

describe('computeGraphlets', () => {
  it('splits shellshock into the host process tree and the apache container', async () => {
    const { graph: pg } = await buildGraphFromFile(SHELLSHOCK);
    expect(pg.graphlets.map((g) => [g.id, g.label, g.processes])).toEqual([
      ['host:p:1643156435012000000:1', '/lib/systemd/systemd', 3],
      ['container:cc5d46fa59b1', 'apache', 10],
    ]);
    const apache = pg.graphlets[1]!;
    expect(apache.roots.map((k) => pg.node(k).label)).toEqual(['bash [12646]']);
    const paths = apache.nodes
      .map((k) => pg.node(k))
      .filter((a) => a.kind === 'file')
      .map((a) => a.label);
    expect(paths).toContain('/etc/passwd');
    const shell = pg.graph.findNode((_k, a) => a.kind === 'process' && a.args === '-c cat /etc/passwd')!;
    expect(pg.node(shell).graphlet).toBe('container:cc5d46fa59b1');
    const sub = graphletSubgraph(pg, apache.id)!;
    expect(sub.graph.order).toBe(apache.nodes.length);
    expect(sub.nodesOf('process')).toHaveLength(10);
    expect(graphletSubgraph(pg, 'nope')).toBeUndefined();
  });

  it('makes one graphlet per host process tree and one per container, cut at the container boundary', () => {
    const b = new GraphBuilder();
    const records = [
      container('c1', 'web'),
      proc(1, '/sbin/init', '', { createTS: T0 }),
      proc(2, '/usr/bin/runc', '', { createTS: T0 + 1n, parent: oid(1, T0) }),
      proc(3, '/bin/web', '', { createTS: T0 + 2n, parent: oid(2, T0 + 1n), containerId: 'c1' }),
      proc(4, '/bin/worker', '', { createTS: T0 + 3n, parent: oid(3, T0 + 2n), containerId: 'c1' }),
      proc(5, '/bin/exec-shell', '', { createTS: T0 + 4n, parent: oid(2, T0 + 1n), containerId: 'c1' }),
      proc(9, '/usr/sbin/cron', '', { createTS: T0 + SEC }),
      file(1, '/etc/shared'),
      fileFlow(oid(4, T0 + 3n), 1, T0 + 10n, OP.OPEN),
      fileFlow(oid(9, T0 + SEC), 1, T0 + SEC + 10n, OP.OPEN),
    ];
    for (const r of resolveRecords(records)) b.add(r);
    const gl = computeGraphlets(b.result);
    expect(gl.map((g) => [g.id, g.processes, g.roots.length])).toEqual([
      [`host:${nodeKey.process(`${T0}:1`, 0)}`, 2, 1],
      ['container:c1', 3, 2],
      [`host:${nodeKey.process(`${T0 + SEC}:9`, 0)}`, 1, 1],
    ]);
    // A file touched from two graphlets belongs to both.
    const shared = b.result.graph.findNode((_k, a) => a.kind === 'file')!;
    expect(gl.filter((g) => g.nodes.includes(shared)).map((g) => g.id)).toEqual(['container:c1', gl[2]!.id]);
  });
});
