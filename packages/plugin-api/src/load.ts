/** {@link loadPlugin}: one entry point for native libraries and TypeScript definitions. */
import { IsolatedDriver } from './isolate.js';
import { NativeDriver } from './native.js';
import { Plugin } from './plugin.js';
import { TsDriver, type TsPluginDefinition } from './ts-plugin.js';

/** Options of {@link loadPlugin}. */
export interface LoadOptions {
  /**
   * Runs a native plugin in a child process and streams its batches back, so a plugin that crashes fails
   * its calls with `CRASHED` instead of ending this process. An isolated plugin sources events only: its
   * extraction capability is off (`info.broken` says why) and `eventToString` gives `undefined`.
   */
  isolate?: boolean;
}

/**
 * Loads a plugin: a path to a shared library built against plugin API 3.x, or a TypeScript definition
 * (see {@link definePlugin}). The API version and required symbols are checked as Falco checks them.
 * Call {@link Plugin.init} next.
 * @throws PluginError `LOAD_FAILED`, `API_VERSION`, `MISSING_SYMBOL`, `BAD_METADATA`, `CRASHED` (isolated)
 */
export function loadPlugin(
  // biome-ignore lint/suspicious/noExplicitAny: definitions of any parsed-event and config types are accepted
  plugin: string | TsPluginDefinition<any, any>,
  options: LoadOptions = {},
): Plugin {
  if (typeof plugin !== 'string') return new Plugin(new TsDriver(plugin));
  return new Plugin(options.isolate ? new IsolatedDriver(plugin) : new NativeDriver(plugin));
}

/** A plugin to load plus its init config, as the CLI takes them (`LIB.so[:CONFIG]`). */
export interface PluginSpec {
  // biome-ignore lint/suspicious/noExplicitAny: see loadPlugin
  plugin: string | TsPluginDefinition<any, any>;
  config?: string | Record<string, unknown>;
  /** Load a native plugin isolated in a child process (see {@link LoadOptions.isolate}). */
  isolate?: boolean;
}

/**
 * Parses Falco's `LIB.so[:CONFIG]` plugin argument: the config is what follows the first `:` after the
 * library name (`.so`), else after the first `:`.
 */
export function parsePluginArg(arg: string): PluginSpec {
  const so = /^(.*?\.so(?:\.[\d.]+)?)(?::([\s\S]*))?$/.exec(arg);
  if (so) return so[2] === undefined ? { plugin: so[1]! } : { plugin: so[1]!, config: so[2] };
  const i = arg.indexOf(':');
  return i < 0 ? { plugin: arg } : { plugin: arg.slice(0, i), config: arg.slice(i + 1) };
}

/** Loads and initialises a plugin spec. */
export async function loadAndInit(spec: PluginSpec | string): Promise<Plugin> {
  const s = typeof spec === 'string' ? parsePluginArg(spec) : spec;
  const p = loadPlugin(s.plugin, { isolate: s.isolate === true });
  try {
    await p.init(s.config ?? '');
  } catch (e) {
    p.destroy();
    throw e;
  }
  return p;
}
