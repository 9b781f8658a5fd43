/** Compiles the things a check compares: fields, transformers, `val(field)`, literals. */
import type { FieldLike, Span, TransformerExpr, ValueExpr } from '../ast.js';
import { RuleError } from '../errors.js';
import type { Extractor, FieldScalar, FieldSet, FieldType, FieldValue, ResolvedField } from '../fields.js';
import { resolveField } from '../fields.js';
import { scalarToString, typeClass } from './values.js';

/** A compiled operand: its type, whether it yields lists, and its extractor. */
export interface CompiledOperand<E> {
  type: FieldType;
  list: boolean;
  get: Extractor<E>;
  /** The fields it reads. */
  fields: ResolvedField<E>[];
}

/** Error codes: unknown fields are `LOAD_UNKNOWN_FILTER` so the loader can honour skip-if-unknown-filter. */
export function compileError(code: string, message: string, loc: Span | undefined): RuleError {
  if (!loc) return new RuleError(code, message);
  return new RuleError(code, message, {
    offset: loc.start.offset,
    line: loc.start.line,
    col: loc.start.column,
  });
}

/** Resolves and validates a field reference against the field sets. */
export function compileField<E>(
  sets: readonly FieldSet<E>[],
  name: string,
  arg: string | undefined,
  loc: Span | undefined,
  usage: 'condition' | 'output',
): { resolved: ResolvedField<E>; get: Extractor<E> } {
  const resolved = resolveField(sets, name, arg);
  if (!resolved) {
    const full = arg === undefined ? name : `${name}[${arg}]`;
    throw compileError('LOAD_UNKNOWN_FILTER', `filter_check called with nonexistent field ${full}`, loc);
  }
  const { def } = resolved;
  const mode = def.arg ?? 'none';
  if (mode === 'required' && resolved.arg === undefined) {
    throw compileError('LOAD_ERR_COMPILE_CONDITION', `filter ${def.name} requires an argument`, loc);
  }
  if (mode === 'none' && resolved.arg !== undefined) {
    throw compileError('LOAD_ERR_COMPILE_CONDITION', `filter ${def.name} does not accept an argument`, loc);
  }
  if (resolved.arg !== undefined && def.argKind === 'index' && !/^\d+$/.test(resolved.arg)) {
    throw compileError(
      'LOAD_ERR_COMPILE_CONDITION',
      `filter ${def.name} requires a numeric index argument`,
      loc,
    );
  }
  if (usage === 'condition' && def.printOnly) {
    throw compileError('LOAD_ERR_COMPILE_CONDITION', `field ${def.name} can only be used in outputs`, loc);
  }
  if (usage === 'output' && def.filterOnly) {
    throw compileError('LOAD_ERR_COMPILE_OUTPUT', `field ${def.name} can only be used in conditions`, loc);
  }
  let get: Extractor<E>;
  try {
    get = resolved.fieldSet.extractor(def, resolved.arg);
  } catch (e) {
    if (e instanceof RuleError) throw compileError(e.code, e.message, loc);
    throw e;
  }
  return { resolved, get };
}

const STRINGY = new Set(['string', 'bytes']);

function mapScalar<E>(inner: Extractor<E>, f: (v: FieldScalar) => FieldValue | undefined): Extractor<E> {
  return (e) => {
    const v = inner(e);
    if (v === undefined) return undefined;
    if (Array.isArray(v)) {
      const out: FieldScalar[] = [];
      for (const x of v as FieldScalar[]) {
        const r = f(x);
        if (r !== undefined && !Array.isArray(r)) out.push(r as FieldScalar);
      }
      return out;
    }
    return f(v as FieldScalar);
  };
}

function b64decode(s: string): string | undefined {
  try {
    const bin = atob(s);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
}

function basename(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1);
}

/** POSIX getopt over an argument list: option letter → argument ('' for flags). */
export function getopt(args: readonly string[], optstring: string): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.length < 2 || a[0] !== '-' || a[1] === '-') continue;
    for (let j = 1; j < a.length; j++) {
      const opt = a[j]!;
      const at = optstring.indexOf(opt);
      if (at < 0 || opt === ':') continue;
      if (optstring[at + 1] === ':') {
        const rest = a.slice(j + 1);
        if (rest.length > 0) out.set(opt, rest);
        else if (i + 1 < args.length) out.set(opt, args[++i]!);
        break;
      }
      out.set(opt, '');
    }
  }
  return out;
}

function toArgs(v: FieldValue): string[] {
  if (Array.isArray(v)) return (v as FieldScalar[]).map(scalarToString);
  return scalarToString(v as FieldScalar)
    .split(/\s+/)
    .filter((s) => s.length > 0);
}

/**
 * Compiles an operand. `position` is `lhs` for the left of a check, `rhs` right of an operator
 * (where `val()` is allowed), `item` inside `join`/`concat`.
 */
export function compileOperand<E>(
  sets: readonly FieldSet<E>[],
  node: FieldLike | ValueExpr,
  position: 'lhs' | 'rhs' | 'item',
  underTransformer = false,
): CompiledOperand<E> {
  if (node.kind === 'value') {
    const v = node.value;
    return { type: 'CHARBUF', list: false, get: () => v, fields: [] };
  }
  if (node.kind === 'field') {
    const { resolved, get } = compileField(sets, node.name, node.arg, node.loc, 'condition');
    if (underTransformer && resolved.def.noTransformer) {
      throw compileError(
        'LOAD_ERR_COMPILE_CONDITION',
        `field ${resolved.def.name} does not support transformers`,
        node.loc,
      );
    }
    return { type: resolved.def.type, list: resolved.def.isList === true, get, fields: [resolved] };
  }
  return compileTransformer(sets, node, position);
}

function compileTransformer<E>(
  sets: readonly FieldSet<E>[],
  node: TransformerExpr,
  position: 'lhs' | 'rhs' | 'item',
): CompiledOperand<E> {
  const name = node.name;
  if (name === 'val') {
    if (position !== 'rhs')
      throw compileError(
        'LOAD_ERR_COMPILE_CONDITION',
        'val() is only allowed right of an operator',
        node.loc,
      );
    const inner = compileOperand(sets, node.args[0]!, 'item');
    const def = inner.fields[0]?.def;
    if (def?.noRhs) {
      throw compileError(
        'LOAD_ERR_COMPILE_CONDITION',
        `field ${def.name} cannot be used right of an operator`,
        node.loc,
      );
    }
    return inner;
  }
  if (name === 'join' || name === 'concat') {
    const items = node.args.map((a) => compileOperand(sets, a, 'item', true));
    const sep = name === 'join' ? (node.param ?? '') : '';
    const getters = items.map((i) => i.get);
    const n = getters.length;
    return {
      type: 'CHARBUF',
      list: false,
      fields: items.flatMap((i) => i.fields),
      get: (e) => {
        let out = '';
        for (let i = 0; i < n; i++) {
          const v = getters[i]!(e);
          if (v === undefined) return undefined;
          const s = Array.isArray(v)
            ? (v as FieldScalar[]).map(scalarToString).join(',')
            : scalarToString(v as FieldScalar);
          out = i === 0 ? s : out + sep + s;
        }
        return out;
      },
    };
  }
  const inner = compileOperand(sets, node.args[0]!, 'item', true);
  const cls = typeClass(inner.type);
  if (name === 'getopt') {
    if (!STRINGY.has(cls)) {
      throw compileError(
        'LOAD_ERR_COMPILE_CONDITION',
        `transformer getopt is not supported on type ${inner.type}`,
        node.loc,
      );
    }
    const opts = node.param ?? '';
    const key = node.key;
    const g = inner.get;
    return {
      type: 'CHARBUF',
      list: key === undefined,
      fields: inner.fields,
      get: (e) => {
        const v = g(e);
        if (v === undefined) return undefined;
        const found = getopt(toArgs(v), opts);
        return key === undefined ? [...found.keys()] : found.get(key);
      },
    };
  }
  if (name === 'len') {
    if (!STRINGY.has(cls) && !inner.list) {
      throw compileError(
        'LOAD_ERR_COMPILE_CONDITION',
        `transformer len is not supported on type ${inner.type}`,
        node.loc,
      );
    }
    const g = inner.get;
    return {
      type: 'UINT64',
      list: false,
      fields: inner.fields,
      get: (e) => {
        const v = g(e);
        if (v === undefined) return undefined;
        if (Array.isArray(v)) return v.length;
        if (v instanceof Uint8Array) return v.length;
        return typeof v === 'string'
          ? new TextEncoder().encode(v).length
          : scalarToString(v as FieldScalar).length;
      },
    };
  }
  if (!STRINGY.has(cls)) {
    throw compileError(
      'LOAD_ERR_COMPILE_CONDITION',
      `transformer ${name} is not supported on type ${inner.type}`,
      node.loc,
    );
  }
  let f: (v: FieldScalar) => FieldValue | undefined;
  switch (name) {
    case 'tolower':
      f = (v) => scalarToString(v).toLowerCase();
      break;
    case 'toupper':
      f = (v) => scalarToString(v).toUpperCase();
      break;
    case 'b64':
      f = (v) => b64decode(scalarToString(v));
      break;
    default:
      f = (v) => basename(scalarToString(v));
  }
  return { type: 'CHARBUF', list: inner.list, fields: inner.fields, get: mapScalar(inner.get, f) };
}
