/**
 * Compiles a condition AST (macros and lists already resolved) into one closure per node.
 * Type checks happen here, once: an operator that does not fit a field's type, a literal that does
 * not parse as the field's type, an unknown field — all are {@link RuleError}s with the position.
 */
import type { BinaryCheckExpr, BinaryOperator, Expr, ListModifier } from '../ast.js';
import type { FieldScalar, FieldSet, FieldValue } from '../fields.js';
import { compileGlob } from './glob.js';
import { type CompiledOperand, compileError, compileOperand } from './operand.js';
import { compileRe2 } from './re2.js';
import {
  asBytes,
  type IpNet,
  ipKey,
  ipValueKey,
  type NumLiteral,
  netContains,
  parseBool,
  parseHex,
  parseIp,
  parseNet,
  parseNumber,
  scalarToString,
  type TypeClass,
  typeClass,
} from './values.js';

/** A compiled condition. */
export type Predicate<E> = (event: E) => boolean;

type ScalarPred = (v: FieldScalar) => boolean;

const LIST_OPS = new Set<BinaryOperator>(['in', 'intersects', 'pmatch']);

const ALLOWED: Record<TypeClass, ReadonlySet<BinaryOperator>> = {
  string: new Set<BinaryOperator>([
    '=',
    '==',
    '!=',
    '<',
    '<=',
    '>',
    '>=',
    'contains',
    'icontains',
    'bcontains',
    'startswith',
    'bstartswith',
    'endswith',
    'glob',
    'iglob',
    'regex',
    'in',
    'intersects',
    'pmatch',
  ]),
  number: new Set<BinaryOperator>(['=', '==', '!=', '<', '<=', '>', '>=', 'in', 'intersects']),
  bool: new Set<BinaryOperator>(['=', '==', '!=', 'in', 'intersects']),
  bytes: new Set<BinaryOperator>([
    '=',
    '==',
    '!=',
    'contains',
    'bcontains',
    'startswith',
    'bstartswith',
    'endswith',
    'in',
    'intersects',
  ]),
  ipaddr: new Set<BinaryOperator>(['=', '==', '!=', 'in', 'intersects']),
  ipnet: new Set<BinaryOperator>(['=', '==', '!=', 'in', 'intersects']),
};

function str(v: FieldScalar): string {
  return typeof v === 'string' ? v : scalarToString(v);
}

function numCmp(v: FieldScalar, lit: NumLiteral): number {
  if (typeof v === 'number') return v - lit.num;
  if (typeof v === 'bigint') {
    if (lit.big !== undefined) return v < lit.big ? -1 : v > lit.big ? 1 : 0;
    return Number(v) - lit.num;
  }
  if (typeof v === 'boolean') return (v ? 1 : 0) - lit.num;
  if (typeof v === 'string' && v.length > 0) return Number(v) - lit.num;
  return Number.NaN;
}

function bytesIndexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function ordered(op: BinaryOperator, c: number): boolean {
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '!=':
      return !Number.isNaN(c) && c !== 0;
    default:
      return c === 0;
  }
}

/** A predicate over one extracted scalar for `op literal`. */
function scalarPredicate(
  op: BinaryOperator,
  cls: TypeClass,
  typeName: string,
  lit: string,
  node: BinaryCheckExpr,
): ScalarPred {
  const bad = (what: string) =>
    compileError(
      'LOAD_ERR_COMPILE_CONDITION',
      `could not parse '${lit}' as ${what} for operator '${op}'`,
      node.right.loc,
    );
  if (op === 'bcontains' || op === 'bstartswith') {
    const needle = parseHex(lit);
    if (!needle) throw bad('a hex byte string');
    return op === 'bcontains'
      ? (v) => bytesIndexOf(asBytes(v), needle) >= 0
      : (v) => {
          const b = asBytes(v);
          return b.length >= needle.length && bytesIndexOf(b.subarray(0, needle.length), needle) === 0;
        };
  }
  switch (cls) {
    case 'string':
    case 'bytes': {
      switch (op) {
        case '=':
        case '==':
          return (v) => str(v) === lit;
        case '!=':
          return (v) => str(v) !== lit;
        case '<':
          return (v) => str(v) < lit;
        case '<=':
          return (v) => str(v) <= lit;
        case '>':
          return (v) => str(v) > lit;
        case '>=':
          return (v) => str(v) >= lit;
        case 'contains':
          return (v) => str(v).includes(lit);
        case 'icontains': {
          const low = lit.toLowerCase();
          return (v) => str(v).toLowerCase().includes(low);
        }
        case 'startswith':
          return (v) => str(v).startsWith(lit);
        case 'endswith':
          return (v) => str(v).endsWith(lit);
        case 'glob':
        case 'iglob': {
          const m = compileGlob(lit, op === 'iglob');
          return (v) => m(str(v));
        }
        case 'regex': {
          let m: (s: string) => boolean;
          try {
            m = compileRe2(lit);
          } catch (e) {
            throw compileError('LOAD_ERR_COMPILE_CONDITION', (e as Error).message, node.right.loc);
          }
          return (v) => m(str(v));
        }
        default:
          break;
      }
      break;
    }
    case 'number': {
      const n = parseNumber(lit, node.left.kind === 'field' ? (typeName as never) : 'DYN');
      if (!n) throw bad(`a number of type ${typeName}`);
      if (op === '=' || op === '==') {
        const { num, big } = n;
        return (v) =>
          typeof v === 'number'
            ? v === num
            : typeof v === 'bigint' && big !== undefined
              ? v === big
              : numCmp(v, n) === 0;
      }
      return (v) => ordered(op, numCmp(v, n));
    }
    case 'bool': {
      const b = parseBool(lit);
      if (b === undefined) throw bad('a boolean (true or false)');
      return op === '!=' ? (v) => (v === true || v === 1) !== b : (v) => (v === true || v === 1) === b;
    }
    case 'ipaddr': {
      if (lit.includes('/')) {
        const net = parseNet(lit);
        if (!net) throw bad('an IP network');
        const inNet = ipInNet(net);
        return op === '!=' ? (v) => !inNet(v) : inNet;
      }
      const addr = parseIp(lit);
      if (!addr) throw bad('an IP address');
      const key = ipKey(addr);
      return op === '!=' ? (v) => ipValueKey(v) !== key : (v) => ipValueKey(v) === key;
    }
    case 'ipnet': {
      const net = parseNet(lit);
      if (!net) throw bad('an IP network');
      const inNet = ipInNet(net);
      return op === '!=' ? (v) => !inNet(v) : inNet;
    }
  }
  throw compileError('LOAD_ERR_COMPILE_CONDITION', `operator '${op}' is not supported here`, node.loc);
}

function ipInNet(net: IpNet): ScalarPred {
  return (v) => {
    const bytes = typeof v === 'string' ? parseIp(v) : v instanceof Uint8Array ? v : undefined;
    return bytes !== undefined && netContains(net, bytes);
  };
}

/** Membership test for `in` / `intersects` against literal items. */
function memberPredicate(
  cls: TypeClass,
  typeName: string,
  items: string[],
  node: BinaryCheckExpr,
): ScalarPred {
  switch (cls) {
    case 'string':
    case 'bytes': {
      const set = new Set(items);
      return (v) => set.has(str(v));
    }
    case 'number': {
      const set = new Set<number>();
      const bigs = new Set<bigint>();
      for (const it of items) {
        const n = parseNumber(it, typeName as never);
        if (!n)
          throw compileError(
            'LOAD_ERR_COMPILE_CONDITION',
            `could not parse '${it}' as a number of type ${typeName}`,
            node.right.loc,
          );
        set.add(n.num);
        if (n.big !== undefined) bigs.add(n.big);
      }
      return (v) => (typeof v === 'bigint' ? bigs.has(v) : set.has(typeof v === 'number' ? v : Number(v)));
    }
    case 'bool': {
      const set = new Set<boolean>();
      for (const it of items) {
        const b = parseBool(it);
        if (b === undefined)
          throw compileError(
            'LOAD_ERR_COMPILE_CONDITION',
            `could not parse '${it}' as a boolean`,
            node.right.loc,
          );
        set.add(b);
      }
      return (v) => set.has(v === true || v === 1);
    }
    default: {
      const preds = items.map((it) => scalarPredicate('=', cls, typeName, it, node));
      return (v) => {
        for (const p of preds) if (p(v)) return true;
        return false;
      };
    }
  }
}

/** Path-prefix match (`pmatch`): the value is one of the paths or lies below one of them. */
function pmatchPredicate(items: string[]): ScalarPred {
  const prefixes = items.map((p) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p));
  return (v) => {
    const s = str(v);
    for (const p of prefixes) {
      if (s === p) return true;
      if (s.startsWith(p) && (p === '/' || s.charCodeAt(p.length) === 47)) return true;
    }
    return false;
  };
}

function quantify(mod: ListModifier, preds: ScalarPred[]): ScalarPred {
  const n = preds.length;
  if (mod === 'anyof') {
    return (v) => {
      for (let i = 0; i < n; i++) if (preds[i]!(v)) return true;
      return false;
    };
  }
  if (mod === 'allof') {
    return (v) => {
      for (let i = 0; i < n; i++) if (!preds[i]!(v)) return false;
      return true;
    };
  }
  return (v) => {
    let hits = 0;
    for (let i = 0; i < n; i++) if (preds[i]!(v) && ++hits > 1) return false;
    return hits === 1;
  };
}

/**
 * Lifts a scalar predicate over an extracted value. A missing value is false; a list value is true
 * when any element matches (`!=` on a list: no element equals).
 */
function lift<E>(left: CompiledOperand<E>, sp: ScalarPred, negatedListEq?: ScalarPred): Predicate<E> {
  const g = left.get;
  return (e) => {
    const v = g(e);
    if (v === undefined) return false;
    if (typeof v !== 'object' || v instanceof Uint8Array) return sp(v);
    const arr = v as readonly FieldScalar[];
    if (negatedListEq) {
      for (let i = 0; i < arr.length; i++) if (negatedListEq(arr[i]!)) return false;
      return true;
    }
    for (let i = 0; i < arr.length; i++) if (sp(arr[i]!)) return true;
    return false;
  };
}

/** {@link lift}'s test of one extracted value (without `negatedListEq`). */
function liftValue(v: FieldValue | undefined, sp: ScalarPred): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'object' || v instanceof Uint8Array) return sp(v);
  const arr = v as readonly FieldScalar[];
  for (let i = 0; i < arr.length; i++) if (sp(arr[i]!)) return true;
  return false;
}

/**
 * {@link lift} fused with the most common scalar tests, so that a check costs one call plus its extractor:
 * the test is inlined for string values of string checks and number values of number checks; any other
 * value takes {@link lift}'s path with `sp`. `undefined` when the check has no fused form.
 */
function fusedLift<E>(
  left: CompiledOperand<E>,
  op: BinaryOperator,
  cls: TypeClass,
  typeName: string,
  lit: string,
  sp: ScalarPred,
  node: BinaryCheckExpr,
): Predicate<E> | undefined {
  if (left.list) return undefined;
  const g = left.get;
  if (cls === 'string' || cls === 'bytes') {
    switch (op) {
      case '=':
      case '==':
        return (e) => {
          const v = g(e);
          return typeof v === 'string' ? v === lit : liftValue(v, sp);
        };
      case '!=':
        return (e) => {
          const v = g(e);
          return typeof v === 'string' ? v !== lit : liftValue(v, sp);
        };
      case 'contains':
        return (e) => {
          const v = g(e);
          return typeof v === 'string' ? v.includes(lit) : liftValue(v, sp);
        };
      case 'startswith':
        return (e) => {
          const v = g(e);
          return typeof v === 'string' ? v.startsWith(lit) : liftValue(v, sp);
        };
      case 'endswith':
        return (e) => {
          const v = g(e);
          return typeof v === 'string' ? v.endsWith(lit) : liftValue(v, sp);
        };
      default:
        return undefined;
    }
  }
  if (cls === 'number') {
    const n = parseNumber(lit, node.left.kind === 'field' ? (typeName as never) : 'DYN');
    if (!n) return undefined;
    const num = n.num;
    switch (op) {
      case '=':
      case '==':
        return (e) => {
          const v = g(e);
          return typeof v === 'number' ? v === num : liftValue(v, sp);
        };
      case '<':
        return (e) => {
          const v = g(e);
          return typeof v === 'number' ? v - num < 0 : liftValue(v, sp);
        };
      case '<=':
        return (e) => {
          const v = g(e);
          return typeof v === 'number' ? v - num <= 0 : liftValue(v, sp);
        };
      case '>':
        return (e) => {
          const v = g(e);
          return typeof v === 'number' ? v - num > 0 : liftValue(v, sp);
        };
      case '>=':
        return (e) => {
          const v = g(e);
          return typeof v === 'number' ? v - num >= 0 : liftValue(v, sp);
        };
      default:
        return undefined;
    }
  }
  if (cls === 'bool' && (op === '=' || op === '==')) {
    const b = parseBool(lit);
    if (b === undefined) return undefined;
    return (e) => {
      const v = g(e);
      return typeof v === 'boolean' ? v === b : liftValue(v, sp);
    };
  }
  return undefined;
}

function asList(v: FieldValue): readonly FieldScalar[] {
  return typeof v === 'object' && !(v instanceof Uint8Array)
    ? (v as readonly FieldScalar[])
    : [v as FieldScalar];
}

/** `field op val(other)` or `field op transformer(...)`: both sides extracted per event. */
function dynamicPredicate<E>(
  op: BinaryOperator,
  left: CompiledOperand<E>,
  right: CompiledOperand<E>,
  node: BinaryCheckExpr,
): Predicate<E> {
  const cls = typeClass(left.type);
  const lg = left.get;
  const rg = right.get;
  let cacheKey: string | undefined;
  let cachePred: ScalarPred | undefined;
  const predFor = (rhs: FieldScalar): ScalarPred | undefined => {
    const key = str(rhs);
    if (key !== cacheKey || !cachePred) {
      try {
        cachePred = scalarPredicate(op, cls, left.type, key, node);
      } catch {
        return undefined;
      }
      cacheKey = key;
    }
    return cachePred;
  };
  return (e) => {
    const a = lg(e);
    if (a === undefined) return false;
    const b = rg(e);
    if (b === undefined) return false;
    if (op === 'in' || op === 'intersects' || op === 'pmatch') {
      const rhs = asList(b).map(str);
      const p =
        op === 'pmatch'
          ? pmatchPredicate(rhs)
          : memberPredicate(cls === 'number' || cls === 'bool' ? 'string' : cls, left.type, rhs, node);
      const la = asList(a);
      if (op === 'in' && la.length > 1) return la.every((x) => p(typeof x === 'string' ? x : str(x)));
      return la.some((x) => p(typeof x === 'string' ? x : str(x)));
    }
    const rb = asList(b);
    if (rb.length !== 1) return false;
    const p = predFor(rb[0]!);
    if (!p) return false;
    const la = asList(a);
    if (op === '!=') return la.every(p);
    return la.some(p);
  };
}

/** {@link lengthsOf} index for every length from this one up. */
const LONG = 255;

/** Which string lengths occur among `items`: `1` at index `length` (lengths from {@link LONG} up share it). */
function lengthsOf(items: readonly string[]): Uint8Array {
  const out = new Uint8Array(LONG + 1);
  for (const it of items) out[Math.min(it.length, LONG)] = 1;
  return out;
}

function compileBinary<E>(sets: readonly FieldSet<E>[], node: BinaryCheckExpr): Predicate<E> {
  const left = compileOperand(sets, node.left, 'lhs');
  const cls = typeClass(left.type);
  const op = node.op;
  if (!ALLOWED[cls].has(op)) {
    throw compileError(
      'LOAD_ERR_COMPILE_CONDITION',
      `operator '${op}' is not supported for field type ${left.type}`,
      node.loc,
    );
  }
  const right = node.right;
  if (node.modifier) {
    const items =
      right.kind === 'list' ? right.items.map((i) => i.value) : right.kind === 'value' ? [right.value] : [];
    const preds = items.map((it) => scalarPredicate(op, cls, left.type, it, node));
    return lift(left, quantify(node.modifier, preds));
  }
  if (right.kind === 'transformer') {
    const rhs = compileOperand(sets, right, 'rhs');
    return dynamicPredicate(op, left, rhs, node);
  }
  if (LIST_OPS.has(op)) {
    const items = right.kind === 'list' ? right.items.map((i) => i.value) : [right.value];
    if (op === 'pmatch') return lift(left, pmatchPredicate(items));
    const member = memberPredicate(cls, left.type, items, node);
    if (!left.list && (cls === 'string' || cls === 'bytes')) {
      // The member test inlined for string values (what `member` does for them). A value whose length no
      // item has is out without hashing it (values built per event are not hashed yet).
      const set = new Set(items);
      const lengths = lengthsOf(items);
      const g = left.get;
      return (e) => {
        const v = g(e);
        if (typeof v !== 'string') return liftValue(v, member);
        return lengths[Math.min(v.length, LONG)] === 1 && set.has(v);
      };
    }
    if (op === 'in' && left.list) {
      // libsinsp list fields: `in` holds when every extracted value is in the set.
      const g = left.get;
      return (e) => {
        const v = g(e);
        if (v === undefined) return false;
        const arr = asList(v);
        if (arr.length === 0) return false;
        for (let i = 0; i < arr.length; i++) if (!member(arr[i]!)) return false;
        return true;
      };
    }
    return lift(left, member);
  }
  if (right.kind !== 'value') {
    throw compileError('LOAD_ERR_COMPILE_CONDITION', `operator '${op}' requires a single value`, right.loc);
  }
  const sp = scalarPredicate(op, cls, left.type, right.value, node);
  if (op === '!=' && left.list)
    return lift(left, sp, scalarPredicate('=', cls, left.type, right.value, node));
  return fusedLift(left, op, cls, left.type, right.value, sp, node) ?? lift(left, sp);
}

function all<E>(ps: Predicate<E>[]): Predicate<E> {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [Predicate<E>, Predicate<E>];
    return (e) => a(e) && b(e);
  }
  if (ps.length === 3) {
    const [a, b, c] = ps as [Predicate<E>, Predicate<E>, Predicate<E>];
    return (e) => a(e) && b(e) && c(e);
  }
  const n = ps.length;
  return (e) => {
    for (let i = 0; i < n; i++) if (!ps[i]!(e)) return false;
    return true;
  };
}

function any<E>(ps: Predicate<E>[]): Predicate<E> {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [Predicate<E>, Predicate<E>];
    return (e) => a(e) || b(e);
  }
  if (ps.length === 3) {
    const [a, b, c] = ps as [Predicate<E>, Predicate<E>, Predicate<E>];
    return (e) => a(e) || b(e) || c(e);
  }
  const n = ps.length;
  return (e) => {
    for (let i = 0; i < n; i++) if (ps[i]!(e)) return true;
    return false;
  };
}

/**
 * Compiles a resolved condition to a predicate over events. Throws {@link RuleError}: code
 * `LOAD_UNKNOWN_FILTER` for a field no field set defines, `LOAD_ERR_COMPILE_CONDITION` otherwise.
 */
export function compileExpr<E>(expr: Expr, sets: readonly FieldSet<E>[]): Predicate<E> {
  return compileNode(expr, sets, (c) => compileExpr(c, sets));
}

/**
 * Compiles one node of a condition, its sub-conditions with `child` (so that a caller can substitute its own
 * predicates for some of them, see `SharedConditionCompiler`). Throws as {@link compileExpr}.
 */
export function compileNode<E>(
  expr: Expr,
  sets: readonly FieldSet<E>[],
  child: (e: Expr) => Predicate<E>,
): Predicate<E> {
  switch (expr.kind) {
    case 'and':
      return all(expr.children.map(child));
    case 'or':
      return any(expr.children.map(child));
    case 'not': {
      const p = child(expr.child);
      return (e) => !p(e);
    }
    case 'identifier':
      throw tagError(
        compileError('LOAD_ERR_VALIDATE', `Undefined macro '${expr.name}' used in filter.`, expr.loc),
        expr,
      );
    case 'unary':
      try {
        const g = compileOperand(sets, expr.left, 'lhs').get;
        return (e) => g(e) !== undefined;
      } catch (err) {
        throw tagError(err, expr);
      }
    case 'binary':
      try {
        return compileBinary(sets, expr);
      } catch (err) {
        throw tagError(err, expr);
      }
  }
}

const errorNodes = new WeakMap<object, Expr>();

function tagError(err: unknown, node: Expr): unknown {
  if (err !== null && typeof err === 'object' && !errorNodes.has(err)) errorNodes.set(err, node);
  return err;
}

/** The check a compile error was raised for (to map its position back to its source text). */
export function errorNode(err: unknown): Expr | undefined {
  return err !== null && typeof err === 'object' ? errorNodes.get(err) : undefined;
}
