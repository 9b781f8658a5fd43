/**
 * Loading SysFlow policy files (sf-processor's policy language): Falco-style lists, macros and
 * rules, plus `filter` / `drop` items, rule `action`s, `prefilter`s and low/medium/high
 * priorities, compiled with `@sysray/falco-rules` against the `sf.*` field set.
 */
import { readFileSync } from 'node:fs';
import {
  type CompiledRule,
  type Diagnostic,
  diagnosticToError,
  loadRules,
  type Priority,
  type RuleError,
  type RulesInput,
} from '@sysray/falco-rules';
import {
  createSysFlowFieldSet,
  SYSFLOW_SOURCE,
  type SysFlowFieldEvent,
  type SysFlowFieldSetOptions,
} from '../fields/fieldset.js';
import { SYSFLOW_TYPE_TAGS } from '../print.js';
import { SYSFLOW_TYPES } from '../schema.js';
import type { SysFlowType } from '../types.js';
import {
  type ItemMeta,
  type Rewritten,
  rewritePolicy,
  type SysFlowPriority,
  sysflowPriorityOf,
} from './scan.js';

/** One policy file's content. */
export interface PolicyInput {
  /** File name used in diagnostics. */
  name: string;
  /** The YAML text. */
  content: string;
}

/** Options of {@link loadSysFlowPolicy}. */
export interface PolicyLoadOptions
  extends Pick<SysFlowFieldSetOptions, 'listSemantics' | 'tables' | 'maxAncestors'> {
  /** Engine version checked against `required_engine_version` (default: `@sysray/falco-rules`' own). */
  engineVersion?: string;
}

/** A compiled policy rule. */
export interface PolicyRule {
  /** Rule name. */
  name: string;
  /** Description. */
  desc: string;
  /** SysFlow priority (`low` when the rule has none). */
  priority: SysFlowPriority;
  /** The Falco priority it was loaded with (low → Notice, medium → Warning, high → Error). */
  severity: Priority;
  /** Tags, sorted and unique (e.g. `mitre:T1059`). */
  tags: readonly string[];
  /** Actions (`alert`, `tag`, `hash`); empty when the rule names none. */
  actions: readonly string[];
  /** Whether a match is an alert: the rule has the `alert` action or no action at all. */
  alert: boolean;
  /** Record types (`sf.type` tags) the rule runs on; `undefined`: all. */
  prefilter: readonly string[] | undefined;
  /** Whether the rule runs. */
  enabled: boolean;
  /** Policy file and 1-based line of the rule's definition. */
  file: string;
  line: number;
  /** The compiled Falco rule (condition, output). */
  compiled: CompiledRule<SysFlowFieldEvent>;
}

/** A compiled `filter` / `drop` item: records it matches are dropped before rules run. */
export interface PolicyFilter {
  /** Filter name. */
  name: string;
  /** Whether the filter runs. */
  enabled: boolean;
  /** Policy file and 1-based line of the filter. */
  file: string;
  line: number;
  /** The compiled condition. */
  test: (event: SysFlowFieldEvent) => boolean;
}

/** What {@link loadSysFlowPolicy} returns. */
export interface PolicyLoadResult {
  /** No errors. */
  ok: boolean;
  /** Errors and warnings with file, line and column in the policy files. */
  diagnostics: Diagnostic[];
  /** The policy, when `ok`. */
  policy: SysFlowPolicy | undefined;
}

/** Compiled policy: filters, and rules indexed by record type (their prefilters). */
export class SysFlowPolicy {
  /** Rules in load order. */
  readonly rules: readonly PolicyRule[];
  /** Filters in load order. */
  readonly filters: readonly PolicyFilter[];
  private readonly byType: ReadonlyMap<SysFlowType, readonly PolicyRule[]>;
  private readonly activeFilters: readonly PolicyFilter[];

  constructor(rules: readonly PolicyRule[], filters: readonly PolicyFilter[]) {
    this.rules = rules;
    this.filters = filters;
    this.activeFilters = filters.filter((f) => f.enabled);
    const byType = new Map<SysFlowType, PolicyRule[]>();
    for (const t of SYSFLOW_TYPES) {
      const tag = SYSFLOW_TYPE_TAGS[t];
      byType.set(
        t,
        rules.filter((r) => r.enabled && (r.prefilter === undefined || r.prefilter.includes(tag))),
      );
    }
    this.byType = byType;
  }

  /** The first enabled filter that matches the record (it is dropped), or `undefined`. */
  dropping(event: SysFlowFieldEvent): PolicyFilter | undefined {
    const fs = this.activeFilters;
    for (let i = 0; i < fs.length; i++) if (fs[i]!.test(event)) return fs[i];
    return undefined;
  }

  /** Every enabled rule (whose prefilter admits the record's type) that matches, appended to `out`. */
  match(event: SysFlowFieldEvent, out: PolicyRule[] = []): PolicyRule[] {
    const list = this.byType.get(event.record.type);
    if (!list) return out;
    for (let i = 0; i < list.length; i++) if (list[i]!.compiled.test(event)) out.push(list[i]!);
    return out;
  }
}

function mapDiagnostic(
  d: Diagnostic,
  rewritten: ReadonlyMap<string, Rewritten>,
  filters: Set<string>,
): Diagnostic {
  const rw = rewritten.get(d.file);
  if (!rw) return d;
  const orig = (line: number) => rw.lineMap[Math.min(Math.max(line, 1), rw.lineMap.length) - 1] ?? line;
  const out: Diagnostic = { ...d, line: orig(d.line) };
  // YAML parser messages quote positions in the rewritten text.
  out.message = d.message.replace(
    /\bat line (\d+), column (\d+)/g,
    (_, l: string, c: string) => `at line ${orig(Number(l))}, column ${c}`,
  );
  if (d.rule !== undefined && filters.has(d.rule)) {
    delete out.rule;
    out.item = { kind: 'filter', name: d.rule };
  }
  return out;
}

/**
 * Loads SysFlow policy files in order and compiles them against the `sf.*` field set. Diagnostics
 * carry file, line and column in the policy files. Records matching an enabled `filter`/`drop` item
 * are dropped; rules run on the rest (only on their `prefilter` record types when given).
 */
export function loadSysFlowPolicy(
  inputs: readonly PolicyInput[],
  options: PolicyLoadOptions = {},
): PolicyLoadResult {
  const source = SYSFLOW_SOURCE;
  const fs = createSysFlowFieldSet({ ...options, source });
  const rewritten = new Map<string, Rewritten>();
  const falcoInputs: RulesInput[] = [];
  const diagnostics: Diagnostic[] = [];
  const metas = new Map<string, ItemMeta>();
  const filterNames = new Set<string>();
  const ruleNames = new Set<string>();
  const metaFile = new Map<ItemMeta, string>();
  for (const input of inputs) {
    const rw = rewritePolicy(input.content, source);
    rewritten.set(input.name, rw);
    falcoInputs.push({ name: input.name, content: rw.text });
    for (const p of rw.problems) {
      const d: Diagnostic = {
        level: p.level,
        code: p.code,
        message: p.message,
        file: input.name,
        line: p.line,
        col: p.col,
      };
      if (p.name !== undefined) d.rule = p.name;
      diagnostics.push(d);
    }
    for (const m of rw.items) {
      metaFile.set(m, input.name);
      const clash = m.kind === 'filter' ? ruleNames.has(m.name) : filterNames.has(m.name) && !m.partial;
      if (clash) {
        diagnostics.push({
          level: 'error',
          code: 'LOAD_ERR_VALIDATE',
          message: `'${m.name}' names both a rule and a filter`,
          file: input.name,
          line: m.line,
          col: m.col,
        });
      }
      (m.kind === 'filter' ? filterNames : ruleNames).add(m.name);
      const prev = metas.get(m.name);
      if (prev && m.partial) {
        if (m.priority !== undefined) prev.priority = m.priority;
        if (m.actions !== undefined) prev.actions = m.actions;
        if (m.prefilter !== undefined) prev.prefilter = m.prefilter;
      } else {
        metas.set(m.name, { ...m });
        metaFile.set(metas.get(m.name)!, input.name);
      }
    }
  }
  const loaded = loadRules(falcoInputs, {
    fieldSets: [fs],
    ...(options.engineVersion !== undefined ? { engineVersion: options.engineVersion } : {}),
  });
  for (const d of loaded.diagnostics) diagnostics.push(mapDiagnostic(d, rewritten, filterNames));
  const ok = !diagnostics.some((d) => d.level === 'error');
  if (!ok || !loaded.ruleset) return { ok: false, diagnostics, policy: undefined };
  const rules: PolicyRule[] = [];
  const filters: PolicyFilter[] = [];
  for (const c of loaded.ruleset.rules) {
    const meta = metas.get(c.name);
    const file = (meta && metaFile.get(meta)) ?? c.file;
    const line = meta?.line ?? c.line;
    if (meta?.kind === 'filter') {
      filters.push({ name: c.name, enabled: c.enabled, file, line, test: c.test });
      continue;
    }
    const actions = meta?.actions ?? [];
    rules.push({
      name: c.name,
      desc: c.desc,
      priority: meta?.priority ?? sysflowPriorityOf(c.priority),
      severity: c.priority,
      tags: c.tags,
      actions,
      alert: actions.length === 0 || actions.includes('alert'),
      prefilter: meta?.prefilter && meta.prefilter.length > 0 ? meta.prefilter : undefined,
      enabled: c.enabled,
      file,
      line,
      compiled: c,
    });
  }
  return { ok: true, diagnostics, policy: new SysFlowPolicy(rules, filters) };
}

/** Reads policy files (a read failure is a `LOAD_ERR_FILE_READ` diagnostic) and {@link loadSysFlowPolicy} them. */
export function loadSysFlowPolicyFiles(
  paths: readonly string[],
  options: PolicyLoadOptions = {},
): PolicyLoadResult {
  const inputs: PolicyInput[] = [];
  for (const p of paths) {
    try {
      inputs.push({ name: p, content: readFileSync(p, 'utf8') });
    } catch (e) {
      return {
        ok: false,
        diagnostics: [
          {
            level: 'error',
            code: 'LOAD_ERR_FILE_READ',
            message: `Could not read file: ${(e as Error).message}`,
            file: p,
            line: 1,
            col: 1,
          },
        ],
        policy: undefined,
      };
    }
  }
  return loadSysFlowPolicy(inputs, options);
}

/** The first error of a failed load as a `RuleError` (code, file, line, col), to throw. */
export function policyLoadError(result: PolicyLoadResult): RuleError | undefined {
  const d = result.diagnostics.find((x) => x.level === 'error');
  return d ? diagnosticToError(d) : undefined;
}
