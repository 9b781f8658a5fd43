/** Alert labels: Falco rules over `sf.*` fields, attached to the nodes and edges of the records they matched. */
import { readFileSync } from 'node:fs';
import {
  createAlert,
  diagnosticToError,
  type FieldSet,
  loadRules,
  RuleError,
  type Ruleset,
  type RulesInput,
} from '@sysray/falco-rules';
import type { ResolvedSysFlowRecord, SysFlowEntityTables } from '@sysray/sysflow-format';
import type { RecordRefs } from './builder.js';
import type { ProvenanceGraph } from './graph.js';
import type { GraphAlert } from './types.js';

/**
 * The event type rules and queries run on: a SysFlow record with its resolved entities, and the
 * entity tables (for the ancestor fields such as `sf.proc.aname`), as the `sf.*` field set reads it.
 */
export interface SysFlowEvent extends ResolvedSysFlowRecord {
  /** Entity tables the record was resolved against. */
  tables?: SysFlowEntityTables | undefined;
}

const MITRE_ID = /^T\d{4}(?:\.\d{3})?$/i;

/** MITRE ATT&CK technique ids among rule tags (`T1059`, `t1059.004` → `T1059.004`), in tag order. */
export function mitreIds(tags: readonly string[]): string[] {
  return tags.filter((t) => MITRE_ID.test(t)).map((t) => t.toUpperCase());
}

const ENTITIES = new Set(['SFHeader', 'Container', 'Process', 'File', 'Pod']);

/**
 * Entity records (header, container, process, file, pod) describe what flows and events refer to;
 * rules and queries run on flows and events only, as in SysFlow's policy engine.
 */
export function isEntity(r: SysFlowEvent): boolean {
  return ENTITIES.has(r.record.type);
}

/** The time of a record: its `ts` (entities without one, like headers and containers, give 0). */
export function recordTime(r: SysFlowEvent): bigint {
  const rec = r.record.rec as { ts?: bigint };
  return typeof rec.ts === 'bigint' ? rec.ts : 0n;
}

/**
 * Loads Falco rules files (paths, or `{ name, content }` inputs) against field sets and returns the
 * ruleset. Throws a `RuleError` carrying the first error's diagnostic (file, line, column) when the
 * files do not load.
 */
export function loadGraphRules(
  rules: readonly (string | RulesInput)[],
  fieldSets: readonly FieldSet<SysFlowEvent>[],
): Ruleset<SysFlowEvent> {
  const inputs: RulesInput[] = [];
  for (const r of rules) {
    if (typeof r !== 'string') inputs.push(r);
    else inputs.push({ name: r, content: readFileSync(r, 'utf8') });
  }
  const result = loadRules(inputs, { fieldSets });
  if (!result.ok || !result.ruleset) {
    const first = result.diagnostics.find((d) => d.level === 'error');
    throw first ? diagnosticToError(first) : new RuleError('LOAD_ERR_VALIDATE', 'rules failed to load');
  }
  return result.ruleset;
}

/** Options of {@link AlertLabeler}. */
export interface LabelOptions {
  /** Event source of the field sets the rules were compiled with (default: the rules' own sources; `syscall` if none). */
  source?: string;
  /** Host name in the alerts (default: the header's exporter). */
  hostname?: string;
  /** Every matching rule alerts (default `true`); `false`: only the first, as Falco's `rule_matching: first`. */
  all?: boolean;
}

/**
 * Runs a ruleset over each record as the graph is built and attaches an alert for every match to the
 * record's nodes and edges ({@link RecordRefs}), with the rule's tags and their MITRE ATT&CK ids.
 * `computeGraphlets` later gives each alert the id of its graphlet.
 */
export class AlertLabeler {
  private readonly sources: string[];
  private readonly all: boolean;

  constructor(
    private readonly pg: ProvenanceGraph,
    private readonly ruleset: Ruleset<SysFlowEvent>,
    private readonly options: LabelOptions = {},
  ) {
    this.sources = options.source
      ? [options.source]
      : [...new Set(ruleset.rules.map((r) => r.source))]
          .sort()
          .concat(ruleset.rules.length ? [] : ['syscall']);
    this.all = options.all ?? true;
  }

  /** Evaluates the rules on one record and attaches the alerts; returns them. */
  label(r: SysFlowEvent, refs: RecordRefs): GraphAlert[] {
    if (refs.nodes.length === 0 || isEntity(r)) return [];
    const out: GraphAlert[] = [];
    for (const source of this.sources) {
      const rules = this.all
        ? this.ruleset.evaluateAll(r, { source })
        : [this.ruleset.evaluate(r, { source })].filter((x) => x !== undefined);
      for (const rule of rules) {
        const alert = createAlert(rule, r, {
          timestamp: recordTime,
          hostname: this.options.hostname ?? this.pg.meta.exporter,
        });
        const ga: GraphAlert = {
          id: `a${this.pg.alerts.length + 1}`,
          rule: alert.rule,
          priority: alert.priority,
          tags: alert.tags,
          mitre: mitreIds(alert.tags),
          time: recordTime(r),
          output: alert.output,
          outputFields: alert.output_fields,
          nodes: [...refs.nodes],
          edges: [...refs.edges],
          graphlet: '',
        };
        this.pg.alerts.push(ga);
        for (const k of refs.nodes) this.pg.graph.getNodeAttributes(k).alerts.push(ga.id);
        for (const k of refs.edges) this.pg.graph.getEdgeAttributes(k).alerts.push(ga.id);
        out.push(ga);
      }
    }
    return out;
  }
}
