/** A compiled ruleset: rules indexed by event type, evaluated with compiled closures. */
import type { Expr } from './ast.js';
import { compileExpr, type Predicate } from './compiler/compile.js';
import type { EventTypeSet } from './compiler/evttypes.js';
import { specializeByEventType } from './compiler/specialize.js';
import type { EventTypeInfo, FieldSet } from './fields.js';
import type { CompiledOutput } from './output/format.js';
import type { Priority } from './priority.js';

/** One compiled rule. */
export interface CompiledRule<E> {
  /** Rule name. */
  name: string;
  /** Description (`desc`). */
  desc: string;
  /** Priority. */
  priority: Priority;
  /** Event source (`syscall` by default). */
  source: string;
  /** Tags, sorted and unique (Falco keeps them in a set). */
  tags: readonly string[];
  /** Whether the rule runs; see {@link Ruleset.setEnabled}. */
  enabled: boolean;
  /** The condition as written (appends applied, before exceptions, lists and macros). */
  condition: string;
  /** The condition after exceptions, lists and macros, printed as Falco's `condition_compiled`. */
  compiledCondition: string;
  /** The resolved condition AST. */
  ast: Expr;
  /** The output format (after `%container.info` removal). */
  output: CompiledOutput<E>;
  /** The compiled condition. */
  test: Predicate<E>;
  /** Event-type codes the rule can match (`null`: all), per the source's field set. */
  eventTypes: EventTypeSet;
  /** File the rule was defined in. */
  file: string;
  /** Line of the rule's definition. */
  line: number;
}

/** Options of {@link Ruleset.evaluate}. */
export interface EvaluateOptions {
  /** Event source of the event; default `syscall`. */
  source?: string;
}

/** A rule as the index calls it: with its condition specialised for the event type when possible. */
interface IndexEntry<E> {
  rule: CompiledRule<E>;
  test: Predicate<E>;
}

interface SourceIndex<E> {
  info: EventTypeInfo<E> | undefined;
  byCode: IndexEntry<E>[][];
  anyType: IndexEntry<E>[];
}

const ALWAYS: Predicate<unknown> = () => true;

/**
 * Rules of one or more sources, indexed by event type as Falco's `evttype_index_ruleset`: a rule
 * that cannot match an event's type is never called. Rules are tried in load order.
 */
export class Ruleset<E> {
  /** Every compiled rule, enabled or not, in load order. */
  readonly rules: readonly CompiledRule<E>[];
  private readonly sets: ReadonlyMap<string, readonly FieldSet<E>[]>;
  private index = new Map<string, SourceIndex<E>>();
  /** The last source looked up in {@link index}, and its entry (most calls name the same source). */
  private lastSource: string | undefined;
  private lastIndex: SourceIndex<E> | undefined;
  /** Per rule, its predicate for each event code (`null`: cannot match), kept across rebuilds. */
  private readonly specialized = new WeakMap<CompiledRule<E>, (Predicate<E> | null)[]>();

  constructor(rules: readonly CompiledRule<E>[], fieldSets: readonly FieldSet<E>[]) {
    this.rules = rules;
    const sets = new Map<string, FieldSet<E>[]>();
    for (const fs of fieldSets) {
      const list = sets.get(fs.source);
      if (list) list.push(fs);
      else sets.set(fs.source, [fs]);
    }
    this.sets = sets;
    this.rebuild();
  }

  /** Rebuilds the event-type index (after enabling or disabling rules). */
  private rebuild(): void {
    this.index.clear();
    this.lastSource = undefined;
    this.lastIndex = undefined;
    for (const [source, sets] of this.sets) {
      const info = sets.find((s) => s.eventTypes)?.eventTypes;
      const count = info?.count ?? 0;
      const byCode: IndexEntry<E>[][] = Array.from({ length: count }, () => []);
      const anyType: IndexEntry<E>[] = [];
      for (const r of this.rules) {
        if (!r.enabled || r.source !== source) continue;
        if (r.eventTypes === null || !info) anyType.push({ rule: r, test: r.test });
        if (!info) continue;
        const perCode = this.predicatesByCode(r, info, sets);
        for (let c = 0; c < count; c++) {
          if (r.eventTypes !== null && !r.eventTypes[c]) continue;
          const test = perCode[c];
          if (test !== null) byCode[c]!.push({ rule: r, test: test ?? r.test });
        }
      }
      this.index.set(source, { info, byCode, anyType });
    }
  }

  /**
   * The rule's predicate for each code: its condition folded for the code's known `evt.type` (shared by codes
   * with the same outcome), `null` where the folded condition is false, `undefined` (the rule's own test)
   * where the code has no static name.
   */
  private predicatesByCode(
    r: CompiledRule<E>,
    info: EventTypeInfo<E>,
    sets: readonly FieldSet<E>[],
  ): (Predicate<E> | null | undefined)[] {
    const known = this.specialized.get(r);
    if (known) return known;
    const perCode: (Predicate<E> | null)[] = new Array(info.count);
    if (info.name && r.eventTypes !== null) {
      const codes: number[] = [];
      for (let c = 0; c < info.count; c++) if (r.eventTypes[c]) codes.push(c);
      for (const group of specializeByEventType(r.ast, codes, info).groups) {
        const test =
          group.folded === false
            ? null
            : group.folded === true
              ? (ALWAYS as Predicate<E>)
              : compileExpr(group.folded, sets);
        for (const c of group.codes) perCode[c] = test;
      }
    }
    this.specialized.set(r, perCode);
    return perCode;
  }

  private candidates(event: E, source: string): IndexEntry<E>[] {
    let idx: SourceIndex<E> | undefined;
    if (source === this.lastSource) idx = this.lastIndex;
    else {
      idx = this.index.get(source);
      this.lastSource = source;
      this.lastIndex = idx;
    }
    if (!idx) return [];
    if (!idx.info) return idx.anyType;
    const code = idx.info.of(event);
    return idx.byCode[code] ?? idx.anyType;
  }

  /** The first enabled rule (in load order) whose condition holds (`rule_matching: first`). */
  evaluate(event: E, options?: EvaluateOptions): CompiledRule<E> | undefined {
    const list = this.candidates(event, options?.source ?? 'syscall');
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (entry.test(event)) return entry.rule;
    }
    return undefined;
  }

  /** Every enabled rule whose condition holds (`rule_matching: all`), appended to `out`. */
  evaluateAll(event: E, options?: EvaluateOptions, out: CompiledRule<E>[] = []): CompiledRule<E>[] {
    const list = this.candidates(event, options?.source ?? 'syscall');
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (entry.test(event)) out.push(entry.rule);
    }
    return out;
  }

  /** Enables or disables rules by name or predicate; returns how many changed. */
  setEnabled(which: string | ((rule: CompiledRule<E>) => boolean), enabled: boolean): number {
    const match = typeof which === 'string' ? (r: CompiledRule<E>) => r.name === which : which;
    let n = 0;
    for (const r of this.rules) {
      if (match(r) && r.enabled !== enabled) {
        r.enabled = enabled;
        n++;
      }
    }
    if (n > 0) this.rebuild();
    return n;
  }

  /** Looks up a rule by name. */
  rule(name: string): CompiledRule<E> | undefined {
    return this.rules.find((r) => r.name === name);
  }
}
