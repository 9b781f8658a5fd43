/** A compiled ruleset: rules indexed by event type, evaluated with compiled closures. */
import type { Expr } from './ast.js';
import type { Predicate } from './compiler/compile.js';
import type { EventTypeSet } from './compiler/evttypes.js';
import { type EvaluationClock, SharedConditionCompiler } from './compiler/shared.js';
import { type Folded, specializeByEventType } from './compiler/specialize.js';
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
  /** Per rule, its condition folded for each event code, kept across rebuilds. */
  private readonly folded = new WeakMap<CompiledRule<E>, (Folded | undefined)[]>();
  /** Ticks once per evaluated event: shared sub-conditions remember their value for one tick. */
  private readonly clock: EvaluationClock = { tick: 0 };

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
      const rules = this.rules.filter((r) => r.enabled && r.source === source);
      if (!info) {
        this.index.set(source, { info, byCode: [], anyType: rules.map((r) => ({ rule: r, test: r.test })) });
        continue;
      }
      const count = info.count;
      const folded = rules.map((r) => this.foldedByCode(r, info));
      const compiler = new SharedConditionCompiler(sets, this.clock);
      for (let c = 0; c < count; c++) {
        const conditions: Expr[] = [];
        for (let k = 0; k < rules.length; k++) {
          const f = folded[k]![c];
          if (f !== undefined && typeof f !== 'boolean') conditions.push(f);
        }
        compiler.share(conditions);
      }
      const byCode: IndexEntry<E>[][] = Array.from({ length: count }, () => []);
      for (let k = 0; k < rules.length; k++) {
        const r = rules[k]!;
        const compiled = new Map<Expr, Predicate<E>>();
        for (let c = 0; c < count; c++) {
          const f = folded[k]![c];
          if (f === undefined || f === false) continue;
          let test: Predicate<E> | undefined = f === true ? (ALWAYS as Predicate<E>) : compiled.get(f);
          if (!test) {
            test = compiler.compile(f as Expr);
            compiled.set(f as Expr, test);
          }
          byCode[c]!.push({ rule: r, test });
        }
      }
      const anyType = rules.filter((r) => r.eventTypes === null).map((r) => ({ rule: r, test: r.test }));
      this.index.set(source, { info, byCode, anyType });
    }
  }

  /**
   * The rule's condition for each code: folded for the code's known `evt.type` (one object per group of codes
   * with the same outcome; `true`/`false` when decided), the condition itself where the code has no static
   * name, `undefined` where the rule's event types exclude the code.
   */
  private foldedByCode(r: CompiledRule<E>, info: EventTypeInfo<E>): (Folded | undefined)[] {
    const known = this.folded.get(r);
    if (known) return known;
    const perCode: (Folded | undefined)[] = new Array(info.count).fill(undefined);
    const codes: number[] = [];
    for (let c = 0; c < info.count; c++) if (r.eventTypes === null || r.eventTypes[c]) codes.push(c);
    if (info.name) {
      const { groups, dynamic } = specializeByEventType(r.ast, codes, info);
      for (const group of groups) for (const c of group.codes) perCode[c] = group.folded;
      for (const c of dynamic) perCode[c] = r.ast;
    } else for (const c of codes) perCode[c] = r.ast;
    this.folded.set(r, perCode);
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
    this.clock.tick = (this.clock.tick + 1) & 0x3fffffff;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (entry.test(event)) return entry.rule;
    }
    return undefined;
  }

  /** Every enabled rule whose condition holds (`rule_matching: all`), appended to `out`. */
  evaluateAll(event: E, options?: EvaluateOptions, out: CompiledRule<E>[] = []): CompiledRule<E>[] {
    const list = this.candidates(event, options?.source ?? 'syscall');
    this.clock.tick = (this.clock.tick + 1) & 0x3fffffff;
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
