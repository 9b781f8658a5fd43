/**
 * `@sysray/graph`: provenance graphs over SysFlow records — a streaming builder (processes, files,
 * endpoints, containers, pods; clone/exec, file, network edges with time ranges) on graphology,
 * per-container / per-process-tree graphlets compacted as SysFlow does, alert labels from Falco rules
 * over `sf.*` fields, Falco-condition queries with lineage, per-process traffic with a beaconing
 * score, and JSON (with a JSON Schema), Graphviz DOT and self-contained interactive HTML exports.
 *
 * @packageDocumentation
 */
export { type BuildGraphOptions, buildGraph, buildGraphFromFile, type GraphBuildResult } from './build.js';
export { type BuilderOptions, GraphBuilder, type RecordRefs } from './builder.js';
export { compactGraph } from './compact.js';
export {
  type ExportGraphOptions,
  exportGraph,
  GRAPH_FORMATS,
  type GraphFormat,
  graphToExport,
} from './export.js';
export { type DotExportOptions, dotString, exportDot } from './export-dot.js';
export { exportHtml, type HtmlExportOptions, scriptSafeJSON } from './export-html.js';
export {
  exportJSON,
  GRAPH_JSON_FORMAT,
  GRAPH_JSON_VERSION,
  graphToJSON,
  type Json,
  type JsonExportOptions,
  trafficToJSON,
} from './export-json.js';
export { defaultFieldSets } from './fieldsets.js';
export {
  edgeKey,
  endpointOf,
  type Graphlet,
  type GraphMeta,
  nodeKey,
  opNames,
  ProvenanceGraph,
} from './graph.js';
export { computeGraphlets, graphletSubgraph } from './graphlets.js';
export {
  AlertLabeler,
  isEntity,
  type LabelOptions,
  loadGraphRules,
  mitreIds,
  recordTime,
  type SysFlowEvent,
} from './labels.js';
export {
  compileQuery,
  expandQuery,
  locateRecord,
  QueryCollector,
  type QueryOptions,
  queryGraph,
  type TimeWindow,
} from './query.js';
export {
  type PeriodicityOptions,
  type PeriodicityScore,
  periodicity,
  processTraffic,
  type TrafficFlow,
  type TrafficOptions,
  type TrafficSeries,
  trafficByProcess,
} from './traffic.js';
export type * from './types.js';
