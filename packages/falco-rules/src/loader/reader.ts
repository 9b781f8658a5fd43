/**
 * Reads rules-file YAML into the collector, with Falco's validation, `append`/`override` handling,
 * deprecation and unknown-key warnings. The first error stops loading (as Falco does).
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments, type YAMLMap } from 'yaml';
import { parsePriority } from '../priority.js';
import {
  type Ctx,
  type ExceptionInfo,
  type ExEntry,
  failAt,
  type ListInfo,
  LoadFailure,
  type MacroInfo,
  type PendingWarning,
  type PluginRequirement,
  type RuleInfo,
  type TextSegment,
} from './info.js';
import { type SourceFile, whereNode } from './source.js';

/** Falco's message for the deprecated `append: true`. */
export const WARNING_APPEND =
  "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
/** Falco's message for a standalone `enabled` key. */
export const WARNING_ENABLED =
  "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
/** Falco's error for `override` together with `append: true`. */
export const ERROR_OVERRIDE_APPEND =
  "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
/** Falco's error for appending to a macro that does not exist. */
export const ERROR_NO_PREVIOUS_MACRO =
  "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists";
/** Falco's error for appending to a list that does not exist. */
export const ERROR_NO_PREVIOUS_LIST =
  "List uses 'append' or 'override.items: append' but no list by that name already exists";
/** Falco's error for appending to a rule that does not exist. */
export const ERROR_NO_PREVIOUS_RULE_APPEND =
  "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists";
/** Falco's error for replacing in a rule that does not exist. */
export const ERROR_NO_PREVIOUS_RULE_REPLACE =
  "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists";

const RGX_IDENTIFIER = '([a-zA-Z]+[a-zA-Z0-9_]*)';
const RGX_BARESTR = `([^()"'[:space:]=,]+)`;
const IDENTIFIER_RE = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;
const BARESTR_RE = /^[^()"'\t\n\v\f\r =,]+$/;

const RULE_KEYS = new Set([
  'rule',
  'desc',
  'condition',
  'output',
  'priority',
  'source',
  'enabled',
  'tags',
  'exceptions',
  'append',
  'override',
  'warn_evttypes',
  'skip-if-unknown-filter',
  'capture',
  'capture_duration',
]);
const MACRO_KEYS = new Set(['macro', 'condition', 'append', 'override']);
const LIST_KEYS = new Set(['list', 'items', 'append', 'override']);
const OVERRIDABLE_APPEND = ['condition', 'output', 'desc', 'tags', 'exceptions'];
const OVERRIDABLE_REPLACE = [
  'condition',
  'output',
  'desc',
  'priority',
  'tags',
  'exceptions',
  'enabled',
  'warn_evttypes',
  'skip-if-unknown-filter',
];

/** Operators an exception `comps` may use (libsinsp's supported operators). */
export const SUPPORTED_OPERATORS = new Set([
  'exists',
  '<=',
  '<',
  '>=',
  '>',
  '==',
  '=',
  '!=',
  'glob',
  'iglob',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'regex',
  'intersects',
  'in',
  'pmatch',
]);

/** Everything collected from the rules files, in definition order. */
export class Collector {
  lists = new Map<string, ListInfo>();
  macros = new Map<string, MacroInfo>();
  rules = new Map<string, RuleInfo>();
  requiredEngineVersion: { version: string; ctx: Ctx } | undefined;
  requiredPlugins: PluginRequirement[] = [];
  warnings: PendingWarning[] = [];
  private index = 0;

  /** Callback: whether a source is known (rules of unknown sources are skipped with a warning). */
  constructor(
    readonly isKnownSource: (source: string) => boolean,
    readonly isFieldDefined: (source: string, field: string) => boolean,
    readonly engineVersion: string,
  ) {}

  warn(code: PendingWarning['code'], message: string, ctx: Ctx, node?: Node | null): void {
    this.warnings.push({
      code,
      message,
      where: whereNode(ctx.src, node === undefined ? ctx.node : node),
      ctx,
    });
  }

  nextIndex(): number {
    return this.index++;
  }
}

function isNullNode(n: Node | null | undefined): boolean {
  if (n === null || n === undefined) return true;
  if (!isScalar(n)) return false;
  if (n.type !== 'PLAIN') return false;
  const v = n.value;
  return v === null || v === '' || v === '~' || v === 'null' || v === 'Null' || v === 'NULL';
}

function child(map: YAMLMap, key: string): Node | undefined {
  for (const p of map.items) {
    const k = p.key;
    if (isScalar(k) && String(k.value) === key)
      return (p.value as Node | null) ?? ({ range: k.range } as unknown as Node);
  }
  return undefined;
}

function has(map: YAMLMap, key: string): boolean {
  return map.items.some((p) => isScalar(p.key) && String(p.key.value) === key);
}

function keyNode(map: YAMLMap, key: string): Node | undefined {
  for (const p of map.items) if (isScalar(p.key) && String(p.key.value) === key) return p.key as Node;
  return undefined;
}

function decodeString(map: YAMLMap, key: string, ctx: Ctx): string {
  const val = child(map, key);
  if (val === undefined) throw failAt('LOAD_ERR_YAML_VALIDATE', `Item has no mapping for key '${key}'`, ctx);
  if (isNullNode(val)) throw failAt('LOAD_ERR_YAML_VALIDATE', `Mapping for key '${key}' is empty`, ctx);
  if (!isScalar(val)) throw failAt('LOAD_ERR_YAML_VALIDATE', 'Value is not a scalar value', ctx, val);
  const s = String(val.value);
  if (s.length === 0) throw failAt('LOAD_ERR_YAML_VALIDATE', 'Value must be non-empty', ctx, val);
  return s;
}

function parseYamlBool(s: string): boolean | undefined {
  if (['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'y', 'Y'].includes(s)) return true;
  if (['false', 'False', 'FALSE', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'n', 'N'].includes(s)) return false;
  return undefined;
}

function decodeBool(map: YAMLMap, key: string, ctx: Ctx): boolean {
  const s = decodeString(map, key, ctx);
  const b = parseYamlBool(s);
  if (b === undefined)
    throw failAt('LOAD_ERR_YAML_VALIDATE', "Can't decode YAML scalar value", ctx, child(map, key));
  return b;
}

function optionalBool(map: YAMLMap, key: string, ctx: Ctx): boolean | undefined {
  return has(map, key) ? decodeBool(map, key, ctx) : undefined;
}

function decodeSeq(map: YAMLMap, key: string, ctx: Ctx): string[] {
  const val = child(map, key);
  if (val === undefined) throw failAt('LOAD_ERR_YAML_VALIDATE', `Item has no mapping for key '${key}'`, ctx);
  if (!isSeq(val)) throw failAt('LOAD_ERR_YAML_VALIDATE', 'Value is not a sequence', ctx, val);
  const out: string[] = [];
  for (const v of val.items as Node[]) {
    if (!isScalar(v)) throw failAt('LOAD_ERR_YAML_VALIDATE', 'sequence value is not scalar', ctx, v);
    out.push(String(v.value ?? ''));
  }
  return out;
}

function sortedUnique(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}

function warnUnknownKeys(c: Collector, map: YAMLMap, known: Set<string>, ctx: Ctx): void {
  for (const p of map.items) {
    if (!isScalar(p.key)) continue;
    const k = String(p.key.value);
    if (!known.has(k))
      c.warn(
        'LOAD_UNKNOWN_KEY',
        `Unknown key '${k}' in ${ctx.kind} definition: it is ignored`,
        ctx,
        p.key as Node,
      );
  }
}

function decodeOverrides(
  map: YAMLMap,
  appendable: readonly string[],
  replaceable: readonly string[],
  ctx: Ctx,
): { append: Set<string>; replace: Set<string> } {
  const append = new Set<string>();
  const replace = new Set<string>();
  const val = child(map, 'override');
  if (val === undefined) return { append, replace };
  if (!isMap(val)) throw failAt('LOAD_ERR_YAML_VALIDATE', "Value of 'override' must be a mapping", ctx, val);
  for (const p of val.items) {
    const key = isScalar(p.key) ? String(p.key.value) : '';
    const op = isScalar(p.value) ? String(p.value.value) : '';
    const canAppend = appendable.includes(key);
    const canReplace = replaceable.includes(key);
    if (op === 'append') {
      if (!canAppend) {
        throw failAt(
          'LOAD_ERR_YAML_VALIDATE',
          `Key '${key}' cannot be appended to, use 'replace' instead`,
          ctx,
          p.key as Node,
        );
      }
      append.add(key);
    } else if (op === 'replace') {
      if (!canReplace)
        throw failAt('LOAD_ERR_YAML_VALIDATE', `Key '${key}' cannot be replaced`, ctx, p.key as Node);
      replace.add(key);
    } else {
      const allowed = `${canAppend ? 'append ' : ''}${canReplace ? 'replace ' : ''}`;
      throw failAt(
        'LOAD_ERR_YAML_VALIDATE',
        `Invalid override operation for key '${key}': '${op}'. Allowed values are: ${allowed}`,
        ctx,
        (p.value as Node | null) ?? (p.key as Node),
      );
    }
  }
  return { append, replace };
}

function decodeExEntry(val: Node | undefined, ctx: Ctx): ExEntry | undefined {
  if (val === undefined) return undefined;
  if (isScalar(val)) {
    const s = String(val.value ?? '');
    if (s.length === 0) throw failAt('LOAD_ERR_YAML_VALIDATE', 'Value must be non-empty', ctx, val);
    return { isList: false, item: s };
  }
  if (isSeq(val)) {
    const items: ExEntry[] = [];
    for (const v of val.items as Node[]) {
      const e = decodeExEntry(v, ctx);
      if (e === undefined) throw failAt('LOAD_ERR_YAML_VALIDATE', 'Item has no mapping for key', ctx, v);
      items.push(e);
    }
    return { isList: true, items };
  }
  return undefined;
}

function readExceptions(c: Collector, map: YAMLMap, ctx: Ctx, append: boolean): ExceptionInfo[] {
  const exs = child(map, 'exceptions');
  const out: ExceptionInfo[] = [];
  if (exs === undefined || isNullNode(exs)) return out;
  if (!isSeq(exs)) throw failAt('LOAD_ERR_YAML_VALIDATE', 'Rule exceptions must be a sequence', ctx, exs);
  for (const ex of exs.items as Node[]) {
    if (!isMap(ex)) throw failAt('LOAD_ERR_YAML_VALIDATE', 'Rule exception must be a mapping', ctx, ex);
    const tmp: Ctx = { src: ctx.src, node: ex, kind: 'exception' };
    const name = decodeString(ex, 'name', tmp);
    const exCtx: Ctx = { src: ctx.src, node: ex, kind: 'exception', name };
    if (out.some((e) => e.name === name)) {
      c.warn(
        'LOAD_EXCEPTION_NAME_NOT_UNIQUE',
        `Multiple definitions of exception '${name}' in the same rule`,
        exCtx,
      );
    }
    const fieldsNode = child(ex, 'fields');
    if (fieldsNode === undefined && !append) {
      throw failAt('LOAD_ERR_YAML_VALIDATE', "Item has no mapping for key 'fields'", exCtx);
    }
    const info: ExceptionInfo = { name, values: [], ctx: exCtx };
    const fields = decodeExEntry(fieldsNode, exCtx);
    if (fields) info.fields = fields;
    const comps = decodeExEntry(child(ex, 'comps'), exCtx);
    if (comps) info.comps = comps;
    const vals = child(ex, 'values');
    if (vals !== undefined && !isNullNode(vals)) {
      if (!isSeq(vals))
        throw failAt('LOAD_ERR_YAML_VALIDATE', 'Rule exception values must be a sequence', exCtx, vals);
      for (const v of vals.items as Node[]) {
        const e = decodeExEntry(v, exCtx);
        if (e === undefined)
          throw failAt('LOAD_ERR_YAML_VALIDATE', "Item has no mapping for key 'values'", exCtx, v);
        info.values.push(e);
      }
    } else if (append) {
      c.warn('LOAD_APPEND_NO_VALUES', 'Overriding/appending exception with no values', exCtx);
    }
    out.push(info);
  }
  return out;
}

function validateException(c: Collector, source: string | undefined, ex: ExceptionInfo): void {
  const fields = ex.fields;
  if (!fields) {
    throw failAt(
      'LOAD_ERR_VALIDATE',
      'Rule exception item must have fields property with a list of fields',
      ex.ctx,
    );
  }
  if (fields.isList) {
    if (!ex.comps) ex.comps = { isList: true, items: fields.items.map(() => ({ isList: false, item: '=' })) };
    const comps = ex.comps;
    if (!comps.isList || comps.items.length !== fields.items.length) {
      throw failAt('LOAD_ERR_VALIDATE', 'Fields and comps lists must have equal length', ex.ctx);
    }
    for (const v of comps.items) {
      if (v.isList || !SUPPORTED_OPERATORS.has(v.item)) {
        throw failAt(
          'LOAD_ERR_VALIDATE',
          `'${v.isList ? '' : v.item}' is not a supported comparison operator`,
          ex.ctx,
        );
      }
    }
    if (source !== undefined) {
      for (const f of fields.items) {
        if (f.isList || !c.isFieldDefined(source, f.item)) {
          throw failAt(
            'LOAD_ERR_VALIDATE',
            `'${f.isList ? '' : f.item}' is not a supported filter field`,
            ex.ctx,
          );
        }
      }
    }
  } else {
    if (!ex.comps) ex.comps = { isList: false, item: 'in' };
    const comps = ex.comps;
    if (comps.isList) throw failAt('LOAD_ERR_VALIDATE', 'Fields and comps must both be strings', ex.ctx);
    if (comps.item !== 'in' && comps.item !== 'pmatch' && comps.item !== 'intersects') {
      throw failAt(
        'LOAD_ERR_VALIDATE',
        'When fields is a single value, comps must be one of (in, pmatch, intersects)',
        ex.ctx,
      );
    }
    if (source !== undefined && !c.isFieldDefined(source, fields.item)) {
      throw failAt('LOAD_ERR_VALIDATE', `'${fields.item}' is not a supported filter field`, ex.ctx);
    }
  }
}

function segment(value: string, src: SourceFile, node: Node | undefined): TextSegment {
  return { offset: 0, value, src, node: node ?? null };
}

function appendText(
  base: { text: string; segments: TextSegment[] },
  extra: string,
  src: SourceFile,
  node: Node | undefined,
): { text: string; segments: TextSegment[] } {
  const text = `${base.text} ${extra}`;
  return {
    text,
    segments: [...base.segments, { offset: base.text.length + 1, value: extra, src, node: node ?? null }],
  };
}

/** Parses a semver `x.y.z`; undefined if invalid. */
export function parseSemver(v: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function semverGte(a: [number, number, number], b: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}

function readEngineVersion(c: Collector, map: YAMLMap, ctx: Ctx): void {
  const raw = decodeString(map, 'required_engine_version', ctx);
  const version = /^\d+$/.test(raw) ? `0.${Number(raw)}.0` : raw;
  const req = parseSemver(version);
  if (!req) {
    throw failAt(
      'LOAD_ERR_YAML_VALIDATE',
      `Unable to parse engine version '${raw}' as a semver string. Expected "x.y.z" semver format.`,
      ctx,
    );
  }
  const ours = parseSemver(c.engineVersion) ?? [0, 0, 0];
  if (!semverGte(ours, req) || ours[0] !== req[0]) {
    throw failAt(
      'LOAD_ERR_VALIDATE',
      `Rules require engine version ${version}, but engine version is ${c.engineVersion}`,
      ctx,
    );
  }
  const prev = c.requiredEngineVersion ? parseSemver(c.requiredEngineVersion.version) : undefined;
  if (!prev || !semverGte(prev, req)) c.requiredEngineVersion = { version, ctx };
}

function readPluginVersions(c: Collector, map: YAMLMap, ctx: Ctx): void {
  const node = child(map, 'required_plugin_versions');
  if (!isSeq(node))
    throw failAt('LOAD_ERR_YAML_VALIDATE', 'Value of required_plugin_versions must be a sequence', ctx, node);
  for (const p of node.items as Node[]) {
    const tmp: Ctx = { src: ctx.src, node: p, kind: 'required_plugin_versions' };
    if (!isMap(p)) throw failAt('LOAD_ERR_YAML_VALIDATE', 'Plugin version must be a mapping', tmp);
    const name = decodeString(p, 'name', tmp);
    const pctx: Ctx = { ...tmp, name };
    const version = decodeString(p, 'version', pctx);
    const req: PluginRequirement = { name, version, alternatives: [] };
    const alts = child(p, 'alternatives');
    if (alts !== undefined) {
      if (!isSeq(alts))
        throw failAt(
          'LOAD_ERR_YAML_VALIDATE',
          'Value of plugin version alternatives must be a sequence',
          pctx,
          alts,
        );
      for (const a of alts.items as Node[]) {
        const actx: Ctx = { src: ctx.src, node: a, kind: 'required_plugin_versions' };
        if (!isMap(a))
          throw failAt('LOAD_ERR_YAML_VALIDATE', 'Plugin version alternative must be a mapping', actx);
        const an = decodeString(a, 'name', actx);
        req.alternatives.push({ name: an, version: decodeString(a, 'version', { ...actx, name: an }) });
      }
    }
    const names = new Set<string>();
    for (const r of [{ name: req.name, version: req.version }, ...req.alternatives]) {
      if (!/^\d+\.\d+\.\d+/.test(r.version)) {
        throw failAt(
          'LOAD_ERR_VALIDATE',
          `Invalid required version '${r.version}' for plugin '${r.name}'`,
          pctx,
        );
      }
      if (names.has(r.name)) {
        throw failAt(
          'LOAD_ERR_VALIDATE',
          `Defined multiple alternative version requirements for plugin '${r.name}'`,
          pctx,
        );
      }
      names.add(r.name);
    }
    c.requiredPlugins.push(req);
  }
}

function defineInfo<T extends { name: string; index: number; visibility: number }>(
  infos: Map<string, T>,
  info: T,
  id: number,
): void {
  const prev = infos.get(info.name);
  if (prev) {
    info.index = prev.index;
    info.visibility = id;
    infos.set(info.name, info);
  } else {
    info.index = id;
    info.visibility = id;
    infos.set(info.name, info);
  }
}

function readList(c: Collector, map: YAMLMap, parent: Ctx): void {
  const tmp: Ctx = { ...parent, node: map, kind: 'list' };
  const name = decodeString(map, 'list', tmp);
  const ctx: Ctx = { ...tmp, name };
  if (!BARESTR_RE.test(name)) {
    c.warn(
      'LOAD_INVALID_LIST_NAME',
      `List has an invalid name. List names should match a regular expression: ${RGX_BARESTR}`,
      ctx,
    );
  }
  warnUnknownKeys(c, map, LIST_KEYS, ctx);
  const items = decodeSeq(map, 'items', ctx);
  let append = optionalBool(map, 'append', ctx) ?? false;
  if (append) c.warn('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
  const ov = decodeOverrides(map, ['items'], ['items'], ctx);
  if (append && ov.append.size + ov.replace.size > 0)
    throw failAt('LOAD_ERR_YAML_VALIDATE', ERROR_OVERRIDE_APPEND, ctx);
  append ||= ov.append.has('items');
  const id = c.nextIndex();
  if (append) {
    const prev = c.lists.get(name);
    if (!prev) throw failAt('LOAD_ERR_VALIDATE', ERROR_NO_PREVIOUS_LIST, ctx);
    prev.items.push(...items);
    prev.visibility = id;
  } else {
    defineInfo(c.lists, { name, items, index: 0, visibility: 0, ctx }, id);
  }
}

function readMacro(c: Collector, map: YAMLMap, parent: Ctx): void {
  const tmp: Ctx = { ...parent, node: map, kind: 'macro' };
  const name = decodeString(map, 'macro', tmp);
  const ctx: Ctx = { ...tmp, name };
  if (!IDENTIFIER_RE.test(name)) {
    c.warn(
      'LOAD_INVALID_MACRO_NAME',
      `Macro has an invalid name. Macro names should match a regular expression: ${RGX_IDENTIFIER}`,
      ctx,
    );
  }
  warnUnknownKeys(c, map, MACRO_KEYS, ctx);
  const cond = decodeString(map, 'condition', ctx);
  const condNode = child(map, 'condition');
  let append = optionalBool(map, 'append', ctx) ?? false;
  if (append) c.warn('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
  const ov = decodeOverrides(map, ['condition'], ['condition'], ctx);
  if (append && ov.append.size + ov.replace.size > 0)
    throw failAt('LOAD_ERR_YAML_VALIDATE', ERROR_OVERRIDE_APPEND, ctx);
  append ||= ov.append.has('condition');
  const id = c.nextIndex();
  if (append) {
    const prev = c.macros.get(name);
    if (!prev) throw failAt('LOAD_ERR_VALIDATE', ERROR_NO_PREVIOUS_MACRO, ctx);
    const next = appendText({ text: prev.cond, segments: prev.segments }, cond, ctx.src, condNode);
    prev.cond = next.text;
    prev.segments = next.segments;
    prev.visibility = id;
  } else {
    defineInfo(
      c.macros,
      { name, cond, segments: [segment(cond, ctx.src, condNode)], index: 0, visibility: 0, ctx },
      id,
    );
  }
}

interface RuleUpdate {
  cond?: string;
  condNode?: Node;
  output?: string;
  outputNode?: Node;
  desc?: string;
  tags?: string[];
  exceptions?: ExceptionInfo[];
  priority?: RuleInfo['priority'];
  enabled?: boolean;
  warnEvttypes?: boolean;
  skipIfUnknownFilter?: boolean;
}

function hasAnyValue(u: RuleUpdate): boolean {
  return (
    u.cond !== undefined ||
    u.output !== undefined ||
    u.desc !== undefined ||
    u.tags !== undefined ||
    u.exceptions !== undefined ||
    u.priority !== undefined ||
    u.enabled !== undefined ||
    u.warnEvttypes !== undefined ||
    u.skipIfUnknownFilter !== undefined
  );
}

function decodePriority(map: YAMLMap, ctx: Ctx): RuleInfo['priority'] {
  const raw = decodeString(map, 'priority', ctx);
  const p = parsePriority(raw);
  if (!p) throw failAt('LOAD_ERR_YAML_VALIDATE', 'Invalid priority', ctx, child(map, 'priority'));
  return p;
}

function sourceOf(prev: RuleInfo): string | undefined {
  return prev.unknownSource ? undefined : prev.source;
}

function appendRule(c: Collector, u: RuleUpdate, ctx: Ctx): void {
  const prev = c.rules.get(ctx.name!);
  if (!prev) throw failAt('LOAD_ERR_VALIDATE', ERROR_NO_PREVIOUS_RULE_APPEND, ctx);
  if (!hasAnyValue(u))
    throw failAt('LOAD_ERR_VALIDATE', 'Appended rule must have exceptions or condition property', ctx);
  if (u.cond !== undefined && u.cond.length > 0) {
    const next = appendText({ text: prev.cond, segments: prev.segments }, u.cond, ctx.src, u.condNode);
    prev.cond = next.text;
    prev.segments = next.segments;
  }
  if (u.output !== undefined && u.output.length > 0) prev.output = `${prev.output} ${u.output}`;
  if (u.desc !== undefined && u.desc.length > 0) prev.desc = `${prev.desc} ${u.desc}`;
  if (u.tags) prev.tags = sortedUnique([...prev.tags, ...u.tags]);
  for (const ex of u.exceptions ?? []) {
    const existing = prev.exceptions.find((e) => e.name === ex.name);
    if (!existing) {
      if (!ex.fields)
        throw failAt(
          'LOAD_ERR_VALIDATE',
          'Rule exception must have fields property with a list of fields',
          ex.ctx,
        );
      if (ex.values.length === 0) {
        throw failAt(
          'LOAD_ERR_VALIDATE',
          'Rule exception must have values property with a list of values',
          ex.ctx,
        );
      }
      validateException(c, sourceOf(prev), ex);
      prev.exceptions.push(ex);
    } else {
      if (ex.fields)
        throw failAt(
          'LOAD_ERR_VALIDATE',
          'Can not append exception fields to existing exception, only values',
          ex.ctx,
        );
      if (ex.comps)
        throw failAt(
          'LOAD_ERR_VALIDATE',
          'Can not append exception comps to existing exception, only values',
          ex.ctx,
        );
      existing.values.push(...ex.values);
    }
  }
  prev.visibility = c.nextIndex();
}

function replaceRule(c: Collector, u: RuleUpdate, ctx: Ctx): void {
  const prev = c.rules.get(ctx.name!);
  if (!prev) throw failAt('LOAD_ERR_VALIDATE', ERROR_NO_PREVIOUS_RULE_REPLACE, ctx);
  if (!hasAnyValue(u))
    throw failAt('LOAD_ERR_VALIDATE', 'The rule must have at least one field that can be replaced', ctx);
  if (u.cond !== undefined) {
    prev.cond = u.cond;
    prev.segments = [segment(u.cond, ctx.src, u.condNode)];
  }
  if (u.output !== undefined) {
    prev.output = u.output;
    prev.outputCtx = { ...ctx, node: u.outputNode ?? ctx.node };
  }
  if (u.desc !== undefined) prev.desc = u.desc;
  if (u.tags !== undefined) prev.tags = u.tags;
  if (u.exceptions !== undefined) prev.exceptions = u.exceptions;
  if (u.priority !== undefined) prev.priority = u.priority;
  if (u.enabled !== undefined) prev.enabled = u.enabled;
  if (u.warnEvttypes !== undefined) prev.warnEvttypes = u.warnEvttypes;
  if (u.skipIfUnknownFilter !== undefined) prev.skipIfUnknownFilter = u.skipIfUnknownFilter;
  prev.visibility = c.nextIndex();
}

function readRule(c: Collector, map: YAMLMap, parent: Ctx): void {
  const tmp: Ctx = { ...parent, node: map, kind: 'rule' };
  const name = decodeString(map, 'rule', tmp);
  const ctx: Ctx = { ...tmp, name };
  warnUnknownKeys(c, map, RULE_KEYS, ctx);
  const appendFlag = optionalBool(map, 'append', ctx) ?? false;
  if (appendFlag) c.warn('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
  const ov = decodeOverrides(map, OVERRIDABLE_APPEND, OVERRIDABLE_REPLACE, ctx);
  const hasOverrides = ov.append.size + ov.replace.size > 0;
  if (appendFlag && hasOverrides) throw failAt('LOAD_ERR_YAML_VALIDATE', ERROR_OVERRIDE_APPEND, ctx);

  if (hasOverrides) {
    const expected = new Set<string>();
    for (const k of [...OVERRIDABLE_APPEND, ...OVERRIDABLE_REPLACE]) if (has(map, k)) expected.add(k);
    const take = (set: Set<string>, kind: string, key: string): boolean => {
      if (!set.has(key)) return false;
      if (!expected.has(key)) {
        throw failAt(
          'LOAD_ERR_YAML_VALIDATE',
          `An ${kind} override for '${key}' was specified but '${key}' is not defined`,
          ctx,
        );
      }
      expected.delete(key);
      return true;
    };
    const read = (set: Set<string>, kind: string): RuleUpdate => {
      const u: RuleUpdate = {};
      if (take(set, kind, 'condition')) {
        u.cond = decodeString(map, 'condition', ctx);
        const n = child(map, 'condition');
        if (n) u.condNode = n;
      }
      if (take(set, kind, 'exceptions')) u.exceptions = readExceptions(c, map, ctx, kind === 'append');
      if (take(set, kind, 'output')) {
        u.output = decodeString(map, 'output', ctx);
        const n = child(map, 'output');
        if (n) u.outputNode = n;
      }
      if (take(set, kind, 'desc')) u.desc = decodeString(map, 'desc', ctx);
      if (take(set, kind, 'tags')) u.tags = sortedUnique(decodeSeq(map, 'tags', ctx));
      if (take(set, kind, 'priority')) u.priority = decodePriority(map, ctx);
      if (take(set, kind, 'enabled')) u.enabled = decodeBool(map, 'enabled', ctx);
      if (take(set, kind, 'warn_evttypes')) u.warnEvttypes = decodeBool(map, 'warn_evttypes', ctx);
      if (take(set, kind, 'skip-if-unknown-filter'))
        u.skipIfUnknownFilter = decodeBool(map, 'skip-if-unknown-filter', ctx);
      return u;
    };
    if (ov.append.size > 0) appendRule(c, read(ov.append, 'append'), ctx);
    if (ov.replace.size > 0) replaceRule(c, read(ov.replace, 'replace'), ctx);
    for (const key of expected) {
      throw failAt(
        'LOAD_ERR_YAML_VALIDATE',
        `Unexpected key '${key}': no corresponding entry under 'override' is defined.`,
        ctx,
        keyNode(map, key),
      );
    }
    return;
  }
  if (appendFlag) {
    const u: RuleUpdate = {};
    if (has(map, 'condition')) {
      u.cond = decodeString(map, 'condition', ctx);
      const n = child(map, 'condition');
      if (n) u.condNode = n;
    }
    if (has(map, 'exceptions')) u.exceptions = readExceptions(c, map, ctx, true);
    appendRule(c, u, ctx);
    return;
  }
  if (!has(map, 'condition') && !has(map, 'output') && !has(map, 'desc') && !has(map, 'priority')) {
    const enabled = decodeBool(map, 'enabled', ctx);
    c.warn('LOAD_DEPRECATED_ITEM', WARNING_ENABLED, ctx);
    const prev = c.rules.get(name);
    if (!prev)
      throw failAt(
        'LOAD_ERR_VALIDATE',
        "Rule has 'enabled' key but no rule by that name already exists",
        ctx,
      );
    prev.enabled = enabled;
    return;
  }
  const cond = decodeString(map, 'condition', ctx);
  const condNode = child(map, 'condition');
  const output = decodeString(map, 'output', ctx).trim();
  const outputNode = child(map, 'output');
  const desc = decodeString(map, 'desc', ctx);
  const priority = decodePriority(map, ctx);
  const source = has(map, 'source') ? decodeString(map, 'source', ctx) : 'syscall';
  const info: RuleInfo = {
    name,
    cond,
    segments: [segment(cond, ctx.src, condNode)],
    output,
    outputCtx: { ...ctx, node: outputNode ?? map },
    desc,
    priority,
    source,
    enabled: optionalBool(map, 'enabled', ctx) ?? true,
    warnEvttypes: optionalBool(map, 'warn_evttypes', ctx) ?? true,
    skipIfUnknownFilter: optionalBool(map, 'skip-if-unknown-filter', ctx) ?? false,
    tags: has(map, 'tags') ? sortedUnique(decodeSeq(map, 'tags', ctx)) : [],
    exceptions: readExceptions(c, map, ctx, false),
    capture: optionalBool(map, 'capture', ctx) ?? false,
    captureDuration: has(map, 'capture_duration') ? Number(decodeString(map, 'capture_duration', ctx)) : 0,
    unknownSource: false,
    index: 0,
    visibility: 0,
    ctx,
  };
  const prev = c.rules.get(name);
  if (prev && prev.source !== info.source) {
    throw failAt('LOAD_ERR_VALIDATE', 'Rule has been re-defined with a different source', ctx);
  }
  const known = c.isKnownSource(source);
  if (!known) {
    info.unknownSource = true;
    c.warn('LOAD_UNKNOWN_SOURCE', `Unknown source ${source}, skipping`, ctx);
  }
  for (const ex of info.exceptions) validateException(c, known ? source : undefined, ex);
  defineInfo(c.rules, info, c.nextIndex());
}

function readItem(c: Collector, item: Node, parent: Ctx): void {
  if (!isMap(item)) {
    throw failAt(
      'LOAD_ERR_YAML_VALIDATE',
      'Unexpected element type. Each element should be a yaml associative array.',
      { ...parent, node: item, kind: 'item' },
    );
  }
  const ctx: Ctx = { ...parent, node: item };
  if (has(item, 'required_engine_version'))
    readEngineVersion(c, item, { ...ctx, kind: 'required_engine_version' });
  else if (has(item, 'required_plugin_versions'))
    readPluginVersions(c, item, { ...ctx, kind: 'required_plugin_versions' });
  else if (has(item, 'list')) readList(c, item, ctx);
  else if (has(item, 'macro')) readMacro(c, item, ctx);
  else if (has(item, 'rule')) readRule(c, item, ctx);
  else c.warn('LOAD_UNKNOWN_ITEM', 'Unknown top level item', { ...ctx, kind: 'item' });
}

/** Reads one rules file into the collector. Throws {@link LoadFailure} on the first error. */
export function readRulesFile(c: Collector, name: string, text: string): SourceFile {
  const lines = new LineCounter();
  const src: SourceFile = { name, text, lines };
  const docs = parseAllDocuments(text, { lineCounter: lines, schema: 'failsafe', uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const p = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
      throw new LoadFailure('LOAD_ERR_YAML_PARSE', err.message.split('\n')[0] ?? err.message, {
        file: name,
        line: p.line,
        col: p.col,
      });
    }
  }
  const parent: Ctx = { src, node: null, kind: 'file' };
  for (const doc of list) {
    const root = doc.contents as Node | null;
    if (root === null || isNullNode(root)) continue;
    if (!isSeq(root)) {
      throw failAt(
        'LOAD_ERR_YAML_VALIDATE',
        isMap(root) ? 'Rules content is not yaml array of objects' : 'Rules content is not yaml',
        parent,
        root,
      );
    }
    for (const item of root.items as Node[]) {
      if (item === null || isNullNode(item)) continue;
      readItem(c, item, parent);
    }
  }
  return src;
}
