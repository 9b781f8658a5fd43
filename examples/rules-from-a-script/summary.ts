/**
 * Acting on alerts in code: Falco on a capture (`runRulesOnCapture` of `@sysray/inspector`), each alert
 * handed to a callback as it comes, and a summary (counts by rule, priority and ATT&CK tag) at the end.
 */
import { type FalcoAlert, formatDiagnostic, PRIORITIES, type Priority } from '@sysray/falco-rules';
import { type CaptureSource, runRulesOnCapture } from '@sysray/inspector';

/** What {@link evaluateCapture} returns, and what `main.ts` writes as JSON. */
export interface AlertSummary {
  /** Total number of alerts. */
  alerts: number;
  /** Alerts per rule name, most frequent first. */
  byRule: Record<string, number>;
  /** Alerts per priority, most severe first; only priorities that occurred. */
  byPriority: Partial<Record<Priority, number>>;
  /** Alerts per MITRE ATT&CK tag of the rule (`mitre_*` tactics and `T….` technique ids). */
  byMitreTag: Record<string, number>;
  /** Time of the first and last alert (ISO 8601, nanoseconds), `null` without alerts. */
  firstAlert: string | null;
  lastAlert: string | null;
  /** Every alert at or above the `notable` priority, in capture order. */
  notable: FalcoAlert[];
}

/** Options of {@link evaluateCapture}. */
export interface EvaluateOptions {
  /** Alerts at this priority or more severe go into `notable` (default `Warning`). */
  notable?: Priority;
  /** Called with each alert, in capture order, before the next event is read. */
  onAlert?: (alert: FalcoAlert) => void;
  /** Host name put in the alerts (default: the capture's machine info). */
  hostname?: string;
  /** Called with the rules' load warnings (Falco prints them with -v). */
  onWarnings?: (messages: string[]) => void;
}

const MITRE_TAG = /^(mitre_|T\d{4})/;

/** `true` when priority `p` is at least as severe as `threshold`. */
export function atLeast(p: Priority, threshold: Priority): boolean {
  return PRIORITIES.indexOf(p) <= PRIORITIES.indexOf(threshold);
}

function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** Folds alerts into an {@link AlertSummary}. */
export class AlertCounter {
  private readonly rules = new Map<string, number>();
  private readonly priorities = new Map<Priority, number>();
  private readonly mitre = new Map<string, number>();
  private readonly notable: FalcoAlert[] = [];
  private count = 0;
  private first: string | null = null;
  private last: string | null = null;

  constructor(private readonly threshold: Priority = 'Warning') {}

  add(alert: FalcoAlert): void {
    this.count++;
    this.first ??= alert.time;
    this.last = alert.time;
    this.rules.set(alert.rule, (this.rules.get(alert.rule) ?? 0) + 1);
    this.priorities.set(alert.priority, (this.priorities.get(alert.priority) ?? 0) + 1);
    for (const tag of alert.tags)
      if (MITRE_TAG.test(tag)) this.mitre.set(tag, (this.mitre.get(tag) ?? 0) + 1);
    if (atLeast(alert.priority, this.threshold)) this.notable.push(alert);
  }

  summary(): AlertSummary {
    const byPriority: Partial<Record<Priority, number>> = {};
    for (const p of PRIORITIES) {
      const n = this.priorities.get(p);
      if (n !== undefined) byPriority[p] = n;
    }
    return {
      alerts: this.count,
      byRule: sortedCounts(this.rules),
      byPriority,
      byMitreTag: sortedCounts(this.mitre),
      firstAlert: this.first,
      lastAlert: this.last,
      notable: [...this.notable],
    };
  }
}

/**
 * Loads `rules` (files in order: later files may use the lists and macros of earlier ones), runs them over
 * `capture` (a `.scap` path, plain or gzip, bytes or a stream) reporting every matching rule of an event,
 * and summarises the alerts.
 * @throws InspectorError `RULES_LOAD` (with Falco's diagnostics) or `BAD_CAPTURE`.
 */
export async function evaluateCapture(
  capture: CaptureSource,
  rules: readonly string[],
  options: EvaluateOptions = {},
): Promise<AlertSummary> {
  const counter = new AlertCounter(options.notable);
  const alerts = runRulesOnCapture(capture, rules, {
    ruleMatching: 'all',
    ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
    onDiagnostics: (diagnostics) => options.onWarnings?.(diagnostics.map(formatDiagnostic)),
  });
  for await (const alert of alerts) {
    options.onAlert?.(alert);
    counter.add(alert);
  }
  return counter.summary();
}
