/**
 * Plugin fields as `@sysray/falco-rules` {@link FieldSet}s over {@link ScapEvent} cursors, plus the generic
 * `evt.*` fields libsinsp offers for plugin events.
 */
import {
  type FieldDef,
  type FieldSet,
  type FieldValue,
  normalizeFieldType,
  RuleError,
} from '@sysray/falco-rules';
import type { ScapEvent } from '@sysray/pcapng/scap';
import type { ExtractRequest, PluginDriver } from './driver.js';
import { PLUGIN_EVENT_TYPE } from './events.js';
import type { PluginField } from './types.js';

/** The rules-engine definition of a plugin field. */
export function fieldDef(f: PluginField): FieldDef {
  const def: FieldDef = { name: f.name, type: normalizeFieldType(f.type) };
  if (f.arg && (f.arg.isRequired || f.arg.isIndex || f.arg.isKey)) {
    def.arg = f.arg.isRequired ? 'required' : 'optional';
    def.argKind = f.arg.isIndex && f.arg.isKey ? 'any' : f.arg.isIndex ? 'index' : 'key';
  }
  if (f.isList) def.isList = true;
  if (f.desc !== undefined) def.desc = f.desc;
  return def;
}

/** Plugin id of a plugin event (`undefined` for other events). */
export function pluginIdOf(ev: ScapEvent): number | undefined {
  if (ev.type !== PLUGIN_EVENT_TYPE || ev.nparams < 1 || !ev.littleEndian || ev.problem !== null)
    return undefined;
  const p = ev.rawParam(0);
  return p.length === 4 ? (p[0]! | (p[1]! << 8) | (p[2]! << 16) | (p[3]! << 24)) >>> 0 : undefined;
}

/** Builds the {@link ExtractRequest} of a field reference, checking the argument as libsinsp does. */
export function extractRequest(
  fields: readonly PluginField[],
  name: string,
  arg: string | undefined,
): ExtractRequest {
  const fieldId = fields.findIndex((f) => f.name === name);
  const field = fields[fieldId];
  if (!field) throw new RuleError('LOAD_ERR_COMPILE_CONDITION', `plugin field '${name}' does not exist`);
  const a = field.arg ?? {};
  if (arg === undefined) {
    if (a.isRequired)
      throw new RuleError('LOAD_ERR_COMPILE_CONDITION', `field '${name}' requires an argument`);
    return { fieldId, field, argKey: undefined, argIndex: 0, argPresent: false };
  }
  if (!a.isIndex && !a.isKey)
    throw new RuleError('LOAD_ERR_COMPILE_CONDITION', `field '${name}' does not take an argument`);
  if (a.isIndex && !a.isKey) {
    if (!/^\d+$/.test(arg))
      throw new RuleError('LOAD_ERR_COMPILE_CONDITION', `field '${name}' requires a numeric argument`);
    return { fieldId, field, argKey: undefined, argIndex: Number(arg), argPresent: true };
  }
  return { fieldId, field, argKey: arg, argIndex: /^\d+$/.test(arg) ? Number(arg) : 0, argPresent: true };
}

/**
 * The field set of a plugin for one source: its extractors only see plugin events with the plugin's id (any
 * plugin event when the plugin has no id of its own).
 */
export function pluginFieldSet(driver: PluginDriver, source: string): FieldSet<ScapEvent> {
  const fields = driver.info.fields;
  const defs = new Map<string, FieldDef>(fields.map((f) => [f.name, fieldDef(f)]));
  const id = driver.info.id;
  return {
    source,
    field: (name) => defs.get(name),
    fields: () => defs.values(),
    extractor(def, arg) {
      const extract = driver.extractor(extractRequest(fields, def.name, arg));
      return (ev) => {
        const pid = pluginIdOf(ev);
        if (pid === undefined || (id !== 0 && pid !== id)) return undefined;
        return extract(ev);
      };
    },
  };
}

/** The payload of a plugin event (a view), or `undefined` for other events. */
export function pluginPayload(ev: ScapEvent): Uint8Array | undefined {
  if (pluginIdOf(ev) === undefined || ev.nparams < 2) return undefined;
  return ev.rawParam(1);
}

interface EvtField {
  def: FieldDef;
  get: (ev: ScapEvent) => FieldValue | undefined;
}

/**
 * The `evt.*` fields libsinsp gives plugin events, for a plugin source: `evt.num`, `evt.time` (ISO 8601),
 * `evt.rawtime`, `evt.source`, `evt.pluginname`, `evt.plugininfo` (the plugin's `event_to_string`),
 * `evt.is_async`, `evt.type`.
 */
export function pluginEventFieldSet(driver: PluginDriver, source: string): FieldSet<ScapEvent> {
  const name = driver.info.name;
  const list: EvtField[] = [
    { def: { name: 'evt.num', type: 'UINT64', desc: 'event number' }, get: (e) => e.num },
    {
      def: { name: 'evt.time', type: 'CHARBUF', desc: 'event time, ISO 8601' },
      get: (e) => {
        const ts = e.ts;
        const iso = new Date(Number(ts / 1_000_000n)).toISOString();
        return `${iso.slice(0, 19)}.${(ts % 1_000_000_000n).toString().padStart(9, '0')}Z`;
      },
    },
    {
      def: { name: 'evt.rawtime', type: 'ABSTIME', desc: 'event time, ns since the epoch' },
      get: (e) => e.ts,
    },
    { def: { name: 'evt.source', type: 'CHARBUF', desc: 'event source' }, get: () => source },
    {
      def: { name: 'evt.pluginname', type: 'CHARBUF', desc: 'plugin that produced the event' },
      get: () => name,
    },
    {
      def: { name: 'evt.plugininfo', type: 'CHARBUF', desc: "the plugin's text for the event" },
      get: (e) => (pluginIdOf(e) === undefined ? undefined : driver.eventToString(e)),
    },
    {
      def: { name: 'evt.is_async', type: 'BOOL', desc: 'whether the event is async' },
      get: (e) => e.type === 402,
    },
    { def: { name: 'evt.type', type: 'CHARBUF', desc: 'event type name' }, get: (e) => e.name },
  ];
  const byName = new Map(list.map((f) => [f.def.name, f]));
  return {
    source,
    field: (n) => byName.get(n)?.def,
    fields: () => list.map((f) => f.def),
    extractor(def) {
      return byName.get(def.name)!.get;
    },
  };
}
