/** One entry point for every export format: what `sysray graph … --format F -o OUT` writes. */
import type { GraphBuildResult } from './build.js';
import { compactGraph } from './compact.js';
import { type DotExportOptions, exportDot } from './export-dot.js';
import { exportHtml, type HtmlExportOptions } from './export-html.js';
import { exportJSON, type JsonExportOptions } from './export-json.js';
import { ProvenanceGraph } from './graph.js';
import { graphletSubgraph } from './graphlets.js';

/** Export formats. */
export type GraphFormat = 'json' | 'dot' | 'html';

/** Export formats, for argument checking. */
export const GRAPH_FORMATS: readonly GraphFormat[] = ['json', 'dot', 'html'];

/** Options of {@link exportGraph}. */
export interface ExportGraphOptions extends JsonExportOptions, HtmlExportOptions, DotExportOptions {
  /** Export only this graphlet (an id from `graph.graphlets`, e.g. `container:<id>`); throws if unknown. */
  graphlet?: string;
  /** Compact the graph first (`compactGraph`: repeated siblings merged, flows aggregated); default `true`. */
  compact?: boolean;
}

/**
 * The graph {@link exportGraph} renders: a graph, or a {@link GraphBuildResult}'s query subgraph when it has
 * one (else its whole graph), optionally one graphlet of it, compacted unless `compact: false`. Throws for an
 * unknown graphlet.
 */
export function graphToExport(
  input: GraphBuildResult | ProvenanceGraph,
  options: Pick<ExportGraphOptions, 'graphlet' | 'compact'> = {},
): ProvenanceGraph {
  let pg = input instanceof ProvenanceGraph ? input : (input.query ?? input.graph);
  if (options.graphlet !== undefined) {
    const sub = graphletSubgraph(pg, options.graphlet);
    if (!sub) {
      const known = pg.graphlets.map((g) => g.id).join(', ');
      throw new Error(`no graphlet '${options.graphlet}' (graphlets: ${known || 'none'})`);
    }
    pg = sub;
  }
  return (options.compact ?? true) ? compactGraph(pg) : pg;
}

/**
 * Renders a graph, or a {@link GraphBuildResult} (its query subgraph when it has one, else the whole
 * graph), optionally one graphlet of it, as `json`, `dot` or `html` text; compacted unless
 * `compact: false` (see {@link graphToExport}).
 */
export function exportGraph(
  input: GraphBuildResult | ProvenanceGraph,
  format: GraphFormat,
  options: ExportGraphOptions = {},
): string {
  const pg = graphToExport(input, options);
  switch (format) {
    case 'json':
      return `${exportJSON(pg, options)}\n`;
    case 'dot':
      return exportDot(pg, options);
    case 'html':
      return exportHtml(pg, options);
    default:
      throw new Error(`unknown graph format '${String(format)}' (expected ${GRAPH_FORMATS.join(', ')})`);
  }
}
