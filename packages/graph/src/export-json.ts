/** JSON export, in the shape `schema/graph.schema.json` documents. */
import { opNames, type ProvenanceGraph } from './graph.js';
import { type TrafficOptions, type TrafficSeries, trafficByProcess } from './traffic.js';
import type { GraphNode } from './types.js';

/** Format name in every export. */
export const GRAPH_JSON_FORMAT = 'sysray-graph';
/** Version of the JSON shape. */
export const GRAPH_JSON_VERSION = 1;

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Options of {@link graphToJSON} and {@link exportJSON}. */
export interface JsonExportOptions {
  /** Include per-process traffic series (default `true`); an object sets their options. */
  traffic?: boolean | (TrafficOptions & { top?: number });
  /** Indentation of {@link exportJSON} (default none). */
  indent?: number;
}

const ns = (t: bigint | null): string | null => (t === null ? null : t.toString());
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function nodeJSON(id: string, a: GraphNode): { [key: string]: Json } {
  const base: { [key: string]: Json } = {
    id,
    kind: a.kind,
    label: a.label,
    start: ns(a.start),
    end: ns(a.end),
    count: a.count,
    graphlet: a.graphlet,
    alerts: [...a.alerts],
  };
  switch (a.kind) {
    case 'process':
      return {
        ...base,
        oid: a.oid,
        pid: a.pid,
        image: a.image,
        exe: a.exe,
        args: a.args,
        uid: a.uid,
        user: a.user,
        gid: a.gid,
        container: a.container,
        tty: a.tty,
        entry: a.entry,
        cwd: a.cwd,
        exitCode: a.exitCode,
        ops: opNames(a.opFlags),
      };
    case 'file':
      return { ...base, foid: a.foid, path: a.path, restype: a.restype, container: a.container };
    case 'endpoint':
      return { ...base, proto: a.proto, ip: a.ip, port: a.port, role: a.role };
    case 'container':
      return {
        ...base,
        containerId: a.id,
        name: a.name,
        image: a.image,
        runtime: a.runtime,
        privileged: a.privileged,
        pod: a.pod,
      };
    case 'pod':
      return { ...base, podId: a.id, name: a.name, namespace: a.namespace, nodeName: a.nodeName };
  }
}

/** A traffic series as JSON (times as decimal ns strings). */
export function trafficToJSON(t: TrafficSeries): { [key: string]: Json } {
  const p = t.periodicity;
  return {
    process: t.process,
    label: t.label,
    binStart: ns(t.binStart),
    binWidth: ns(t.binWidth),
    ingress: t.ingress.map((x) => Math.round(x)),
    egress: t.egress.map((x) => Math.round(x)),
    totalIn: t.totalIn,
    totalOut: t.totalOut,
    periodicity: {
      score: p.score,
      events: p.events,
      meanInterval: p.meanInterval,
      cv: finite(p.cv),
      autocorrelation: p.autocorrelation,
      period: p.period,
      beaconing: p.beaconing,
    },
    flows: t.flows.map((f) => ({
      endpoint: f.endpoint,
      start: ns(f.start),
      end: ns(f.end),
      bytesIn: f.bytesIn,
      bytesOut: f.bytesOut,
    })),
  };
}

/**
 * The graph as a JSON object: `{ format, version, meta, nodes, edges, graphlets, alerts, traffic }`.
 * Timestamps are decimal strings of ns since the epoch (they exceed 2^53); see `schema/graph.schema.json`.
 */
export function graphToJSON(pg: ProvenanceGraph, options: JsonExportOptions = {}): { [key: string]: Json } {
  const g = pg.graph;
  const nodes: Json[] = [];
  g.forEachNode((k, a) => {
    nodes.push(nodeJSON(k, a));
  });
  const edges: Json[] = [];
  g.forEachEdge((k, a, source, target) => {
    edges.push({
      id: k,
      kind: a.kind,
      source,
      target,
      start: ns(a.start),
      end: ns(a.end),
      ops: opNames(a.opFlags),
      records: a.records,
      bytesIn: a.bytesIn,
      bytesOut: a.bytesOut,
      opsIn: a.opsIn,
      opsOut: a.opsOut,
      alerts: [...a.alerts],
    });
  });
  const trafficOpt = options.traffic ?? true;
  const traffic =
    trafficOpt === false
      ? []
      : trafficByProcess(pg, trafficOpt === true ? {} : trafficOpt).map(trafficToJSON);
  const m = pg.meta;
  return {
    format: GRAPH_JSON_FORMAT,
    version: GRAPH_JSON_VERSION,
    meta: {
      records: m.records,
      unresolved: m.unresolved,
      first: ns(m.first),
      last: ns(m.last),
      exporter: m.exporter,
      filename: m.filename,
    },
    nodes,
    edges,
    graphlets: pg.graphlets.map((gl) => ({
      id: gl.id,
      container: gl.container,
      label: gl.label,
      roots: [...gl.roots],
      nodes: [...gl.nodes],
      processes: gl.processes,
      alerts: [...gl.alerts],
    })),
    alerts: pg.alerts.map((a) => ({
      id: a.id,
      rule: a.rule,
      priority: a.priority,
      tags: [...a.tags],
      mitre: [...a.mitre],
      time: ns(a.time),
      output: a.output,
      outputFields: { ...a.outputFields },
      nodes: [...a.nodes],
      edges: [...a.edges],
      graphlet: a.graphlet,
    })),
    traffic,
  };
}

/** The graph as JSON text (see {@link graphToJSON}). */
export function exportJSON(pg: ProvenanceGraph, options: JsonExportOptions = {}): string {
  return JSON.stringify(graphToJSON(pg, options), null, options.indent);
}
