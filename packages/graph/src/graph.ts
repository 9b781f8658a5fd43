/** The provenance graph: a graphology `DirectedGraph` plus the alerts, graphlets and indexes around it. */
import { formatIPv4, OP_FLAGS } from '@sysray/sysflow-format';
import { DirectedGraph } from 'graphology';
import type { EdgeKind, GraphAlert, GraphEdge, GraphNode, NodeKind, ProcessNode } from './types.js';

/** A copy of an edge's attributes (arrays copied). */
export function copyEdge(a: GraphEdge): GraphEdge {
  const out: GraphEdge = { ...a, alerts: [...a.alerts] };
  if (a.samples) out.samples = [...a.samples];
  return out;
}

/** A component of the graph: one container's processes, or one host process tree, with what they touched. */
export interface Graphlet {
  /** Stable id: `container:<id>` or `host:<root node key>`. */
  id: string;
  /** Container id, `null` for a host process tree. */
  container: string | null;
  /** Human label: the container name, or the root process's exe. */
  label: string;
  /** Process nodes that have no parent inside the graphlet. */
  roots: string[];
  /** Every node of the graphlet (processes, and the files, endpoints, containers and pods they touch). */
  nodes: string[];
  /** Number of process nodes. */
  processes: number;
  /** Ids of the alerts attached inside the graphlet. */
  alerts: string[];
}

/** What the builder saw. */
export interface GraphMeta {
  /** Records added. */
  records: number;
  /** Records whose process or file could not be resolved (placeholders were created). */
  unresolved: number;
  /** Earliest record time, ns (`null` before any timed record). */
  first: bigint | null;
  /** Latest record time, ns. */
  last: bigint | null;
  /** Exporter named in the file header. */
  exporter: string;
  /** File name in the header. */
  filename: string;
}

/** Node keys. */
export const nodeKey = {
  /** A process image: `p:<createTS>:<hpid>` for the image as cloned, `…#<n>` after the n-th exec. */
  process: (oid: string, image: number): string => (image === 0 ? `p:${oid}` : `p:${oid}#${image}`),
  /** A file by FOID hex. */
  file: (foidHex: string): string => `f:${foidHex}`,
  /** A network peer. */
  endpoint: (proto: string, role: string, ip: string, port: number): string =>
    `n:${proto}:${role}:${ip}:${port}`,
  /** A container by id. */
  container: (id: string): string => `c:${id}`,
  /** A pod by id. */
  pod: (id: string): string => `k:${id}`,
};

/** A network peer as the builder keys it: `server` (dest) for connects, `client` (source) for accepts. */
export function endpointOf(
  opFlags: number,
  protoNum: number,
  sip: number,
  dip: number,
  dport: number,
): { key: string; proto: string; ip: string; port: number; role: 'server' | 'client'; label: string } {
  const proto = protoNum === 6 ? 'tcp' : protoNum === 17 ? 'udp' : String(protoNum);
  const accepted = (opFlags & OP_ACCEPT) !== 0 && (opFlags & OP_CONNECT) === 0;
  const role = accepted ? 'client' : 'server';
  const ip = formatIPv4(accepted ? sip : dip);
  const label = accepted ? `${proto} ${ip} → :${dport}` : `${proto} ${ip}:${dport}`;
  return { key: nodeKey.endpoint(proto, role, ip, dport), proto, ip, port: dport, role, label };
}

const OP_CONNECT = 1 << 6;
const OP_ACCEPT = 1 << 5;

/** The key of the edge of `kind` from `source` to `target`. */
export function edgeKey(kind: EdgeKind, source: string, target: string): string {
  return `${kind}:${source}>${target}`;
}

/** SysFlow operation flag bits as names, e.g. `['OPEN', 'READ_RECV', 'CLOSE']`. */
export function opNames(flags: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < OP_FLAGS.length; bit++) if (flags & (1 << bit)) out.push(OP_FLAGS[bit]!);
  return out;
}

/**
 * A provenance graph over SysFlow records. `graph` is a graphology `DirectedGraph` keyed by
 * {@link nodeKey} / {@link edgeKey}, with {@link GraphNode} and {@link GraphEdge} attributes.
 */
export class ProvenanceGraph {
  /** Nodes and edges. */
  readonly graph: DirectedGraph<GraphNode, GraphEdge>;
  /** Alerts attached to nodes and edges, in match order. */
  readonly alerts: GraphAlert[] = [];
  /** Process OID (`"createTS:hpid"`) → its image node keys, in exec order. */
  readonly images = new Map<string, string[]>();
  /** Graphlets, after `computeGraphlets` (empty before). */
  graphlets: Graphlet[] = [];
  /** What the builder saw. */
  readonly meta: GraphMeta;

  constructor(graph = new DirectedGraph<GraphNode, GraphEdge>(), meta?: Partial<GraphMeta>) {
    this.graph = graph;
    this.meta = { records: 0, unresolved: 0, first: null, last: null, exporter: '', filename: '', ...meta };
  }

  /** Attributes of a node (throws for an unknown key, like graphology). */
  node(key: string): GraphNode {
    return this.graph.getNodeAttributes(key);
  }

  /** Keys of the nodes of one kind. */
  nodesOf(kind: NodeKind): string[] {
    return this.graph.filterNodes((_k, a) => a.kind === kind);
  }

  /** The image node of a process (OID `"createTS:hpid"`) current at time `ts` (default: the last one). */
  processImage(oid: string, ts?: bigint): string | undefined {
    const list = this.images.get(oid);
    if (!list || list.length === 0) return undefined;
    if (ts === undefined || list.length === 1) return list[list.length - 1];
    for (let i = list.length - 1; i > 0; i--) {
      const a = this.graph.getNodeAttributes(list[i]!) as ProcessNode;
      if (a.start <= ts) return list[i];
    }
    return list[0];
  }

  /** Process nodes whose pid is `pid` (every image of every process that had it). */
  processesByPid(pid: number): string[] {
    return this.graph.filterNodes((_k, a) => a.kind === 'process' && a.pid === pid);
  }

  /** The process parent (clone) or previous image (exec) of a process node. */
  parentOf(key: string): string | undefined {
    for (const e of this.graph.inEdges(key)) {
      const kind = this.graph.getEdgeAttribute(e, 'kind');
      if (kind === 'clone' || kind === 'exec') return this.graph.source(e);
    }
    return undefined;
  }

  /** Process children (clone) and next images (exec) of a process node. */
  childrenOf(key: string): string[] {
    const out: string[] = [];
    for (const e of this.graph.outEdges(key)) {
      const kind = this.graph.getEdgeAttribute(e, 'kind');
      if (kind === 'clone' || kind === 'exec') out.push(this.graph.target(e));
    }
    return out;
  }

  /**
   * A new graph with the given nodes and the edges between them (all of them, or those `edges` keeps),
   * with copies of their attributes, the alerts that touch a kept node and the graphlets restricted to it.
   */
  subgraph(nodes: Iterable<string>, edges?: (key: string, attrs: GraphEdge) => boolean): ProvenanceGraph {
    const keep = new Set(nodes);
    const out = new ProvenanceGraph(undefined, { ...this.meta });
    for (const k of keep) {
      if (!this.graph.hasNode(k)) continue;
      const a = this.graph.getNodeAttributes(k);
      out.graph.addNode(k, { ...a, alerts: [...a.alerts] });
    }
    this.graph.forEachEdge((key, attrs, source, target) => {
      if (!keep.has(source) || !keep.has(target)) return;
      if (edges && !edges(key, attrs)) return;
      out.graph.addDirectedEdgeWithKey(key, source, target, copyEdge(attrs));
    });
    for (const [oid, list] of this.images) {
      const kept = list.filter((k) => out.graph.hasNode(k));
      if (kept.length) out.images.set(oid, kept);
    }
    for (const alert of this.alerts) {
      const ns = alert.nodes.filter((k) => out.graph.hasNode(k));
      if (ns.length === 0) continue;
      out.alerts.push({ ...alert, nodes: ns, edges: alert.edges.filter((k) => out.graph.hasEdge(k)) });
    }
    out.graphlets = this.graphlets
      .map((g) => ({
        ...g,
        roots: g.roots.filter((k) => keep.has(k)),
        nodes: g.nodes.filter((k) => keep.has(k)),
        alerts: g.alerts.filter((id) => out.alerts.some((a) => a.id === id)),
      }))
      .filter((g) => g.nodes.length > 0)
      .map((g) => ({
        ...g,
        processes: g.nodes.filter((k) => out.graph.getNodeAttribute(k, 'kind') === 'process').length,
      }));
    return out;
  }

  /** Id → alert. */
  alert(id: string): GraphAlert | undefined {
    return this.alerts.find((a) => a.id === id);
  }
}
