/** Falco on a capture: load rules against the syscall fields, run them, print Falco's JSON alerts. */
import {
  type CompiledRule,
  compileCondition,
  createAlert,
  type Diagnostic,
  type FalcoAlert,
  type FieldSet,
  formatDiagnostic,
  type LoadResult,
  loadRuleFiles,
  loadRules,
  PRIORITIES,
  type Predicate,
  type Priority,
  type Ruleset,
  type RulesInput,
} from '@sysray/falco-rules';
import { type CaptureSource, type InspectCaptureOptions, inspectCapture } from './capture.js';
import type { EventContext } from './context.js';
import { InspectorError } from './errors.js';
import { CONTAINER_PLUGIN } from './fields/container.js';
import { createContainerFieldSet, createSyscallFieldSet } from './fields/index.js';
import { Inspector } from './inspector.js';

let cachedSets: FieldSet<EventContext>[] | undefined;

/** The syscall and container field sets (shared, they hold no state). */
export function syscallFieldSets(): FieldSet<EventContext>[] {
  cachedSets ??= [createSyscallFieldSet(), createContainerFieldSet()];
  return cachedSets;
}

/** The plugins this package stands in for, as `LoadOptions.plugins` takes them: `{ container: '0.4.0' }`. */
export function providedPlugins(): Record<string, string> {
  return { [CONTAINER_PLUGIN.name]: CONTAINER_PLUGIN.version };
}

/** Options of {@link loadSyscallRules}. */
export interface LoadSyscallRulesOptions {
  /** Extra field sets (e.g. plugin fields) searched after the syscall and container ones. */
  fieldSets?: FieldSet<EventContext>[];
  /** Extra loaded plugins (name → version) for `required_plugin_versions`. */
  plugins?: Record<string, string>;
}

/**
 * Loads rules files (paths, or `{ name, content }` inputs) against the syscall and container field sets.
 * @throws InspectorError `RULES_LOAD` (message lists Falco's diagnostics) when loading fails.
 */
export function loadSyscallRules(
  rules: readonly string[] | readonly RulesInput[],
  options: LoadSyscallRulesOptions = {},
): LoadResult<EventContext> {
  const opts = {
    fieldSets: [...syscallFieldSets(), ...(options.fieldSets ?? [])],
    plugins: { ...providedPlugins(), ...(options.plugins ?? {}) },
  };
  const result =
    rules.length > 0 && typeof rules[0] === 'string'
      ? loadRuleFiles(rules as string[], opts)
      : loadRules(rules as RulesInput[], opts);
  if (!result.ok || !result.ruleset) {
    const errors = result.diagnostics.filter((d: Diagnostic) => d.level === 'error');
    const first = errors[0];
    throw new InspectorError(
      'RULES_LOAD',
      `rules failed to load:\n${errors.map(formatDiagnostic).join('\n')}`,
      {
        file: first?.file,
        diagnostics: result.diagnostics,
      },
    );
  }
  return result;
}

/** Options of {@link runRulesOnCapture}. */
export interface RunRulesOptions extends InspectCaptureOptions, LoadSyscallRulesOptions {
  /** Host name in alerts; default: the capture's machine info host name. */
  hostname?: string;
  /** `first` (Falco's default): one alert per event, for the first matching rule; `all`: every match. */
  ruleMatching?: 'first' | 'all';
  /** Only rules at this priority or more severe (Falco's `priority` setting). Default: all. */
  minPriority?: Priority;
  /** Time in the `output` prefix: `iso8601` (default) or Falco's clock time. */
  timeFormat?: 'iso8601' | 'clock';
  /** Called with the load diagnostics (warnings) before events are read. */
  onDiagnostics?: (diagnostics: Diagnostic[]) => void;
}

/**
 * Falco on a file: loads `rules` (paths or inputs, or an already loaded ruleset), walks the capture through
 * an inspector and yields one Falco JSON alert per match (`sysray rules run --rules R.yaml CAPTURE --json`).
 *
 * @example
 * ```ts
 * for await (const alert of runRulesOnCapture('capture.scap', ['falco_rules.yaml']))
 *   console.log(JSON.stringify(alert));
 * ```
 * @throws InspectorError `RULES_LOAD` or `BAD_CAPTURE`.
 */
export async function* runRulesOnCapture(
  capture: CaptureSource,
  rules: readonly string[] | readonly RulesInput[] | Ruleset<EventContext>,
  options: RunRulesOptions = {},
): AsyncGenerator<FalcoAlert> {
  let ruleset: Ruleset<EventContext>;
  if (Array.isArray(rules)) {
    const loaded = loadSyscallRules(rules as string[], options);
    options.onDiagnostics?.(loaded.diagnostics);
    ruleset = loaded.ruleset!;
  } else ruleset = rules as Ruleset<EventContext>;
  if (options.minPriority) {
    const max = PRIORITIES.indexOf(options.minPriority);
    ruleset.setEnabled((r) => PRIORITIES.indexOf(r.priority) > max, false);
  }
  const insp = options.inspector ?? new Inspector(options);
  const all = options.ruleMatching === 'all';
  const matches: CompiledRule<EventContext>[] = [];
  const alertOpts = {
    timestamp: (c: EventContext) => c.ts,
    hostname: options.hostname,
    timeFormat: options.timeFormat,
  };
  for await (const ctx of inspectCapture(capture, { ...options, inspector: insp })) {
    if (all) {
      matches.length = 0;
      ruleset.evaluateAll(ctx, undefined, matches);
      for (const r of matches)
        yield createAlert(r, ctx, { ...alertOpts, hostname: options.hostname ?? insp.hostname });
    } else {
      const r = ruleset.evaluate(ctx);
      if (r) yield createAlert(r, ctx, { ...alertOpts, hostname: options.hostname ?? insp.hostname });
    }
  }
}

/**
 * Compiles a filter condition (`proc.name = cat and fd.name startswith /etc`) against the syscall and
 * container fields. Macros and lists are not available (as with `sysdig -r F COND`).
 * @throws InspectorError `BAD_FILTER` with the compiler's message.
 */
export function compileFilter(condition: string): Predicate<EventContext> {
  try {
    return compileCondition(condition, syscallFieldSets());
  } catch (error) {
    throw new InspectorError('BAD_FILTER', `bad filter '${condition}': ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Options of {@link filterEvents}. */
export type FilterEventsOptions = InspectCaptureOptions;

/**
 * `sysdig -r CAPTURE COND`: yields the (reused) context of every event libsinsp would show that matches
 * `condition` (every shown event when `condition` is empty). Print each before asking for the next, e.g.
 * with `formatEventLine(ctx.ev, ctx.num, (tid) => ctx.tables.threads.get(tid)?.comm)` or `ctx.ev.toJSON()`.
 * @throws InspectorError `BAD_FILTER` or `BAD_CAPTURE`.
 */
export async function* filterEvents(
  capture: CaptureSource,
  condition: string,
  options: FilterEventsOptions = {},
): AsyncGenerator<EventContext> {
  const pred = condition.trim() === '' ? () => true : compileFilter(condition);
  for await (const ctx of inspectCapture(capture, options)) if (pred(ctx)) yield ctx;
}
