/**
 * Rule tests (`sysray rules test SPEC`): a spec names a capture or lists events (turned into one with the
 * scap encoder), and the alerts each rule must or must not raise. Failures say which rule, which event and
 * which parts of the rule's condition did not hold.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  type CompiledRule,
  compileCondition,
  conditionToString,
  type Expr,
  type Predicate,
  type Ruleset,
} from '@sysray/falco-rules';
import { formatEventLine } from '@sysray/pcapng/scap';
import { inspectCapture } from './capture.js';
import type { EventContext } from './context.js';
import { InspectorError } from './errors.js';
import {
  type RuleExpectation,
  type RuleTestCase,
  type RuleTestSpec,
  readRuleTestSpec,
  testCaptureOf,
  validateRuleTestSpec,
} from './rule-test-spec.js';
import { loadSyscallRules, syscallFieldSets } from './rules.js';

/** One failed check. */
export interface RuleTestFailure {
  /** Rule concerned. */
  rule: string;
  /** What went wrong. */
  message: string;
  /** Event concerned (the expected event, the closest miss, or where a forbidden rule fired). */
  event?: number;
  /** That event as `sysdig -r` prints it: `num time cpu proc (tid) dir type args`. */
  eventText?: string;
  /** Parts of the rule's condition (top-level `and` terms, macros expanded) that were false at that event. */
  failedConditions?: string[];
}

/** The outcome of one test. */
export interface RuleTestResult {
  name: string;
  passed: boolean;
  /** Every alert raised (every rule is evaluated on every event): rule and event number. */
  alerts: { rule: string; event: number }[];
  failures: RuleTestFailure[];
}

/** Options of {@link runRuleTests}. */
export interface RunRuleTestsOptions {
  /** Rules files or a loaded ruleset; default: the spec's `rules`. */
  rules?: readonly string[] | Ruleset<EventContext>;
  /** Directory relative paths of the spec are resolved against (default: the spec file's, or the cwd). */
  baseDir?: string;
}

/** All results of a spec. */
export interface RuleTestReport {
  /** The spec file, when one was read. */
  file?: string;
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

/** A "must fire" check: test-level expectations and each event's `expect`. */
interface Want extends RuleExpectation {
  /** From an event's `expect` list. */
  onEvent: boolean;
}

/** A "must not fire" check; `event` undefined means anywhere. */
interface Forbid {
  rule: string;
  event?: number;
}

function checksOf(t: RuleTestCase): { wants: Want[]; forbids: Forbid[] } {
  const wants: Want[] = (t.expect ?? []).map((e) =>
    typeof e === 'string' ? { rule: e, onEvent: false } : { ...e, onEvent: false },
  );
  const forbids: Forbid[] = [...(t.expect_not ?? []), ...(t.expectNot ?? [])].map((rule) => ({ rule }));
  (t.events ?? []).forEach((e, i) => {
    const event = i + 1;
    for (const rule of typeof e.expect === 'string' ? [e.expect] : (e.expect ?? []))
      wants.push({ rule, event, count: 1, onEvent: true });
    for (const rule of typeof e.expect_not === 'string' ? [e.expect_not] : (e.expect_not ?? []))
      forbids.push({ rule, event });
  });
  return { wants, forbids };
}

function where(event: number | undefined): string {
  return event === undefined ? '' : ` on event ${event}`;
}

async function runOne(
  t: RuleTestCase,
  spec: RuleTestSpec,
  ruleset: Ruleset<EventContext>,
  base: string,
): Promise<RuleTestResult> {
  const { wants, forbids } = checksOf(t);
  const failures: RuleTestFailure[] = [];
  for (const name of new Set([...wants.map((w) => w.rule), ...forbids.map((f) => f.rule)]))
    if (!ruleset.rule(name)) failures.push({ rule: name, message: `no rule named '${name}' is loaded` });
  if (failures.length > 0) return { name: t.name, passed: false, alerts: [], failures };

  const alerts: { rule: string; event: number }[] = [];
  const fired: CompiledRule<EventContext>[] = [];
  const source = testCaptureOf(t, spec, base);
  try {
    for await (const ctx of inspectCapture(source)) {
      fired.length = 0;
      ruleset.evaluateAll(ctx, undefined, fired);
      for (const r of fired) alerts.push({ rule: r.name, event: ctx.num });
    }
  } catch (error) {
    if (!(error instanceof InspectorError) || error.code !== 'BAD_CAPTURE') throw error;
    const file = typeof source === 'string' ? source : undefined;
    throw new InspectorError('BAD_CAPTURE', `test '${t.name}': ${file ? `${file}: ` : ''}${error.message}`, {
      ...(file === undefined ? {} : { file }),
      ...(error.offset === undefined ? {} : { offset: error.offset }),
      cause: error.cause,
    });
  }

  const misses: { want: Want; rule: CompiledRule<EventContext> }[] = [];
  for (const want of wants) {
    const hits = alerts.filter(
      (a) => a.rule === want.rule && (want.event === undefined || a.event === want.event),
    );
    const ok = want.count !== undefined ? hits.length === want.count : hits.length > 0;
    if (ok) continue;
    if (hits.length > 0)
      failures.push({
        rule: want.rule,
        message: `fired ${hits.length} times${where(want.event)}, expected ${want.count}`,
        event: hits[0]!.event,
      });
    else misses.push({ want, rule: ruleset.rule(want.rule)! });
  }
  for (const f of forbids)
    for (const a of alerts)
      if (a.rule === f.rule && (f.event === undefined || a.event === f.event))
        failures.push({ rule: f.rule, message: 'fired but must not', event: a.event });
  if (t.no_other_alerts === true)
    for (const a of alerts)
      if (!wants.some((w) => w.rule === a.rule && (w.event === undefined || w.event === a.event)))
        failures.push({
          rule: a.rule,
          message: 'fired but no expectation names it (no_other_alerts)',
          event: a.event,
        });

  // Second pass, only when something failed: the text of each failure's event and, for each rule that did
  // not fire, the condition parts that were false (at the expected event, or at the closest miss).
  const texts = new Map<number, string>();
  const best = misses.map(() => ({ event: 0, failed: [] as string[], score: -1 }));
  if (failures.length > 0 || misses.length > 0) {
    const wanted = new Set(failures.map((f) => f.event).filter((e) => e !== undefined));
    for (const m of misses) if (m.want.event !== undefined) wanted.add(m.want.event);
    for await (const ctx of inspectCapture(source)) {
      misses.forEach((m, i) => {
        if (m.want.event !== undefined && ctx.num !== m.want.event) return;
        const set = m.rule.eventTypes;
        if (m.want.event === undefined && set !== null && !set[ctx.type]) return;
        const failed = failedParts(m.rule, ctx);
        const score = partsOf(m.rule).length - failed.length;
        if (score > best[i]!.score) {
          best[i] = { event: ctx.num, failed, score };
          texts.set(
            ctx.num,
            formatEventLine(ctx.ev, ctx.num, (tid) => ctx.tables.threads.get(tid)?.comm),
          );
        }
      });
      if (wanted.has(ctx.num))
        texts.set(
          ctx.num,
          formatEventLine(ctx.ev, ctx.num, (tid) => ctx.tables.threads.get(tid)?.comm),
        );
    }
  }
  misses.forEach((m, i) => {
    const b = best[i]!;
    if (b.score < 0)
      failures.push({
        rule: m.rule.name,
        message: `did not fire${where(m.want.event)}: ${m.want.event !== undefined ? 'that event is not one rules see (an enter event, or an internal one)' : 'no event of the types its condition needs'}`,
        ...(m.want.event === undefined ? {} : { event: m.want.event }),
      });
    else
      failures.push({
        rule: m.rule.name,
        message: `did not fire${where(m.want.event)}`,
        event: b.event,
        failedConditions: b.failed,
      });
  });
  for (const f of failures) {
    const text = f.event === undefined ? undefined : texts.get(f.event);
    if (text !== undefined) f.eventText = text;
  }
  failures.sort((a, b) => (a.event ?? 0) - (b.event ?? 0));
  return { name: t.name, passed: failures.length === 0, alerts, failures };
}

/**
 * Runs a rule-test spec (an object, or the path of a YAML/JSON file) and reports, per test, the alerts and
 * every failed expectation. Every rule is evaluated on every event (not only the first match, as Falco's
 * default does), so a test sees each rule on its own.
 * @throws InspectorError `BAD_SPEC` for a malformed spec, `RULES_LOAD`, `BAD_CAPTURE`.
 */
export async function runRuleTests(
  spec: RuleTestSpec | string,
  options: RunRuleTestsOptions = {},
): Promise<RuleTestReport> {
  const s = typeof spec === 'string' ? readRuleTestSpec(spec) : validateRuleTestSpec(spec);
  const base = options.baseDir ?? (typeof spec === 'string' ? dirname(resolve(spec)) : process.cwd());
  let ruleset: Ruleset<EventContext>;
  if (options.rules && !Array.isArray(options.rules)) ruleset = options.rules as Ruleset<EventContext>;
  else {
    const specRules = typeof s.rules === 'string' ? [s.rules] : (s.rules ?? []);
    const files =
      (options.rules as string[] | undefined) ?? specRules.map((r) => (isAbsolute(r) ? r : resolve(base, r)));
    if (files.length === 0)
      throw new InspectorError('BAD_SPEC', 'no rules files: give them in the spec (`rules`) or the options', {
        ...(typeof spec === 'string' ? { file: spec } : {}),
      });
    ruleset = loadSyscallRules(files).ruleset!;
  }
  const results: RuleTestResult[] = [];
  for (const t of s.tests) results.push(await runOne(t, s, ruleset, base));
  return {
    ...(typeof spec === 'string' ? { file: spec } : {}),
    passed: results.every((r) => r.passed),
    results,
  };
}

/** Human-readable report: one line per test, details for failures, a summary line. */
export function formatRuleTestReport(report: RuleTestReport): string {
  const lines: string[] = [];
  for (const r of report.results) {
    lines.push(`${r.passed ? 'PASS' : 'FAIL'} ${r.name}`);
    for (const f of r.failures) {
      lines.push(`  rule '${f.rule}'${f.event !== undefined ? ` event #${f.event}` : ''}: ${f.message}`);
      if (f.eventText !== undefined) lines.push(`    event: ${f.eventText}`);
      for (const c of f.failedConditions ?? []) lines.push(`    false: ${c}`);
    }
  }
  const failed = report.results.filter((r) => !r.passed).length;
  lines.push(
    `${report.file !== undefined ? `${report.file}: ` : ''}${report.results.length - failed} passed, ${failed} failed`,
  );
  return lines.join('\n');
}
