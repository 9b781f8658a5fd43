/** `sysray rules run --plugin …`: Falco rules on the events of a source plugin. */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type FalcoAlert,
  listRuleFiles,
  PRIORITIES,
  type Priority,
  RuleError,
  type RulesInput,
} from '@sysray/falco-rules';
import type { PluginSpec } from '@sysray/plugin-api';
import { styleAlertLine } from '../colour.js';
import type { CommandContext } from '../command.js';
import { InputError } from '../errors.js';

/** File names taken as JavaScript modules exporting a TypeScript plugin definition (anything else: a library). */
const MODULE_FILE = /\.(?:mjs|cjs|js|mts|cts|ts)$/;

/** What `rules run --plugin` needs besides the plugins. */
export interface PluginRulesOptions {
  rules: string[];
  json: boolean;
  all: boolean;
  hostname: string | undefined;
  openParams: string | undefined;
  minPriority: Priority | undefined;
  verbose: boolean;
}

/**
 * Falco's minimum priority for the plugin host, which loads rules itself: one more rules input that
 * disables every enabled rule less severe than `min`, as a local rules file would (`enabled: false` with
 * `override: {enabled: replace}`). Undefined when no rule needs disabling or the files do not read (the
 * host's own load then reports why).
 */
export function minPriorityInput(files: readonly string[], min: Priority): RulesInput | undefined {
  const listing = listRuleFiles(files);
  if (!listing.ok) return undefined;
  const max = PRIORITIES.indexOf(min);
  const quiet = listing.rules.filter((r) => r.enabled && PRIORITIES.indexOf(r.priority) > max);
  if (quiet.length === 0) return undefined;
  return {
    name: `--min-priority ${min}`,
    content: quiet
      .map((r) => `- rule: ${JSON.stringify(r.name)}\n  enabled: false\n  override:\n    enabled: replace\n`)
      .join(''),
  };
}

function describePluginError(error: Error & { code: string; lastError?: string }): string {
  const last = error.lastError;
  return last && !error.message.includes(last) ? `${error.message} (${last})` : error.message;
}

/**
 * A `--plugin` argument as the plugin host takes it: `LIB.so[:CONFIG]` stays a string (Falco's syntax);
 * `MODULE.mjs[:CONFIG]` (also `.js`, `.cjs`, and `.ts`/`.mts` where the runtime imports TypeScript) is
 * imported and its default export used as the plugin definition (`definePlugin({...})`).
 */
export async function pluginSpecOf(
  arg: string,
  parse: (arg: string) => PluginSpec,
): Promise<string | PluginSpec> {
  const spec = parse(arg);
  if (typeof spec.plugin !== 'string' || !MODULE_FILE.test(spec.plugin)) return arg;
  const path = isAbsolute(spec.plugin) ? spec.plugin : resolve(spec.plugin);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ERR_MODULE_NOT_FOUND' ? 'ENOENT' : 'LOAD_FAILED',
      `cannot import plugin module: ${(error as Error).message}`,
      spec.plugin,
    );
  }
  const def = mod.default as { name?: unknown } | undefined;
  if (!def || typeof def !== 'object' || typeof def.name !== 'string')
    throw new InputError(
      'BAD_METADATA',
      'the module’s default export is not a plugin definition (an object with a name, as definePlugin returns)',
      spec.plugin,
    );
  return {
    plugin: def as PluginSpec['plugin'],
    ...(spec.config === undefined ? {} : { config: spec.config }),
  };
}

/**
 * Runs rules on the events of the first source plugin among `plugins` (the others contribute fields) and
 * prints each alert as `rules run` does for captures.
 */
export async function runPluginRules(
  context: CommandContext,
  plugins: readonly string[],
  options: PluginRulesOptions,
): Promise<void> {
  const { stdout, stderr, colour } = context;
  // Loaded on use: the plugin host is a native addon the other commands do not need.
  const { PluginError, parsePluginArg, runRulesOnPlugin } = await import('@sysray/plugin-api');
  const specs = await Promise.all(plugins.map((p) => pluginSpecOf(p, parsePluginArg)));
  const quiet =
    options.minPriority === undefined ? undefined : minPriorityInput(options.rules, options.minPriority);
  const alerts: AsyncGenerator<FalcoAlert> = runRulesOnPlugin({
    plugins: specs,
    rules: quiet === undefined ? options.rules : [...options.rules, quiet],
    ruleMatching: options.all ? 'all' : 'first',
    ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
    ...(options.openParams === undefined ? {} : { openParams: options.openParams }),
    onWarning: (message) => {
      if (options.verbose) stderr.line(`warning: ${message}`);
    },
  });
  try {
    for await (const alert of alerts) {
      stdout.line(
        options.json ? JSON.stringify(alert) : styleAlertLine(alert.output, alert.priority, colour),
      );
      if (stdout.full) await stdout.flush();
    }
  } catch (error) {
    if (error instanceof PluginError)
      throw new InputError(error.code, describePluginError(error), error.plugin);
    if (error instanceof RuleError)
      // Formatted as formatDiagnostic formats load errors, so `rules run` reports them alike for every input.
      throw new InputError(
        'RULES_LOAD',
        error.file === undefined
          ? `${error.code}: ${error.message}`
          : `${error.file}:${error.line ?? 0}:${error.col ?? 0}: error: ${error.code}: ${error.message}`,
      );
    throw error;
  }
}
