/** Queries: a Falco condition over `sf.*` fields selects records; the result is their subgraph with lineage. */
import { compileCondition, type FieldSet, type Predicate } from '@sysray/falco-rules';
import { oidKey, SysFlowEntityTables, type SysFlowRecord, toHex } from '@sysray/sysflow-format';
import type { RecordRefs } from './builder.js';
import { edgeKey, endpointOf, nodeKey, type ProvenanceGraph } from './graph.js';
import { isEntity, recordTime, type SysFlowEvent } from './labels.js';

/** A time window, ns since the epoch; an open side is unbounded. */
export interface TimeWindow {
  /** Earliest time (inclusive). */
  start?: bigint;
  /** Latest time (inclusive). */
  end?: bigint;
}

/** Options of {@link expandQuery} and {@link queryGraph}. */
export interface QueryOptions {
  /** Clone/exec steps to follow up and down from each matched process (default: unbounded). */
  depth?: number;
  /** Steps up to ancestors (default `depth`). */
  ancestorDepth?: number;
  /** Steps down to descendants (default `depth`). */
  descendantDepth?: number;
  /**
   * Only records in the window match; descendants and file/network edges outside it are left out.
   * Ancestors are kept whatever their times: they are the lineage of what matched.
   */
  window?: TimeWindow;
}

/** Compiles a query condition (no macros or lists) against field sets; throws a `RuleError` on a bad one. */
export function compileQuery(
  condition: string,
  fieldSets: readonly FieldSet<SysFlowEvent>[],
): Predicate<SysFlowEvent> {
  return compileCondition(condition, fieldSets);
}

function inWindow(start: bigint, end: bigint, w: TimeWindow | undefined): boolean {
  if (!w) return true;
  if (w.start !== undefined && end < w.start) return false;
  if (w.end !== undefined && start > w.end) return false;
  return true;
}

function recordEnd(r: SysFlowEvent): bigint {
  const rec = r.record.rec as { endTs?: bigint };
  return typeof rec.endTs === 'bigint' ? rec.endTs : recordTime(r);
}

/**
 * Collects the records a condition selects while a graph is built (the builder's {@link RecordRefs}
 * of each match), for {@link expandQuery}.
 */
export class QueryCollector {
  /** Nodes and edges of the records matched so far. */
  readonly seeds: RecordRefs = { nodes: [], edges: [] };
  /** Records matched. */
  matches = 0;
  private readonly test: Predicate<SysFlowEvent>;

  constructor(
    condition: string | Predicate<SysFlowEvent>,
    fieldSets: readonly FieldSet<SysFlowEvent>[],
    private readonly window?: TimeWindow,
  ) {
    this.test = typeof condition === 'string' ? compileQuery(condition, fieldSets) : condition;
  }

  /** Tests one flow or event record (entity records never match); when it matches (inside the window), remembers its nodes and edges. */
  offer(r: SysFlowEvent, refs: RecordRefs): boolean {
    if (refs.nodes.length === 0 || isEntity(r)) return false;
    if (!inWindow(recordTime(r), recordEnd(r), this.window)) return false;
    if (!this.test(r)) return false;
    this.matches++;
    this.seeds.nodes.push(...refs.nodes);
    this.seeds.edges.push(...refs.edges);
    return true;
  }
}

/**
 * The subgraph of the seeds (matched nodes and edges), plus, from every matched process, its
 * ancestors and descendants along clone/exec edges to the given depths, the file/network edges of
 * the matched and descendant processes (within the window) with their files and endpoints, and the
 * containers and pods that contain kept processes.
 */
export function expandQuery(
  pg: ProvenanceGraph,
  seeds: RecordRefs,
  options: QueryOptions = {},
): ProvenanceGraph {
  const g = pg.graph;
  const up = options.ancestorDepth ?? options.depth ?? Number.POSITIVE_INFINITY;
  const down = options.descendantDepth ?? options.depth ?? Number.POSITIVE_INFINITY;
  const w = options.window;
  const keep = new Set<string>();
  const keepEdges = new Set<string>();
  const active = new Set<string>(); // processes whose flows are kept
  for (const k of seeds.nodes) if (g.hasNode(k)) keep.add(k);
  for (const e of seeds.edges) if (g.hasEdge(e)) keepEdges.add(e);
  const seedProcs = [...keep].filter((k) => g.getNodeAttribute(k, 'kind') === 'process');
  for (const p of seedProcs) active.add(p);
  // Ancestors.
  for (const p of seedProcs) {
    let cur = p;
    for (let d = 0; d < up; d++) {
      const parent = pg.parentOf(cur);
      if (parent === undefined) break;
      keep.add(parent);
      cur = parent;
    }
  }
  // Descendants (breadth-first).
  let frontier = seedProcs;
  for (let d = 0; d < down && frontier.length; d++) {
    const next: string[] = [];
    for (const p of frontier) {
      for (const c of pg.childrenOf(p)) {
        if (active.has(c)) continue;
        const a = g.getNodeAttributes(c);
        if (!inWindow(a.start, a.end, w)) continue;
        keep.add(c);
        active.add(c);
        next.push(c);
      }
    }
    frontier = next;
  }
  for (const p of active) {
    for (const e of g.outEdges(p)) {
      const a = g.getEdgeAttributes(e);
      if ((a.kind === 'file' || a.kind === 'network') && inWindow(a.start, a.end, w)) {
        keep.add(g.target(e));
        keepEdges.add(e);
      }
    }
  }
  // Containers and pods of kept processes.
  for (const k of [...keep]) {
    for (const e of g.inEdges(k)) {
      if (g.getEdgeAttribute(e, 'kind') !== 'contains') continue;
      const c = g.source(e);
      keep.add(c);
      for (const pe of g.inEdges(c))
        if (g.getEdgeAttribute(pe, 'kind') === 'contains') keep.add(g.source(pe));
    }
  }
  return pg.subgraph(
    keep,
    (key, a) => a.kind === 'clone' || a.kind === 'exec' || a.kind === 'contains' || keepEdges.has(key),
  );
}

/**
 * The nodes and edges a record maps to in an already built graph (what the builder returned for it),
 * without changing the graph. Entity records map to their own node.
 */
export function locateRecord(pg: ProvenanceGraph, r: SysFlowEvent): RecordRefs {
  const g = pg.graph;
  const refs: RecordRefs = { nodes: [], edges: [] };
  const rec: SysFlowRecord = r.record;
  const push = (k: string) => {
    if (g.hasNode(k)) refs.nodes.push(k);
  };
  switch (rec.type) {
    case 'SFHeader':
    case 'K8sEvent':
      return refs;
    case 'Pod':
      push(nodeKey.pod(rec.rec.id));
      return refs;
    case 'Container':
      push(nodeKey.container(rec.rec.id));
      return refs;
    case 'File':
      push(nodeKey.file(toHex(rec.rec.oid)));
      return refs;
    case 'Process': {
      const k = pg.processImage(oidKey(rec.rec.oid), rec.rec.ts);
      if (k) push(k);
      return refs;
    }
    default:
      break;
  }
  const proc = pg.processImage(oidKey(rec.rec.procOID), rec.rec.ts);
  if (!proc) return refs;
  push(proc);
  const to = (kind: 'file' | 'network', target: string) => {
    push(target);
    const e = edgeKey(kind, proc, target);
    if (g.hasEdge(e)) refs.edges.push(e);
  };
  switch (rec.type) {
    case 'FileFlow':
      to('file', nodeKey.file(toHex(rec.rec.fileOID)));
      break;
    case 'FileEvent':
      to('file', nodeKey.file(toHex(rec.rec.fileOID)));
      if (rec.rec.newFileOID) to('file', nodeKey.file(toHex(rec.rec.newFileOID)));
      break;
    case 'NetworkFlow':
    case 'NetworkEvent': {
      const f = rec.rec;
      to('network', endpointOf(f.opFlags, f.proto, f.sip, f.dip, f.dport).key);
      break;
    }
    default:
      break;
  }
  return refs;
}

/**
 * Runs a query over records against a graph already built from them: each record the condition
 * selects (inside the window) is located in the graph ({@link locateRecord}) and the result is
 * {@link expandQuery} of those. `records` are resolved records (`resolveSysFlow(path)`), or raw
 * records, which are resolved here.
 */
export async function queryGraph(
  pg: ProvenanceGraph,
  records: Iterable<SysFlowEvent | SysFlowRecord> | AsyncIterable<SysFlowEvent | SysFlowRecord>,
  condition: string | Predicate<SysFlowEvent>,
  fieldSets: readonly FieldSet<SysFlowEvent>[],
  options: QueryOptions = {},
): Promise<{ graph: ProvenanceGraph; matches: number }> {
  const collector = new QueryCollector(condition, fieldSets, options.window);
  const tables = new SysFlowEntityTables();
  for await (const item of records) {
    let r: SysFlowEvent;
    if ('record' in item) r = item;
    else {
      tables.add(item);
      r = tables.resolve(item);
      r.tables = tables;
    }
    collector.offer(r, locateRecord(pg, r));
  }
  return { graph: expandQuery(pg, collector.seeds, options), matches: collector.matches };
}
