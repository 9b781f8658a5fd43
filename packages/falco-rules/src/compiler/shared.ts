/**
 * Many rules compiled together, as a {@link Ruleset} runs them on one event: a sub-condition that several
 * rules contain (a macro such as `open_read` or `sensitive_files`) is evaluated once per event and its value
 * reused by the next rule, and in each `and` the cheap positive checks run before the compound and costly
 * parts. Checks have no side effects, so neither changes any rule's verdict, only the work done to reach it.
 */
import type { Expr, FieldLike } from '../ast.js';
import { type FieldSet, resolveField } from '../fields.js';
import { compileNode, type Predicate } from './compile.js';

/** Counts evaluated events: a remembered sub-condition value is valid while the count has not moved. */
export interface EvaluationClock {
  tick: number;
}

/** Shared sub-conditions at least this costly are remembered (one check of a stored field costs 1). */
const REMEMBER_FROM_COST = 3;

/** Operators that cost more than a comparison, whatever the field. */
const COSTLY_OPS = new Set(['glob', 'iglob', 'regex', 'pmatch', 'intersects', 'icontains']);

/** Operators whose checks are usually false on a random event (so, in an `and`, worth running first). */
const SELECTIVE_OPS = new Set([
  '=',
  '==',
  'in',
  'startswith',
  'endswith',
  'contains',
  'bstartswith',
  'exists',
]);

/** A memoising wrapper: `p` runs at most once per tick of `clock`. */
function remember<E>(p: Predicate<E>, clock: EvaluationClock): Predicate<E> {
  let at = -1;
  let value = false;
  return (e) => {
    const t = clock.tick;
    if (at === t) return value;
    value = p(e);
    at = t;
    return value;
  };
}

/**
 * Compiles the conditions of the rules that run on the same events together. Call {@link share} with the
 * conditions of each event type's rules, then {@link compile} each condition; the predicates it returns are
 * only valid when `clock.tick` moves before every event they are called on.
 */
export class SharedConditionCompiler<E> {
  private readonly keys = new WeakMap<Expr, string>();
  private readonly subKeySets = new WeakMap<Expr, ReadonlySet<string>>();
  private readonly shared = new Set<string>();
  private readonly remembered = new Map<string, Predicate<E>>();
  private readonly fieldCosts = new Map<string, number>();

  constructor(
    private readonly sets: readonly FieldSet<E>[],
    private readonly clock: EvaluationClock,
  ) {}

  /** The structural key of a condition: equal keys, equal conditions (source positions aside). */
  key(e: Expr): string {
    let k = this.keys.get(e);
    if (k === undefined) {
      k = JSON.stringify(e, (name, value) => (name === 'loc' ? undefined : value));
      this.keys.set(e, k);
    }
    return k;
  }

  private subKeys(e: Expr): ReadonlySet<string> {
    let set = this.subKeySets.get(e);
    if (set) return set;
    const out = new Set<string>();
    const walk = (x: Expr): void => {
      out.add(this.key(x));
      if (x.kind === 'and' || x.kind === 'or') for (const c of x.children) walk(c);
      else if (x.kind === 'not') walk(x.child);
    };
    walk(e);
    set = out;
    this.subKeySets.set(e, set);
    return set;
  }

  /** Marks as shared every sub-condition that at least two of `conditions` (one event type's rules) contain. */
  share(conditions: readonly Expr[]): void {
    if (conditions.length < 2) return;
    const seen = new Map<string, number>();
    for (const c of conditions) {
      for (const k of this.subKeys(c)) {
        const n = (seen.get(k) ?? 0) + 1;
        seen.set(k, n);
        if (n === 2) this.shared.add(k);
      }
    }
  }

  /** Whether {@link share} found `e` in two conditions. */
  isShared(e: Expr): boolean {
    return this.shared.has(this.key(e));
  }

  /** Compiles a condition; shared costly sub-conditions come back as one remembered predicate. */
  compile(e: Expr): Predicate<E> {
    if (!this.isShared(e) || this.cost(e) < REMEMBER_FROM_COST) return this.compileNode(e);
    const k = this.key(e);
    let p = this.remembered.get(k);
    if (!p) {
      p = remember(this.compileNode(e), this.clock);
      this.remembered.set(k, p);
    }
    return p;
  }

  private compileNode(e: Expr): Predicate<E> {
    return compileNode(this.ordered(e), this.sets, (c) => this.compile(c));
  }

  /** `e` with, in an `and`, its cheap positive checks moved (in their order) before its other parts. */
  ordered(e: Expr): Expr {
    if (e.kind !== 'and') return e;
    const first: Expr[] = [];
    const rest: Expr[] = [];
    for (const c of e.children) (this.isCheapSelective(c) ? first : rest).push(c);
    if (first.length === 0 || rest.length === 0) return e;
    const children = [...first, ...rest];
    return children.every((c, i) => c === e.children[i]) ? e : { ...e, children };
  }

  private isCheapSelective(e: Expr): boolean {
    if (e.kind !== 'binary' && e.kind !== 'unary') return false;
    if (!SELECTIVE_OPS.has(e.op)) return false;
    if (e.kind === 'binary' && (e.modifier !== undefined || e.right.kind === 'transformer')) return false;
    return e.left.kind === 'field' && this.operandCost(e.left) <= 1;
  }

  /** Estimated cost of evaluating `e` fully: one per check of a stored field, more for computed fields. */
  cost(e: Expr): number {
    switch (e.kind) {
      case 'and':
      case 'or': {
        let sum = 0;
        for (const c of e.children) sum += this.cost(c);
        return sum;
      }
      case 'not':
        return this.cost(e.child);
      case 'identifier':
        return 1;
      case 'unary':
        return this.operandCost(e.left);
      case 'binary': {
        let c = this.operandCost(e.left) + (COSTLY_OPS.has(e.op) ? 2 : 0);
        if (e.right.kind === 'transformer') c += this.operandCost(e.right);
        return c;
      }
    }
  }

  private operandCost(f: FieldLike): number {
    if (f.kind === 'transformer') {
      let c = 1;
      for (const a of f.args) if (a.kind !== 'value') c += this.operandCost(a);
      return c;
    }
    const name = f.arg === undefined ? f.name : `${f.name}[${f.arg}]`;
    let c = this.fieldCosts.get(name);
    if (c === undefined) {
      c = resolveField(this.sets, f.name, f.arg)?.def.cost ?? 1;
      this.fieldCosts.set(name, c);
    }
    return c;
  }
}
