import { resolveRecords } from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import {
  buildGraph,
  buildGraphFromFile,
  edgeKey,
  GraphBuilder,
  nodeKey,
  opNames,
  type ProcessNode,
  type ProvenanceGraph,
} from '../src/index.js';
import { file, fileEvent, fileFlow, netFlow, OP, oid, proc, procEvent, SEC, T0 } from './helpers/records.js';
import { HTTPD, SHELLSHOCK } from './helpers/testdata.js';

function build(records: Parameters<typeof resolveRecords>[0], options = {}): ProvenanceGraph {
  const b = new GraphBuilder(options);
  for (const r of resolveRecords(records)) b.add(r);
  return b.result;
}

function findProcess(pg: ProvenanceGraph, exe: string, args?: string): string {
  const hits = pg.graph.filterNodes(
    (_k, a) => a.kind === 'process' && a.exe === exe && (args === undefined || a.args === args),
  );
  expect(hits, `${exe} ${args ?? ''}`).toHaveLength(1);
  return hits[0]!;
}

function lineage(pg: ProvenanceGraph, key: string): string[] {
  const out: string[] = [];
  for (let k: string | undefined = key; k !== undefined; k = pg.parentOf(k)) {
    const a = pg.node(k) as ProcessNode;
    out.push(`${a.exe} ${a.args}`.trim());
  }
  return out;
}

describe('shellshock.sf (acceptance)', () => {
  it('shows the exploited server process tree down to the spawned shell and its child', async () => {
    const { graph: pg } = await buildGraphFromFile(SHELLSHOCK);
    const shell = findProcess(pg, '/bin/bash', '-c cat /etc/passwd');
    expect(lineage(pg, shell)).toEqual([
      '/bin/bash -c cat /etc/passwd',
      '/usr/lib/cgi-bin/vulnerable /usr/lib/cgi-bin/vulnerable',
      '/usr/lib/cgi-bin/vulnerable /usr/lib/cgi-bin/vulnerable',
      '/usr/lib/apache2/mpm-worker/apache2 -DFOREGROUND',
      '/usr/lib/apache2/mpm-worker/apache2 -DFOREGROUND',
      '/usr/lib/apache2/mpm-worker/apache2 -DFOREGROUND',
      '/bin/dash /usr/sbin/apache2ctl -DFOREGROUND',
      '/bin/bash /main.sh default',
      '/usr/bin/containerd-shim -namespace moby -workdir /var/lib/containerd/io.containerd.runtime.v1.linux/moby/cc5d46fa59b102b9cb0f91f9f256aecb732364009972b04bac68c1c2d225ec73 -address /run/containerd/containerd.sock -containerd-binary /usr/bin/containerd -runtime-root /var/run/docker/runtime-runc',
      '/usr/bin/containerd',
      '/lib/systemd/systemd nofb',
    ]);
    // The shell's child: bash execs cat, which reads /etc/passwd and writes it to the CGI pipe.
    const children = pg.childrenOf(shell);
    expect(children.map((k) => (pg.node(k) as ProcessNode).exe)).toEqual(['/bin/cat']);
    const cat = children[0]!;
    expect(pg.graph.getEdgeAttribute(edgeKey('exec', shell, cat), 'kind')).toBe('exec');
    const passwd = pg.graph.findNode((_k, a) => a.kind === 'file' && a.path === '/etc/passwd')!;
    const read = pg.graph.getEdgeAttributes(edgeKey('file', cat, passwd));
    expect(read.bytesIn).toBe(761);
    expect(opNames(read.opFlags)).toEqual(['OPEN', 'READ_RECV', 'CLOSE']);
    expect((pg.node(cat) as ProcessNode).exitCode).toBe(0);
    // The exploited CGI process exited with SIGSEGV's 139; it runs in the apache container.
    const vulnerable = pg.parentOf(shell)!;
    const cgi = pg.parentOf(vulnerable)!;
    expect((pg.node(cgi) as ProcessNode).exitCode).toBe(139);
    expect((pg.node(shell) as ProcessNode).container).toBe('cc5d46fa59b1');
    expect(
      pg.graph.hasEdge(
        edgeKey(
          'contains',
          nodeKey.container('cc5d46fa59b1'),
          findProcess(pg, '/bin/bash', '/main.sh default'),
        ),
      ),
    ).toBe(true);
    expect(pg.meta.unresolved).toBe(0);
    expect(pg.meta.records).toBe(90);
  });
});

describe('httpd.sf', () => {
  it('shows the accepted HTTP client as an endpoint of the worker that served it', async () => {
    const { graph: pg } = await buildGraphFromFile(HTTPD);
    const client = nodeKey.endpoint('tcp', 'client', '172.17.0.1', 80);
    expect(pg.node(client)).toMatchObject({ kind: 'endpoint', label: 'tcp 172.17.0.1 → :80' });
    const [edge] = pg.graph.inEdges(client);
    expect(pg.graph.getEdgeAttributes(edge!)).toMatchObject({
      kind: 'network',
      bytesIn: 92,
      bytesOut: 306,
      opsIn: 2,
      opsOut: 1,
    });
    expect(opNames(pg.graph.getEdgeAttribute(edge!, 'opFlags'))).toEqual([
      'ACCEPT',
      'READ_RECV',
      'WRITE_SEND',
      'CLOSE',
      'SHUTDOWN',
    ]);
    expect((pg.node(pg.graph.source(edge!)) as ProcessNode).exe).toBe('/usr/local/apache2/bin/httpd');
    expect(pg.graphlets.map((g) => g.id)).toContain(
      `container:${(pg.node(pg.graph.source(edge!)) as ProcessNode).container}`,
    );
  });
});

describe('GraphBuilder', () => {
  it('starts a new image on exec and attributes flows to the image current at their time', () => {
    const p = oid(10);
    const pg = build([
      proc(10, '/bin/sh', '-c x'),
      file(1, '/etc/a'),
      fileFlow(p, 1, T0 + 1n, OP.OPEN | OP.READ, 10),
      { ...proc(10, '/usr/bin/x', '', { state: 'MODIFIED', ts: T0 + 5n }) },
      fileFlow(p, 1, T0 + 7n, OP.OPEN | OP.READ, 20),
      fileFlow(p, 1, T0 + 2n, OP.OPEN | OP.READ, 5), // emitted late, happened before the exec
    ]);
    const img0 = nodeKey.process(`${T0}:10`, 0);
    const img1 = nodeKey.process(`${T0}:10`, 1);
    expect(pg.images.get(`${T0}:10`)).toEqual([img0, img1]);
    expect(pg.graph.getEdgeAttribute(edgeKey('exec', img0, img1), 'kind')).toBe('exec');
    expect(
      pg.graph.getEdgeAttribute(
        edgeKey('file', img0, nodeKey.file(`${'00000001'.padEnd(38, '0')}aa`)),
        'bytesIn',
      ),
    ).toBe(15);
    expect(
      pg.graph.getEdgeAttribute(
        edgeKey('file', img1, nodeKey.file(`${'00000001'.padEnd(38, '0')}aa`)),
        'bytesIn',
      ),
    ).toBe(20);
    expect((pg.node(img1) as ProcessNode).exe).toBe('/usr/bin/x');
  });

  it('aggregates flows and events per process × file with ops, bytes, op counts and time range', () => {
    const p = oid(10);
    const pg = build([
      proc(10, '/bin/app', ''),
      file(1, '/tmp/f'),
      file(2, '/tmp/g'),
      fileFlow(p, 1, T0 + 10n, OP.OPEN | OP.WRITE, 0, 100, T0 + 20n),
      fileFlow(p, 1, T0 + 30n, OP.OPEN | OP.READ, 40, 0, T0 + 35n),
      fileEvent(p, 1, T0 + 50n, OP.RENAME, 2),
      fileEvent(p, 2, T0 + 60n, OP.UNLINK),
    ]);
    const proc0 = nodeKey.process(`${T0}:10`, 0);
    const f = pg.graph.findNode((_k, a) => a.kind === 'file' && a.path === '/tmp/f')!;
    const g = pg.graph.findNode((_k, a) => a.kind === 'file' && a.path === '/tmp/g')!;
    const ef = pg.graph.getEdgeAttributes(edgeKey('file', proc0, f));
    expect(ef).toMatchObject({
      records: 3,
      bytesIn: 40,
      bytesOut: 100,
      opsIn: 1,
      opsOut: 1,
      start: T0 + 10n,
      end: T0 + 50n,
    });
    expect(opNames(ef.opFlags)).toEqual(['OPEN', 'READ_RECV', 'WRITE_SEND', 'RENAME']);
    const eg = pg.graph.getEdgeAttributes(edgeKey('file', proc0, g));
    expect(eg.records).toBe(2);
    expect(opNames(eg.opFlags)).toEqual(['UNLINK', 'RENAME']);
    expect(pg.graph.size).toBe(2);
  });

  it('keys endpoints by the server for connects and by the client and local port for accepts', () => {
    const p = oid(10);
    const pg = build([
      proc(10, '/usr/bin/curl', 'x'),
      netFlow(
        p,
        T0,
        T0 + SEC,
        OP.CONNECT | OP.WRITE | OP.READ,
        ['10.0.0.5', 40001],
        ['93.184.216.34', 443],
        5000,
        300,
      ),
      netFlow(
        p,
        T0 + 2n * SEC,
        T0 + 3n * SEC,
        OP.CONNECT,
        ['10.0.0.5', 40002],
        ['93.184.216.34', 443],
        7000,
        200,
      ),
      netFlow(p, T0, T0 + 1n, OP.ACCEPT | OP.READ, ['172.17.0.1', 51000], ['172.17.0.2', 80], 90, 0),
    ]);
    const server = nodeKey.endpoint('tcp', 'server', '93.184.216.34', 443);
    const client = nodeKey.endpoint('tcp', 'client', '172.17.0.1', 80);
    expect(pg.graph.getNodeAttributes(server)).toMatchObject({
      kind: 'endpoint',
      role: 'server',
      port: 443,
      label: 'tcp 93.184.216.34:443',
    });
    expect(pg.graph.getNodeAttributes(client)).toMatchObject({ role: 'client', ip: '172.17.0.1', port: 80 });
    const e = pg.graph.getEdgeAttributes(edgeKey('network', nodeKey.process(`${T0}:10`, 0), server));
    expect(e).toMatchObject({ records: 2, bytesIn: 12000, bytesOut: 500, start: T0, end: T0 + 3n * SEC });
    expect(e.samples).toEqual([
      { start: T0, end: T0 + SEC, bytesIn: 5000, bytesOut: 300 },
      { start: T0 + 2n * SEC, end: T0 + 3n * SEC, bytesIn: 7000, bytesOut: 200 },
    ]);
  });

  it('keeps at most maxSamplesPerEdge flow samples but counts every flow', () => {
    const p = oid(10);
    const flows = Array.from({ length: 10 }, (_, i) =>
      netFlow(p, T0 + BigInt(i), T0 + BigInt(i), OP.CONNECT, ['10.0.0.1', 1], ['10.0.0.2', 53], 1, 1),
    );
    const pg = build([proc(10, '/x', ''), ...flows], { maxSamplesPerEdge: 3 });
    const [edge] = pg.graph.edges();
    expect(pg.graph.getEdgeAttribute(edge!, 'samples')).toHaveLength(3);
    expect(pg.graph.getEdgeAttribute(edge!, 'records')).toBe(10);
  });

  it('links a child to a parent that appears after it, and records exit codes', () => {
    const pg = build([
      proc(20, '/bin/child', '', { parent: oid(10, T0 - SEC), createTS: T0 }),
      proc(10, '/bin/parent', '', { createTS: T0 - SEC }),
      procEvent(oid(20), T0 + 5n, OP.EXIT, 3),
    ]);
    const parent = nodeKey.process(`${T0 - SEC}:10`, 0);
    const child = nodeKey.process(`${T0}:20`, 0);
    expect(pg.parentOf(child)).toBe(parent);
    expect(pg.node(child)).toMatchObject({ exitCode: 3, end: T0 + 5n });
    expect(opNames((pg.node(child) as ProcessNode).opFlags)).toEqual(['EXIT']);
  });

  it('makes placeholder nodes for records whose process or file is unknown, and counts them', () => {
    const pg = build([fileFlow(oid(77), 9, T0, OP.OPEN)]);
    expect(pg.meta.unresolved).toBe(2);
    expect(pg.node(nodeKey.process(`${T0}:77`, 0))).toMatchObject({
      kind: 'process',
      label: 'pid 77',
      pid: 77,
    });
    expect(pg.graph.order).toBe(2);
    expect(pg.graph.size).toBe(1);
  });

  it('fills a placeholder in when the process record arrives later, without a new image', () => {
    const b = new GraphBuilder();
    for (const r of resolveRecords([fileFlow(oid(77), 9, T0 + 5n, OP.OPEN)])) b.add(r);
    for (const r of resolveRecords([
      proc(1, '/sbin/init', ''),
      proc(77, '/bin/late', 'x', { parent: oid(1) }),
    ])) {
      b.add(r);
    }
    const key = nodeKey.process(`${T0}:77`, 0);
    expect(b.result.images.get(`${T0}:77`)).toEqual([key]);
    expect(b.result.node(key)).toMatchObject({
      exe: '/bin/late',
      label: 'late [77]',
      start: T0,
      end: T0 + 5n,
    });
    expect(b.result.parentOf(key)).toBe(nodeKey.process(`${T0}:1`, 0));
  });

  it('buildGraph resolves raw records itself', async () => {
    const { graph } = await buildGraph([
      proc(10, '/bin/a', ''),
      file(1, '/x'),
      fileFlow(oid(10), 1, T0, OP.OPEN),
    ]);
    expect(graph.graph.order).toBe(2);
    expect(graph.meta.unresolved).toBe(0);
  });
});
