/**
 * Rule tests (`sysray rules test SPEC`): a spec names a capture or lists events (turned into one with the
 * scap encoder), and the alerts each rule must or must not raise. Failures say which rule, which event and
 * which parts of the rule's condition did not hold.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  type CompiledRule,
  compileCondition,
  conditionToString,
  type Expr,
  type Predicate,
  type Ruleset,
} from '@sysray/falco-rules';
import { type CaptureSource, inspectCapture } from './capture.js';
import type { EventContext } from './context.js';
import { type CraftEvent, type CraftThread, craftCapture } from './craft.js';
import { InspectorError } from './errors.js';
import { loadSyscallRules, syscallFieldSets } from './rules.js';

/** A rule that must fire: where and how often. */
export interface RuleExpectation {
  /** Rule name. */
  rule: string;
  /** 1-based number of the event it must fire on (any event when absent). */
  event?: number;
  /** Exact number of alerts of this rule (at least one when absent). */
  count?: number;
}

/** One test of a spec. */
export interface RuleTestCase {
  /** Test name. */
  name: string;
  /** A capture file (relative to the spec's directory), or… */
  capture?: string;
  /** …events to write into a capture (with `threads`, `users`, `groups` for its metadata blocks). */
  events?: CraftEvent[];
  threads?: CraftThread[];
  users?: { uid: number; name: string; gid?: number; homedir?: string; shell?: string }[];
  groups?: { gid: number; name: string }[];
  /** Rules that must fire. Strings mean "fires at least once". */
  expect?: (RuleExpectation | string)[];
  /** Rules that must not fire (also accepted as `expect_not`). */
  expectNot?: string[];
  expect_not?: string[];
}

/** A spec file's content. */
export interface RuleTestSpec {
  /** Rules files (relative to the spec's directory) when the caller gives none. */
  rules?: string[];
  /** The tests. */
  tests: RuleTestCase[];
}

/** One failed check. */
export interface RuleTestFailure {
  /** Rule concerned. */
  rule: string;
  /** What went wrong. */
  message: string;
  /** Event concerned (the expected event, the closest miss, or where a forbidden rule fired). */
  event?: number;
  /** Parts of the rule's condition (top-level `and` terms, macros expanded) that were false at that event. */
  failedConditions?: string[];
}

/** The outcome of one test. */
export interface RuleTestResult {
  name: string;
  passed: boolean;
  /** Every alert raised: rule and event number. */
  alerts: { rule: string; event: number }[];
  failures: RuleTestFailure[];
}

/** Options of {@link runRuleTests}. */
export interface RunRuleTestsOptions {
  /** Rules files or a loaded ruleset; default: the spec's `rules`. */
  rules?: readonly string[] | Ruleset<EventContext>;
  /** Directory relative paths of the spec are resolved against (default: the spec file's, or the cwd). */
  baseDir?: string;
  /** Parser for YAML specs (e.g. `YAML.parse` of the `yaml` package); JSON specs need none. */
  parse?: (text: string) => unknown;
}

/** All results. */
export interface RuleTestReport {
  passed: boolean;
  results: RuleTestResult[];
}

function flattenAnd(e: Expr): Expr[] {
  return e.kind === 'and' ? e.children.flatMap(flattenAnd) : [e];
}

interface Part {
  text: string;
  test: Predicate<EventContext> | undefined;
}

const partsCache = new WeakMap<CompiledRule<EventContext>, Part[]>();

function partsOf(rule: CompiledRule<EventContext>): Part[] {
  let p = partsCache.get(rule);
  if (!p) {
    p = flattenAnd(rule.ast).map((e) => {
      let test: Predicate<EventContext> | undefined;
      try {
        test = compileCondition(e, syscallFieldSets());
      } catch {
        test = undefined;
      }
      return { text: conditionToString(e), test };
    });
    partsCache.set(rule, p);
  }
  return p;
}

function failedParts(rule: CompiledRule<EventContext>, ctx: EventContext): string[] {
  return partsOf(rule)
    .filter((p) => p.test !== undefined && !p.test(ctx))
    .map((p) => p.text);
}

function validate(spec: unknown): RuleTestSpec {
  const s = spec as RuleTestSpec;
  if (!s || typeof s !== 'object' || !Array.isArray(s.tests))
    throw new InspectorError('BAD_SPEC', 'a rule-test spec needs a `tests` list');
  s.tests.forEach((t, i) => {
    if (!t || typeof t.name !== 'string') throw new InspectorError('BAD_SPEC', `test ${i + 1} needs a name`);
    if (!t.capture && !Array.isArray(t.events))
      throw new InspectorError('BAD_SPEC', `test '${t.name}' needs a capture or events`);
  });
  return s;
}

/** Reads a spec file: JSON, or YAML through `parse`. */
export function readRuleTestSpec(path: string, parse?: (text: string) => unknown): RuleTestSpec {
  const text = readFileSync(path, 'utf8');
  try {
    if (/\.json$/i.test(path) || !parse) return validate(JSON.parse(text));
    return validate(parse(text));
  } catch (error) {
    if (error instanceof InspectorError) {
      error.file ??= path;
      throw error;
    }
    throw new InspectorError('BAD_SPEC', `cannot parse ${path}: ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
}

function source(t: RuleTestCase, base: string): CaptureSource {
  if (t.capture) return isAbsolute(t.capture) ? t.capture : resolve(base, t.capture);
  return craftCapture({
    events: t.events ?? [],
    threads: t.threads,
    users: t.users,
    groups: t.groups,
  });
}

async function runOne(
  t: RuleTestCase,
  ruleset: Ruleset<EventContext>,
  base: string,
): Promise<RuleTestResult> {
  const src = source(t, base);
  const alerts: { rule: string; event: number }[] = [];
  const fired: CompiledRule<EventContext>[] = [];
  for await (const ctx of inspectCapture(src)) {
    fired.length = 0;
    ruleset.evaluateAll(ctx, undefined, fired);
    for (const r of fired) alerts.push({ rule: r.name, event: ctx.num });
  }
  const failures: RuleTestFailure[] = [];
  const wants = (t.expect ?? []).map((e) => (typeof e === 'string' ? { rule: e } : e));
  const misses: { want: RuleExpectation; rule: CompiledRule<EventContext> }[] = [];
  for (const want of wants) {
    const rule = ruleset.rule(want.rule);
    if (!rule) {
      failures.push({ rule: want.rule, message: `no rule named '${want.rule}' is loaded` });
      continue;
    }
    const hits = alerts.filter(
      (a) => a.rule === want.rule && (want.event === undefined || a.event === want.event),
    );
    if (want.count !== undefined ? hits.length !== want.count : hits.length === 0) {
      if (want.count !== undefined && hits.length > 0)
        failures.push({
          rule: want.rule,
          message: `fired ${hits.length} times${want.event !== undefined ? ` on event ${want.event}` : ''}, expected ${want.count}`,
          event: hits[0]!.event,
        });
      else misses.push({ want, rule });
    }
  }
  for (const name of [...(t.expectNot ?? []), ...(t.expect_not ?? [])]) {
    for (const a of alerts.filter((x) => x.rule === name))
      failures.push({ rule: name, message: 'fired but must not', event: a.event });
  }
  if (misses.length > 0) {
    // Second pass: why did each expected rule not fire? At the expected event, or at the closest miss.
    const best = misses.map(() => ({ event: 0, failed: [] as string[], score: -1 }));
    for await (const ctx of inspectCapture(source(t, base))) {
      misses.forEach((m, i) => {
        if (m.want.event !== undefined && ctx.num !== m.want.event) return;
        const set = m.rule.eventTypes;
        if (m.want.event === undefined && set !== null && !set[ctx.type]) return;
        const failed = failedParts(m.rule, ctx);
        const score = partsOf(m.rule).length - failed.length;
        if (score > best[i]!.score) best[i] = { event: ctx.num, failed, score };
      });
    }
    misses.forEach((m, i) => {
      const b = best[i]!;
      const where = m.want.event !== undefined ? ` on event ${m.want.event}` : '';
      failures.push({
        rule: m.rule.name,
        message:
          b.score < 0
            ? `did not fire${where}: ${m.want.event !== undefined ? 'no such shown event' : 'no event of its types'}`
            : `did not fire${where}`,
        ...(b.score >= 0 ? { event: b.event, failedConditions: b.failed } : {}),
      });
    });
  }
  return { name: t.name, passed: failures.length === 0, alerts, failures };
}

/**
 * Runs a rule-test spec (an object, or the path of a JSON/YAML file) and reports, per test, the alerts and
 * every failed expectation.
 * @throws InspectorError `BAD_SPEC` for a malformed spec, `RULES_LOAD`, `BAD_CAPTURE`.
 */
export async function runRuleTests(
  spec: RuleTestSpec | string,
  options: RunRuleTestsOptions = {},
): Promise<RuleTestReport> {
  const s = typeof spec === 'string' ? readRuleTestSpec(spec, options.parse) : validate(spec);
  const base = options.baseDir ?? (typeof spec === 'string' ? dirname(resolve(spec)) : process.cwd());
  let ruleset: Ruleset<EventContext>;
  if (options.rules && !Array.isArray(options.rules)) ruleset = options.rules as Ruleset<EventContext>;
  else {
    const files =
      (options.rules as string[] | undefined) ??
      (s.rules ?? []).map((r) => (isAbsolute(r) ? r : resolve(base, r)));
    if (files.length === 0)
      throw new InspectorError('BAD_SPEC', 'no rules files: give them in the spec (`rules`) or the options');
    ruleset = loadSyscallRules(files).ruleset!;
  }
  const results: RuleTestResult[] = [];
  for (const t of s.tests) results.push(await runOne(t, ruleset, base));
  return { passed: results.every((r) => r.passed), results };
}

/** Human-readable report: one line per test, details for failures. */
export function formatRuleTestReport(report: RuleTestReport): string {
  const lines: string[] = [];
  for (const r of report.results) {
    lines.push(`${r.passed ? 'PASS' : 'FAIL'} ${r.name}`);
    for (const f of r.failures) {
      lines.push(`  rule '${f.rule}'${f.event !== undefined ? ` event #${f.event}` : ''}: ${f.message}`);
      for (const c of f.failedConditions ?? []) lines.push(`    false: ${c}`);
    }
  }
  const failed = report.results.filter((r) => !r.passed).length;
  lines.push(`${report.results.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}
