/** Running Falco rules on plugin events (`sysray rules run --plugin LIB.so[:CONFIG] --rules R.yaml`). */
import { readFileSync } from 'node:fs';
import {
  type CompiledRule,
  createAlert,
  diagnosticToError,
  type FalcoAlert,
  type FieldSet,
  loadRules,
  type Ruleset,
  type RulesInput,
} from '@sysray/falco-rules';
import { ScapEvent } from '@sysray/pcapng/scap';
import { PluginError } from './errors.js';
import { loadAndInit, type PluginSpec } from './load.js';
import type { Plugin } from './plugin.js';

/** Options of {@link runRulesOnPlugin}. */
export interface RunRulesOptions {
  /**
   * Plugins: `LIB.so[:CONFIG]` strings, specs, or already initialised {@link Plugin}s. The first one with the
   * sourcing capability is the event source; the others contribute fields.
   */
  plugins: readonly (string | PluginSpec | Plugin)[];
  /** Rules files (paths) or in-memory rules. */
  rules: readonly (string | RulesInput)[];
  /** Parameters passed to the source's `open`. */
  openParams?: string;
  /** `first` (Falco's default: one alert per event) or `all`. */
  ruleMatching?: 'first' | 'all';
  /** Host name put in alerts. */
  hostname?: string;
  /** Stops the run. */
  signal?: AbortSignal;
  /** Called with each rules-loading warning (as Falco prints them). */
  onWarning?: (message: string) => void;
}

function isPlugin(p: unknown): p is Plugin {
  return typeof p === 'object' && p !== null && 'fieldSets' in p && 'info' in p;
}

/** Compiles rules against the field sets of plugins. @throws RuleError for the first load error. */
export function compilePluginRules(
  plugins: readonly Plugin[],
  rules: readonly (string | RulesInput)[],
  onWarning?: (message: string) => void,
): Ruleset<ScapEvent> {
  const fieldSets: FieldSet<ScapEvent>[] = plugins.flatMap((p, i) => p.fieldSets({ evt: i === 0 }));
  const inputs = rules.map((r) =>
    typeof r === 'string' ? { name: r, content: readFileSync(r, 'utf8') } : r,
  );
  const versions: Record<string, string> = {};
  for (const p of plugins) versions[p.info.name] = p.info.version;
  const result = loadRules(inputs, { fieldSets, plugins: versions });
  for (const d of result.diagnostics)
    if (d.level === 'warning') onWarning?.(`${d.file}:${d.line}:${d.col}: ${d.message}`);
  const err = result.diagnostics.find((d) => d.level === 'error');
  if (err || !result.ruleset)
    throw err ? diagnosticToError(err) : new PluginError('USAGE', 'rules did not load');
  return result.ruleset;
}

/**
 * Runs rules on the events of a source plugin: yields one Falco JSON alert (via `createAlert`) per matching
 * rule and event, in event order. Every plugin that parses the source's events (`parse_event`) sees each event
 * before the rules extract fields from it. Plugins loaded from specs are destroyed at the end.
 *
 * @example
 * ```ts
 * for await (const alert of runRulesOnPlugin({ plugins: ['./libtest.so:{"count":5}'], rules: ['r.yaml'] }))
 *   console.log(JSON.stringify(alert));
 * ```
 */
export async function* runRulesOnPlugin(options: RunRulesOptions): AsyncGenerator<FalcoAlert> {
  const owned: Plugin[] = [];
  const plugins: Plugin[] = [];
  try {
    for (const p of options.plugins) {
      if (isPlugin(p)) plugins.push(p);
      else {
        const loaded = await loadAndInit(p);
        owned.push(loaded);
        plugins.push(loaded);
      }
    }
    const source = plugins.find((p) => p.has('sourcing'));
    if (!source) throw new PluginError('USAGE', 'no plugin with the event sourcing capability was given');
    const ordered = [source, ...plugins.filter((p) => p !== source)];
    const ruleset = compilePluginRules(ordered, options.rules, options.onWarning);
    const sourceName = source.info.eventSource;
    const all = options.ruleMatching === 'all';
    const matched: CompiledRule<ScapEvent>[] = [];
    const alertOptions = { hostname: options.hostname ?? '', timestamp: (e: ScapEvent) => e.ts };
    // Every plugin of the run hears the capture open and close (capture listening), as in one Falco inspector.
    const capture = await source.open(
      options.openParams ?? '',
      options.signal ? { signal: options.signal, listeners: ordered } : { listeners: ordered },
    );
    const parsers = ordered.filter((p) => p.parses(sourceName));
    const ev = new ScapEvent();
    for await (const batch of capture) {
      for (let i = 0; i < batch.count; i++) {
        ev.load(batch, i);
        for (const p of parsers) p.parseEvent(ev, sourceName); // state first, as Falco parses before it extracts
        if (all) {
          matched.length = 0;
          for (const r of ruleset.evaluateAll(ev, { source: sourceName }, matched))
            yield createAlert(r, ev, alertOptions);
        } else {
          const r = ruleset.evaluate(ev, { source: sourceName });
          if (r) yield createAlert(r, ev, alertOptions);
        }
      }
    }
  } finally {
    for (const p of owned) p.destroy();
  }
}
