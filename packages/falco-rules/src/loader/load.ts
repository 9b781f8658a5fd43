/** Loading rules files: read (YAML, append/override), compile, diagnose. */
import { readFileSync } from 'node:fs';
import { type FieldSet, resolveField } from '../fields.js';
import type { Priority } from '../priority.js';
import { Ruleset } from '../ruleset.js';
import { RulesCompiler } from './compile.js';
import type { Diagnostic } from './diagnostics.js';
import { type Ctx, LoadFailure, type PendingWarning, type PluginRequirement } from './info.js';
import { Collector, readRulesFile } from './reader.js';
import { type Where, whereNode } from './source.js';

/** The Falco engine version this implementation corresponds to (checked against `required_engine_version`). */
export const ENGINE_VERSION = '0.57.0';

/** One rules file's content. */
export interface RulesInput {
  /** File name used in diagnostics. */
  name: string;
  /** The YAML text. */
  content: string;
}

/** Options of {@link loadRules}. */
export interface LoadOptions<E> {
  /** Field sets, per source; a rule whose source has none is skipped with `LOAD_UNKNOWN_SOURCE`. */
  fieldSets: readonly FieldSet<E>[];
  /** Engine version to check `required_engine_version` against; default {@link ENGINE_VERSION}. */
  engineVersion?: string;
  /**
   * Loaded plugins (name → version). When given, `required_plugin_versions` are checked against it;
   * when omitted they are only recorded.
   */
  plugins?: Readonly<Record<string, string>>;
}

/** What {@link loadRules} returns. */
export interface LoadResult<E> {
  /** No errors. */
  ok: boolean;
  /** Errors and warnings, in the order Falco reports them (reading, then compiling). */
  diagnostics: Diagnostic[];
  /** The compiled rules; present when `ok`. */
  ruleset: Ruleset<E> | undefined;
  /** Highest `required_engine_version` seen. */
  requiredEngineVersion: string | undefined;
  /** Every `required_plugin_versions` entry. */
  requiredPlugins: PluginRequirement[];
}

function toDiagnostic(
  level: 'error' | 'warning',
  code: Diagnostic['code'],
  message: string,
  where: Where,
  ctx?: Ctx,
): Diagnostic {
  const d: Diagnostic = { level, code, message, file: where.file, line: where.line, col: where.col };
  if (where.offset !== undefined) d.offset = where.offset;
  if (ctx?.name !== undefined && ctx.kind === 'rule') d.rule = ctx.name;
  if (ctx?.name !== undefined) d.item = { kind: ctx.kind, name: ctx.name };
  return d;
}

function fieldNameAndArg(field: string): { name: string; arg: string | undefined } {
  const m = /^([^[]+)\[(.*)\]$/.exec(field);
  return m ? { name: m[1]!, arg: m[2]! } : { name: field, arg: undefined };
}

function semverParts(v: string): number[] {
  return v
    .split(/[.-]/)
    .slice(0, 3)
    .map((x) => Number.parseInt(x, 10) || 0);
}

function pluginSatisfied(have: string, need: string): boolean {
  const a = semverParts(have);
  const b = semverParts(need);
  if (a[0] !== b[0]) return false;
  for (let i = 1; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/**
 * Loads rules files in order (as Falco loads several `-r` files), compiles every rule against the
 * field sets and reports Falco's errors and warnings with file, line and column. Loading stops at the
 * first error, as in Falco.
 */
export function loadRules<E>(inputs: readonly RulesInput[], options: LoadOptions<E>): LoadResult<E> {
  const bySource = new Map<string, FieldSet<E>[]>();
  for (const fs of options.fieldSets) {
    const l = bySource.get(fs.source);
    if (l) l.push(fs);
    else bySource.set(fs.source, [fs]);
  }
  const setsFor = (s: string) => bySource.get(s) ?? [];
  const collector = new Collector(
    (s) => bySource.has(s),
    (s, f) => {
      const { name, arg } = fieldNameAndArg(f);
      return resolveField(setsFor(s), name, arg) !== undefined;
    },
    options.engineVersion ?? ENGINE_VERSION,
  );
  const diagnostics: Diagnostic[] = [];
  const flushWarnings = (ws: PendingWarning[]) => {
    for (const w of ws) diagnostics.push(toDiagnostic('warning', w.code, w.message, w.where, w.ctx));
    ws.length = 0;
  };
  const result = (ruleset: Ruleset<E> | undefined): LoadResult<E> => ({
    ok: !diagnostics.some((d) => d.level === 'error'),
    diagnostics,
    ruleset,
    requiredEngineVersion: collector.requiredEngineVersion?.version,
    requiredPlugins: collector.requiredPlugins,
  });
  const fail = (f: LoadFailure): LoadResult<E> => {
    flushWarnings(collector.warnings);
    diagnostics.push(toDiagnostic('error', f.code, f.message, f.where, f.ctx));
    return result(undefined);
  };
  try {
    for (const input of inputs) readRulesFile(collector, input.name, input.content);
  } catch (e) {
    if (e instanceof LoadFailure) return fail(e);
    throw e;
  }
  if (options.plugins) {
    for (const req of collector.requiredPlugins) {
      const options_ = [{ name: req.name, version: req.version }, ...req.alternatives];
      const ok = options_.some((o) => {
        const have = options.plugins?.[o.name];
        return have !== undefined && pluginSatisfied(have, o.version);
      });
      if (!ok) {
        const file = inputs[0]?.name ?? '';
        return fail(
          new LoadFailure(
            'LOAD_ERR_VALIDATE',
            `Plugin '${req.name}' version '${req.version}' required by the rules is not loaded or not compatible`,
            {
              file,
              line: 1,
              col: 1,
            },
          ),
        );
      }
    }
  }
  const compiler = new RulesCompiler<E>(collector, setsFor);
  try {
    compiler.compileLists();
    compiler.compileMacros();
    compiler.compileRules();
  } catch (e) {
    if (e instanceof LoadFailure) return fail(e);
    throw e;
  }
  compiler.unusedWarnings();
  flushWarnings(collector.warnings);
  return result(new Ruleset(compiler.rules, options.fieldSets));
}

/** Reads files (a read failure is a `LOAD_ERR_FILE_READ` diagnostic) and {@link loadRules} them. */
export function loadRuleFiles<E>(paths: readonly string[], options: LoadOptions<E>): LoadResult<E> {
  const inputs: RulesInput[] = [];
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
        ruleset: undefined,
        requiredEngineVersion: undefined,
        requiredPlugins: [],
      };
    }
  }
  return loadRules(inputs, options);
}

/** What `sysray rules validate` needs: success and every diagnostic. */
export interface ValidationResult {
  /** No errors (warnings allowed): exit code 0. */
  ok: boolean;
  /** Every error and warning, in Falco's order. */
  diagnostics: Diagnostic[];
}

/**
 * Validates rules files as Falco would load them (in order): every error and warning, with file,
 * line and column. Print each with `formatDiagnostic`, or `diagnosticToJson` for `--json`;
 * exit 1 when `ok` is false.
 */
export function validateRuleFiles<E>(paths: readonly string[], options: LoadOptions<E>): ValidationResult {
  const r = loadRuleFiles(paths, options);
  return { ok: r.ok, diagnostics: r.diagnostics };
}

/** One line of `sysray rules list`. */
export interface RuleSummary {
  /** Rule name. */
  name: string;
  /** Description. */
  desc: string;
  /** Priority. */
  priority: Priority;
  /** Event source. */
  source: string;
  /** Tags, sorted. */
  tags: readonly string[];
  /** Enabled after every file was read. */
  enabled: boolean;
  /** File of the rule's (last) definition. */
  file: string;
  /** Line of the rule's (last) definition. */
  line: number;
}

/** Summaries of the rules of a successful load, in load order. */
export function listRules<E>(result: LoadResult<E>): RuleSummary[] {
  return (result.ruleset?.rules ?? []).map((r) => ({
    name: r.name,
    desc: r.desc,
    priority: r.priority,
    source: r.source,
    tags: r.tags,
    enabled: r.enabled,
    file: r.file,
    line: r.line,
  }));
}

/** What {@link listRuleFiles} returns. */
export interface RuleListing {
  /** No errors while reading. */
  ok: boolean;
  /** Errors and warnings of reading (no compilation is done). */
  diagnostics: Diagnostic[];
  /** Rules after append/override, in definition order, of every source. */
  rules: RuleSummary[];
}

/**
 * Lists the rules of rules files without compiling them (no field sets needed): files are read in
 * order with append/override applied, as {@link loadRules} reads them.
 */
export function listRuleFiles(
  paths: readonly string[],
  options: { engineVersion?: string } = {},
): RuleListing {
  const collector = new Collector(
    () => true,
    () => true,
    options.engineVersion ?? ENGINE_VERSION,
  );
  const diagnostics: Diagnostic[] = [];
  let ok = true;
  try {
    for (const p of paths) {
      let content: string;
      try {
        content = readFileSync(p, 'utf8');
      } catch (e) {
        throw new LoadFailure('LOAD_ERR_FILE_READ', `Could not read file: ${(e as Error).message}`, {
          file: p,
          line: 1,
          col: 1,
        });
      }
      readRulesFile(collector, p, content);
    }
  } catch (e) {
    if (!(e instanceof LoadFailure)) throw e;
    ok = false;
    for (const w of collector.warnings)
      diagnostics.push(toDiagnostic('warning', w.code, w.message, w.where, w.ctx));
    diagnostics.push(toDiagnostic('error', e.code, e.message, e.where, e.ctx));
    return { ok, diagnostics, rules: [] };
  }
  for (const w of collector.warnings)
    diagnostics.push(toDiagnostic('warning', w.code, w.message, w.where, w.ctx));
  const rules = [...collector.rules.values()].map((r) => {
    const where = whereNode(r.ctx.src, r.ctx.node);
    return {
      name: r.name,
      desc: r.desc,
      priority: r.priority,
      source: r.source,
      tags: r.tags,
      enabled: r.enabled,
      file: where.file,
      line: where.line,
    };
  });
  return { ok, diagnostics, rules };
}

/** Renders rule summaries as an aligned text table (name, priority, source, enabled, tags). */
export function formatRuleList(rules: readonly RuleSummary[]): string {
  const rows = [
    ['RULE', 'PRIORITY', 'SOURCE', 'ENABLED', 'TAGS'],
    ...rules.map((r) => [r.name, r.priority, r.source, r.enabled ? 'yes' : 'no', r.tags.join(',')]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}
