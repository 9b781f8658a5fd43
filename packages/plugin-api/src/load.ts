/** {@link loadPlugin}: one entry point for native libraries and TypeScript definitions. */
import { NativeDriver } from './native.js';
import { Plugin } from './plugin.js';
import { TsDriver, type TsPluginDefinition } from './ts-plugin.js';

/**
 * Loads a plugin: a path to a shared library built against plugin API 3.x, or a TypeScript definition
 * (see {@link definePlugin}). The API version and required symbols are checked as Falco checks them.
 * Call {@link Plugin.init} next.
 * @throws PluginError `LOAD_FAILED`, `API_VERSION`, `MISSING_SYMBOL`, `BAD_METADATA`
 */
// biome-ignore lint/suspicious/noExplicitAny: definitions of any parsed-event and config types are accepted
export function loadPlugin(plugin: string | TsPluginDefinition<any, any>): Plugin {
  return new Plugin(typeof plugin === 'string' ? new NativeDriver(plugin) : new TsDriver(plugin));
}

/** A plugin to load plus its init config, as the CLI takes them (`LIB.so[:CONFIG]`). */
export interface PluginSpec {
  // biome-ignore lint/suspicious/noExplicitAny: see loadPlugin
  plugin: string | TsPluginDefinition<any, any>;
  config?: string | Record<string, unknown>;
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
  const p = loadPlugin(s.plugin);
  try {
    await p.init(s.config ?? '');
  } catch (e) {
    p.destroy();
    throw e;
  }
  return p;
}
