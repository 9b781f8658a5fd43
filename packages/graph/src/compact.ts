/** Compaction of a provenance graph, as SysFlow's graphlets do it. */
import { edgeKey, ProvenanceGraph } from './graph.js';
import type { GraphEdge, ProcessNode } from './types.js';

/**
 * Compacts a graph the way SysFlow's graph engine compacts graphlets, so a graphlet stays readable on
 * a real trace:
 *
 * - siblings — children of the same (compacted) parent by the same edge kind (`clone` or `exec`), or
 *   roots of the same graphlet — with the same exe, arguments and container are merged into one node
 *   whose `count` says how many it stands for (and their children are then compacted together, top
 *   down, so repeated identical subtrees collapse level by level);
 * - flows are aggregated per (merged) process × file or endpoint: one edge summing records, bytes and
 *   op counts, OR-ing the ops and spanning the union of the time ranges.
 *
 * Alerts, images and graphlets are remapped onto the merged nodes. Returns a new graph.
 */
export function compactGraph(pg: ProvenanceGraph): ProvenanceGraph {
  const g = pg.graph;
  const processes = pg.nodesOf('process');
  const inGraph = new Set(processes);
  const children = new Map<string, { key: string; kind: string }[]>();
  const roots: string[] = [];
  for (const k of processes) {
    let parent: string | undefined;
    let kind = '';
    for (const e of g.inEdges(k)) {
      const ek = g.getEdgeAttribute(e, 'kind');
      if ((ek === 'clone' || ek === 'exec') && inGraph.has(g.source(e))) {
        parent = g.source(e);
        kind = ek;
        break;
      }
    }
    if (parent === undefined) roots.push(k);
    else {
      const list = children.get(parent);
      if (list) list.push({ key: k, kind });
      else children.set(parent, [{ key: k, kind }]);
    }
  }
  const rep = new Map<string, string>();
  const signature = (k: string, kind: string) => {
    const a = g.getNodeAttributes(k) as ProcessNode;
    return `${kind}\u0000${a.graphlet}\u0000${a.container}\u0000${a.exe}\u0000${a.args}`;
  };
  const stack: string[][] = [];
  const group = (items: { key: string; kind: string }[]) => {
    const bySig = new Map<string, string[]>();
    for (const it of items) {
      const sig = signature(it.key, it.kind);
      const list = bySig.get(sig);
      if (list) list.push(it.key);
      else bySig.set(sig, [it.key]);
    }
    for (const members of bySig.values()) stack.push(members);
  };
  group(roots.map((key) => ({ key, kind: 'root' })));
  while (stack.length) {
    const members = stack.pop()!;
    const r = members[0]!;
    for (const m of members) rep.set(m, r);
    const kids: { key: string; kind: string }[] = [];
    for (const m of members) for (const c of children.get(m) ?? []) kids.push(c);
    if (kids.length) group(kids);
  }

  const out = new ProvenanceGraph(undefined, { ...pg.meta });
  const og = out.graph;
  const map = (k: string) => rep.get(k) ?? k;
  g.forEachNode((k, a) => {
    const target = map(k);
    if (!og.hasNode(target)) {
      og.addNode(target, { ...a, alerts: [...a.alerts] });
      return;
    }
    const m = og.getNodeAttributes(target) as ProcessNode;
    const p = a as ProcessNode;
    m.count += p.count;
    if (p.start < m.start) m.start = p.start;
    if (p.end > m.end) m.end = p.end;
    m.opFlags |= p.opFlags;
    if (m.exitCode !== p.exitCode) m.exitCode = null;
    for (const id of p.alerts) if (!m.alerts.includes(id)) m.alerts.push(id);
  });
  og.forEachNode((_k, a) => {
    if (a.kind === 'process' && a.count > 1) {
      const base = a.exe.slice(a.exe.lastIndexOf('/') + 1) || a.exe || a.label;
      a.label = `${base} ×${a.count}`;
    }
  });
  const edgeMap = new Map<string, string>();
  g.forEachEdge((key, a, s, t) => {
    const s2 = map(s);
    const t2 = map(t);
    const k2 = edgeKey(a.kind, s2, t2);
    edgeMap.set(key, k2);
    if (!og.hasEdge(k2)) {
      const copy: GraphEdge = { ...a, alerts: [...a.alerts] };
      if (a.samples) copy.samples = [...a.samples];
      og.addDirectedEdgeWithKey(k2, s2, t2, copy);
      return;
    }
    const m = og.getEdgeAttributes(k2);
    m.records += a.records;
    m.bytesIn += a.bytesIn;
    m.bytesOut += a.bytesOut;
    m.opsIn += a.opsIn;
    m.opsOut += a.opsOut;
    m.opFlags |= a.opFlags;
    if (a.start < m.start) m.start = a.start;
    if (a.end > m.end) m.end = a.end;
    if (a.samples) m.samples = [...(m.samples ?? []), ...a.samples];
    for (const id of a.alerts) if (!m.alerts.includes(id)) m.alerts.push(id);
  });
  for (const [oid, list] of pg.images) out.images.set(oid, [...new Set(list.map(map))]);
  for (const alert of pg.alerts) {
    out.alerts.push({
      ...alert,
      nodes: [...new Set(alert.nodes.map(map))],
      edges: [...new Set(alert.edges.map((e) => edgeMap.get(e) ?? e))],
    });
  }
  out.graphlets = pg.graphlets.map((gl) => {
    const nodes = [...new Set(gl.nodes.map(map))];
    return {
      ...gl,
      roots: [...new Set(gl.roots.map(map))],
      nodes,
      processes: nodes.filter((k) => og.getNodeAttribute(k, 'kind') === 'process').length,
      alerts: [...gl.alerts],
    };
  });
  return out;
}
