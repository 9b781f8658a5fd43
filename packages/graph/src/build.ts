/** One-call graph building from records or a `.sf` file, with rules and a query: what the CLI calls. */
import type { FieldSet, Ruleset, RulesInput } from '@sysray/falco-rules';
import {
  type ReadOptions,
  readSysFlowBatches,
  SysFlowEntityTables,
  type SysFlowRecord,
  type SysFlowSource,
} from '@sysray/sysflow-format';
import { type BuilderOptions, GraphBuilder } from './builder.js';
import { defaultFieldSets } from './fieldsets.js';
import type { ProvenanceGraph } from './graph.js';
import { computeGraphlets } from './graphlets.js';
import { AlertLabeler, type LabelOptions, loadGraphRules, type SysFlowEvent } from './labels.js';
import { expandQuery, QueryCollector, type QueryOptions } from './query.js';

/** Options of {@link buildGraph} and {@link buildGraphFromFile}. */
export interface BuildGraphOptions extends BuilderOptions, QueryOptions, LabelOptions {
  /**
   * Field sets the rules and the query are compiled against. Default: the `sf.*` field set of
   * `@sysray/sysflow-format` when it provides one.
   */
  fieldSets?: readonly FieldSet<SysFlowEvent>[];
  /** Falco rules: file paths, `{ name, content }` inputs, or a compiled ruleset. */
  rules?: string | readonly (string | RulesInput)[] | Ruleset<SysFlowEvent>;
  /** A Falco condition over the field sets: selects the records of {@link GraphBuildResult.query}. */
  query?: string;
}

/** What {@link buildGraph} returns. */
export interface GraphBuildResult {
  /** The whole graph, graphlets computed, alerts attached. */
  graph: ProvenanceGraph;
  /** With a query: the matching subgraph with lineage (see `expandQuery`). */
  query?: ProvenanceGraph;
  /** With a query: how many records it matched. */
  queryMatches?: number;
}

function fieldSetsFor(options: BuildGraphOptions): readonly FieldSet<SysFlowEvent>[] {
  const sets = options.fieldSets ?? defaultFieldSets();
  if (sets.length === 0) {
    throw new Error(
      'rules and queries need field sets: pass options.fieldSets (no sf.* field set is available from @sysray/sysflow-format)',
    );
  }
  return sets;
}

/** Builder, labeler and query collector of one build. */
class Pipeline {
  readonly builder: GraphBuilder;
  private readonly labeler: AlertLabeler | undefined;
  private readonly collector: QueryCollector | undefined;
  private readonly tables = new SysFlowEntityTables();

  constructor(private readonly options: BuildGraphOptions) {
    this.builder = new GraphBuilder(options);
    const rs = options.rules;
    if (rs !== undefined) {
      const ruleset =
        typeof rs === 'object' && 'rules' in rs && 'evaluate' in rs
          ? rs
          : loadGraphRules(
              typeof rs === 'string' ? [rs] : (rs as readonly (string | RulesInput)[]),
              fieldSetsFor(options),
            );
      this.labeler = new AlertLabeler(this.builder.result, ruleset, options);
    }
    if (options.query !== undefined) {
      this.collector = new QueryCollector(options.query, fieldSetsFor(options), options.window);
    }
  }

  /** Adds a raw record (resolved against this build's tables). */
  raw(record: SysFlowRecord): void {
    this.tables.add(record);
    const r: SysFlowEvent = this.tables.resolve(record);
    r.tables = this.tables;
    this.resolved(r);
  }

  /** Adds a resolved record. */
  resolved(r: SysFlowEvent): void {
    const refs = this.builder.add(r);
    this.labeler?.label(r, refs);
    this.collector?.offer(r, refs);
  }

  finish(): GraphBuildResult {
    const pg = this.builder.result;
    computeGraphlets(pg);
    const result: GraphBuildResult = { graph: pg };
    if (this.collector) {
      result.query = expandQuery(pg, this.collector.seeds, this.options);
      result.queryMatches = this.collector.matches;
    }
    return result;
  }
}

/**
 * Builds the graph from resolved records (`resolveSysFlow(...)`, `resolveRecords(...)`) or raw
 * records (resolved here), streaming: rules label each record as it is added, the query collects
 * matches, and graphlets are computed at the end.
 */
export async function buildGraph(
  records: Iterable<SysFlowEvent | SysFlowRecord> | AsyncIterable<SysFlowEvent | SysFlowRecord>,
  options: BuildGraphOptions = {},
): Promise<GraphBuildResult> {
  const p = new Pipeline(options);
  for await (const item of records) {
    if ('record' in item) p.resolved(item);
    else p.raw(item);
  }
  return p.finish();
}

/**
 * Reads a `.sf` file (path, URL, bytes or stream) block by block and builds its graph: what
 * `sysray graph FILE.sf [--rules R.yaml] [--query 'COND']` calls before `exportGraph`.
 *
 * @example
 * ```ts
 * const result = await buildGraphFromFile('shellshock.sf', { query: "sf.proc.exe = /bin/bash" });
 * writeFileSync('graph.html', exportGraph(result, 'html'));
 * ```
 */
export async function buildGraphFromFile(
  source: SysFlowSource,
  options: BuildGraphOptions & ReadOptions = {},
): Promise<GraphBuildResult> {
  const p = new Pipeline(options);
  for await (const batch of readSysFlowBatches(source, options)) {
    for (const record of batch.records) p.raw(record);
  }
  return p.finish();
}
