/** Splitting a provenance graph into graphlets: per container, and per host process tree. */
import { UndirectedGraph } from 'graphology';
import { connectedComponents } from 'graphology-components';
import type { Graphlet, ProvenanceGraph } from './graph.js';
import type { ContainerNode, ProcessNode } from './types.js';

/**
 * Splits the graph into graphlets (connected components of the process lineage, cut at container
 * boundaries): all processes of one container, joined through the container node, form one graphlet
 * (`container:<id>`); each host process tree forms one (`host:<root>`). Each graphlet also lists the
 * files, endpoints and pod its processes touch (a file touched from two graphlets is in both). Sets
 * every node's `graphlet` (its first graphlet), every alert's `graphlet`, and `graph.graphlets`;
 * returns the graphlets ordered by start time. Uses graphology-components' `connectedComponents`.
 */
export function computeGraphlets(pg: ProvenanceGraph): Graphlet[] {
  const g = pg.graph;
  const lineage = new UndirectedGraph();
  g.forEachNode((k, a) => {
    if (a.kind === 'process' || a.kind === 'container') lineage.addNode(k);
  });
  g.forEachEdge((_e, a, s, t) => {
    if (a.kind === 'contains') {
      if (lineage.hasNode(s) && lineage.hasNode(t)) lineage.mergeEdge(s, t);
      return;
    }
    if (a.kind !== 'clone' && a.kind !== 'exec') return;
    const sc = (g.getNodeAttributes(s) as ProcessNode).container;
    const tc = (g.getNodeAttributes(t) as ProcessNode).container;
    if (sc === tc) lineage.mergeEdge(s, t);
  });
  const components = connectedComponents(lineage);
  const out: { graphlet: Graphlet; start: bigint }[] = [];
  for (const component of components) {
    const members = new Set(component);
    const processes = component.filter((k) => g.getNodeAttribute(k, 'kind') === 'process');
    const containerKey = component.find((k) => g.getNodeAttribute(k, 'kind') === 'container');
    if (processes.length === 0) continue;
    const roots = processes.filter((k) => {
      const parent = pg.parentOf(k);
      return parent === undefined || !members.has(parent);
    });
    roots.sort((a, b) => cmp(g.getNodeAttribute(a, 'start'), g.getNodeAttribute(b, 'start')));
    const container = containerKey ? (g.getNodeAttributes(containerKey) as ContainerNode) : undefined;
    const firstProcess = g.getNodeAttributes(processes[0]!) as ProcessNode;
    const containerId = container?.id ?? firstProcess.container;
    const rootAttrs = g.getNodeAttributes(roots[0] ?? processes[0]!) as ProcessNode;
    const id = containerId !== null ? `container:${containerId}` : `host:${roots[0] ?? processes[0]}`;
    const nodes = new Set(component);
    for (const p of processes) {
      for (const e of g.outEdges(p)) {
        const kind = g.getEdgeAttribute(e, 'kind');
        if (kind === 'file' || kind === 'network') nodes.add(g.target(e));
      }
    }
    if (containerKey) {
      for (const e of g.inEdges(containerKey)) nodes.add(g.source(e));
    }
    let start = rootAttrs.start;
    for (const p of processes) {
      const s = g.getNodeAttribute(p, 'start');
      if (s < start) start = s;
    }
    const label = container ? container.name || container.id : rootAttrs.exe || rootAttrs.label;
    out.push({
      graphlet: {
        id,
        container: containerId,
        label,
        roots,
        nodes: [...nodes],
        processes: processes.length,
        alerts: [],
      },
      start,
    });
  }
  out.sort((a, b) => cmp(a.start, b.start) || (a.graphlet.id < b.graphlet.id ? -1 : 1));
  g.forEachNode((_k, a) => {
    a.graphlet = '';
  });
  const graphlets = out.map((o) => o.graphlet);
  for (const gl of graphlets) {
    for (const k of gl.nodes) {
      const a = g.getNodeAttributes(k);
      if (a.graphlet === '') a.graphlet = gl.id;
    }
  }
  const byId = new Map(graphlets.map((gl) => [gl.id, gl]));
  for (const alert of pg.alerts) {
    const first = alert.nodes.find((k) => g.hasNode(k));
    alert.graphlet = first ? g.getNodeAttribute(first, 'graphlet') : '';
    byId.get(alert.graphlet)?.alerts.push(alert.id);
  }
  pg.graphlets = graphlets;
  return graphlets;
}

/** The graphlet with this id as a graph of its own (`undefined` when there is none). */
export function graphletSubgraph(pg: ProvenanceGraph, id: string): ProvenanceGraph | undefined {
  const gl = pg.graphlets.find((x) => x.id === id);
  if (!gl) return undefined;
  const sub = pg.subgraph(gl.nodes);
  sub.graphlets = [{ ...gl }];
  return sub;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
