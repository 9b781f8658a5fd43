/** Running a SysFlow policy over a `.sf` stream: `sysray policy run POLICY.yaml FILE.sf`. */
import { formatIsoNanos, type Priority } from '@sysray/falco-rules';
import type { ReadOptions } from '../block-decoder.js';
import type { SysFlowSource } from '../byte-source.js';
import type { SysFlowFieldEvent } from '../fields/fieldset.js';
import { recordToJSON, type SysFlowRecordJSON } from '../json.js';
import { SYSFLOW_TYPE_TAGS } from '../print.js';
import { resolveSysFlow, SysFlowEntityTables } from '../resolve.js';
import type { SysFlowRecord } from '../types.js';
import {
  loadSysFlowPolicyFiles,
  type PolicyLoadOptions,
  type PolicyRule,
  policyLoadError,
  SysFlowPolicy,
} from './load.js';
import type { SysFlowPriority } from './scan.js';

/** One rule that matched a record, in {@link PolicyAlert.rules}. */
export interface PolicyRuleMatch {
  /** Rule name. */
  rule: string;
  /** Rule description. */
  desc: string;
  /** SysFlow priority: `low`, `medium` or `high`. */
  priority: SysFlowPriority;
  /** Falco priority the rule was loaded as (`Notice`, `Warning`, `Error`, or as written). */
  severity: Priority;
  /** Rule tags, sorted (MITRE ids such as `mitre:T1059` among them). */
  tags: string[];
  /** Rule actions (`alert`, `tag`, `hash`); empty when the rule names none (an alert). */
  actions: string[];
  /** The rule's output with its fields substituted (`<NA>` when a field cannot be extracted). */
  output: string;
  /** Every field of the output with its value (`null` when missing). */
  output_fields: Record<string, string | number | boolean | null>;
  /** Policy file and 1-based line of the rule. */
  file: string;
  line: number;
}

/**
 * What {@link runPolicy} yields (one JSON object per line for `sysray policy run --json`): a
 * record that matched at least one rule (`'alert'` mode), or every record that no filter dropped
 * (`'filter'` mode, `rules` possibly empty). Every value is JSON-safe (longs as decimal strings).
 */
export interface PolicyAlert {
  /** 0-based position of the record among all records of the stream. */
  recordIndex: number;
  /** Record type (`sf.type`): PE, PF, NE, NF, FE, FF, … */
  type: string;
  /** Record time (`sf.ts`), ns since the epoch as a decimal string; `''` when the record has none. */
  ts: string;
  /** The same time as ISO 8601 with nanoseconds (UTC); `''` when none. */
  time: string;
  /** Whether any matching rule is an alert (has the `alert` action or no action). */
  alert: boolean;
  /** Highest priority among the matching rules (`low` when none matched). */
  priority: SysFlowPriority;
  /** Union of the matching rules' tags, sorted. */
  tags: string[];
  /** The matching rules, in policy order. */
  rules: PolicyRuleMatch[];
  /** The record as `recordToJSON` gives it (`{ type, rec }`). */
  record: SysFlowRecordJSON;
  /** Process, parent, container and file of the record, when resolved. */
  context: {
    pid: string | null;
    exe: string | null;
    args: string | null;
    ppid: string | null;
    pexe: string | null;
    container: string | null;
    file: string | null;
  };
}

/** Options of {@link runPolicy}. */
export interface RunPolicyOptions extends PolicyLoadOptions, ReadOptions {
  /**
   * `'alert'` (default): yield records that match at least one rule. `'filter'`: yield every
   * flow/event record that no filter drops, with the rules it matches (possibly none).
   */
  mode?: 'alert' | 'filter';
  /** Also evaluate entity records (header, container, process, file, pod); default `false`, as sf-processor. */
  entities?: boolean;
  /** Entity tables to fill (default: fresh ones). */
  tables?: SysFlowEntityTables;
  /** Called for each record a filter drops. */
  onDrop?: (recordIndex: number, filter: string) => void;
}

const RANK: Record<SysFlowPriority, number> = { low: 0, medium: 1, high: 2 };

function tsOf(r: SysFlowRecord): bigint | undefined {
  return r.type === 'SFHeader' || r.type === 'Container' ? undefined : r.rec.ts;
}

/** Builds the JSON alert for a record and the rules it matched. */
export function policyAlert(
  event: SysFlowFieldEvent,
  recordIndex: number,
  matched: readonly PolicyRule[],
): PolicyAlert {
  const ts = tsOf(event.record);
  let priority: SysFlowPriority = 'low';
  let alert = false;
  const tags = new Set<string>();
  const rules: PolicyRuleMatch[] = matched.map((r) => {
    if (RANK[r.priority] > RANK[priority]) priority = r.priority;
    if (r.alert) alert = true;
    for (const t of r.tags) tags.add(t);
    return {
      rule: r.name,
      desc: r.desc,
      priority: r.priority,
      severity: r.severity,
      tags: [...r.tags],
      actions: [...r.actions],
      output: r.compiled.output.render(event),
      output_fields: r.compiled.output.fields(event),
      file: r.file,
      line: r.line,
    };
  });
  const p = event.process;
  return {
    recordIndex,
    type: SYSFLOW_TYPE_TAGS[event.record.type],
    ts: ts === undefined ? '' : ts.toString(),
    time: ts === undefined ? '' : formatIsoNanos(ts),
    alert,
    priority,
    tags: [...tags].sort(),
    rules,
    record: recordToJSON(event.record),
    context: {
      pid: p ? p.oid.hpid.toString() : null,
      exe: p ? p.exe : null,
      args: p ? p.exeArgs : null,
      ppid: p?.poid ? p.poid.hpid.toString() : null,
      pexe: event.parent ? event.parent.exe : null,
      container: event.container ? event.container.name || event.container.id : null,
      file: event.file ? event.file.path : null,
    },
  };
}

/**
 * Runs SysFlow policy files over a `.sf` stream (`sysray policy run POLICY.yaml FILE.sf`): records
 * are resolved with their entities, dropped when an enabled `filter`/`drop` item matches, and checked
 * against every rule; each record that matches yields one {@link PolicyAlert}.
 *
 * `policy` is one or more policy file paths (loaded in order) or a policy loaded with
 * `loadSysFlowPolicy`. A policy that fails to load throws the first error as a `RuleError` with
 * `code`, `file`, `line` and `col` (use `loadSysFlowPolicyFiles` to get every diagnostic).
 *
 * @example
 * ```ts
 * for await (const a of runPolicy('ttps.yaml', 'trace.sf')) console.log(JSON.stringify(a));
 * ```
 */
export async function* runPolicy(
  policy: string | readonly string[] | SysFlowPolicy,
  sfSource: SysFlowSource,
  options: RunPolicyOptions = {},
): AsyncGenerator<PolicyAlert> {
  const tables = options.tables ?? new SysFlowEntityTables();
  let compiled: SysFlowPolicy;
  if (policy instanceof SysFlowPolicy) compiled = policy;
  else {
    const result = loadSysFlowPolicyFiles(typeof policy === 'string' ? [policy] : policy, {
      ...options,
      tables,
    });
    const err = policyLoadError(result);
    if (err || !result.policy) throw err;
    compiled = result.policy;
  }
  const mode = options.mode ?? 'alert';
  const entities = options.entities ?? false;
  const matched: PolicyRule[] = [];
  let index = -1;
  for await (const r of resolveSysFlow(sfSource, { ...options, tables, entities: true })) {
    index++;
    const t = r.record.type;
    if (
      !entities &&
      (t === 'SFHeader' || t === 'Container' || t === 'Process' || t === 'File' || t === 'Pod')
    )
      continue;
    const event = r as SysFlowFieldEvent;
    event.tables = tables;
    const drop = compiled.dropping(event);
    if (drop) {
      options.onDrop?.(index, drop.name);
      continue;
    }
    matched.length = 0;
    compiled.match(event, matched);
    if (matched.length > 0 || mode === 'filter') yield policyAlert(event, index, matched);
  }
}
