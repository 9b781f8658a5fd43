/**
 * The compile stage of loading (Falco's `rule_loader::compiler`): lists expanded, macros parsed
 * and resolved with Falco's visibility rules, rule conditions built (exceptions, list substitution),
 * parsed, resolved, type-checked and compiled, outputs compiled, warnings produced.
 */
import type { Expr } from '../ast.js';
import { compileExpr, errorNode, type Predicate } from '../compiler/compile.js';
import { conditionEventTypes, type EventTypeSet, eventTypeSetSize } from '../compiler/evttypes.js';
import { RuleError } from '../errors.js';
import { type FieldSet, resolveField } from '../fields.js';
import { parseCondition } from '../grammar/parse.js';
import { compileOutput } from '../output/format.js';
import { conditionToString } from '../printer.js';
import type { CompiledRule } from '../ruleset.js';
import type { ErrorCode } from './diagnostics.js';
import { type Ctx, failAt, LoadFailure, type MacroInfo, type RuleInfo, type TextSegment } from './info.js';
import type { Collector } from './reader.js';
import { mapValueOffset, type Where, whereNode, whereOffset } from './source.js';
import { ExceptionTextError, original, substituteList, type TrackedText, withExceptions } from './text.js';

const DEPRECATED_OUTPUT_FIELDS = [
  'evt.dir',
  'evt.latency',
  'evt.latency.s',
  'evt.latency.ns',
  'evt.latency.human',
  'evt.wait_latency',
];

/** Where a parsed condition's text came from. */
interface CondSource {
  tracked: TrackedText;
  segments: TextSegment[];
  ctx: Ctx;
}

function walk(e: Expr, f: (e: Expr) => void): void {
  f(e);
  if (e.kind === 'and' || e.kind === 'or') for (const c of e.children) walk(c, f);
  else if (e.kind === 'not') walk(e.child, f);
}

/** State of one compilation. */
export class RulesCompiler<E> {
  private lists: { name: string; items: string[]; used: boolean }[] = [];
  private macroAsts = new Map<string, Expr>();
  private resolvedMacros = new Map<string, Expr>();
  private usedMacros = new Set<string>();
  private nodeSources = new WeakMap<Expr, CondSource>();
  readonly rules: CompiledRule<E>[] = [];

  constructor(
    private readonly c: Collector,
    private readonly setsFor: (source: string) => readonly FieldSet<E>[],
  ) {}

  /** Maps an offset of a parsed condition to a place in the YAML file. */
  private whereIn(src: CondSource, offset: number): Where {
    const origin = src.tracked.origin;
    const past = offset >= origin.length && origin.length > 0 && (origin[origin.length - 1] ?? -1) >= 0;
    const orig = past ? origin[origin.length - 1]! + 1 : (origin[Math.min(offset, origin.length - 1)] ?? -1);
    if (orig < 0) return whereNode(src.ctx.src, src.ctx.node);
    let seg = src.segments[0];
    for (const s of src.segments) if (s.offset <= orig) seg = s;
    if (!seg?.node) return whereNode(src.ctx.src, src.ctx.node);
    const fileOffset = mapValueOffset(seg.src, seg.node, seg.value, orig - seg.offset);
    return { ...whereOffset(seg.src, fileOffset), offset: orig - seg.offset };
  }

  private whereNodeOf(e: Expr | undefined, fallback: CondSource): Where {
    const src = (e && this.nodeSources.get(e)) ?? fallback;
    return this.whereIn(src, e ? e.loc.start.offset : 0);
  }

  private substituteLists(text: TrackedText): TrackedText {
    let t = text;
    for (const l of this.lists) {
      const r = substituteList(t, l.name, l.items);
      t = r.text;
      if (r.used) l.used = true;
    }
    return t;
  }

  private parse(text: TrackedText, segments: TextSegment[], ctx: Ctx): { ast: Expr; src: CondSource } {
    const t = this.substituteLists(text);
    const src: CondSource = { tracked: t, segments, ctx };
    let ast: Expr;
    try {
      ast = parseCondition(t.text, { maxDepth: 1000 });
    } catch (e) {
      if (e instanceof RuleError) {
        throw new LoadFailure('LOAD_ERR_COMPILE_CONDITION', e.message, this.whereIn(src, e.offset ?? 0), ctx);
      }
      throw e;
    }
    walk(ast, (n) => this.nodeSources.set(n, src));
    return { ast, src };
  }

  /** Falco's `compile_list_infos`: one level of list-in-list expansion, by visibility. */
  compileLists(): void {
    const usedNames: string[] = [];
    for (const list of this.c.lists.values()) {
      const items: string[] = [];
      for (const item of list.items) {
        const ref = this.c.lists.get(item);
        if (ref && ref.index < list.visibility) {
          usedNames.push(ref.name);
          items.push(...ref.items);
        } else items.push(item);
      }
      this.lists.push({ name: list.name, items, used: false });
    }
    for (const n of usedNames) {
      const l = this.lists.find((x) => x.name === n);
      if (l) l.used = true;
    }
  }

  private resolve(ast: Expr, visible: (m: MacroInfo) => boolean, src: CondSource, stack: string[]): Expr {
    switch (ast.kind) {
      case 'and':
      case 'or':
        return { ...ast, children: ast.children.map((c) => this.resolve(c, visible, src, stack)) };
      case 'not':
        return { ...ast, child: this.resolve(ast.child, visible, src, stack) };
      case 'identifier': {
        const m = this.c.macros.get(ast.name);
        if (!m || !visible(m)) {
          throw new LoadFailure(
            'LOAD_ERR_VALIDATE',
            `Undefined macro '${ast.name}' used in filter.`,
            this.whereNodeOf(ast, src),
            src.ctx,
          );
        }
        this.usedMacros.add(m.name);
        return this.resolvedMacro(m, stack);
      }
      default:
        return ast;
    }
  }

  private resolvedMacro(m: MacroInfo, stack: string[]): Expr {
    const done = this.resolvedMacros.get(m.name);
    if (done) return done;
    if (stack.includes(m.name)) {
      throw failAt(
        'LOAD_ERR_VALIDATE',
        `Macro '${m.name}' is defined in terms of itself (${[...stack, m.name].join(' -> ')})`,
        m.ctx,
      );
    }
    const ast = this.macroAsts.get(m.name)!;
    const src = this.nodeSources.get(ast)!;
    const resolved = this.resolve(ast, (x) => x.index < m.visibility, src, [...stack, m.name]);
    this.resolvedMacros.set(m.name, resolved);
    return resolved;
  }

  /** Falco's `compile_macros_infos`: every macro parsed, then resolved with its visibility. */
  compileMacros(): void {
    for (const m of this.c.macros.values()) {
      const { ast } = this.parse(original(m.cond), m.segments, m.ctx);
      this.macroAsts.set(m.name, ast);
    }
    for (const m of this.c.macros.values()) this.resolvedMacro(m, []);
  }

  private warn(code: Parameters<Collector['warn']>[0], message: string, where: Where, ctx: Ctx): void {
    this.c.warnings.push({ code, message, where, ctx });
  }

  private compileRule(r: RuleInfo): void {
    const sets = this.setsFor(r.source);
    let text: TrackedText = original(r.cond);
    if (r.exceptions.length > 0) {
      try {
        text = withExceptions(text, r.exceptions);
      } catch (e) {
        if (e instanceof ExceptionTextError) throw failAt('LOAD_ERR_VALIDATE', e.message, e.exception.ctx);
        throw e;
      }
    }
    let outputText = r.output;
    if (outputText.includes('%container.info')) {
      this.warn(
        'LOAD_DEPRECATED_ITEM',
        '%container.info is deprecated and no more useful, and will be dropped by Falco 1.0.0. The container plugin will automatically add required fields to the output message.',
        whereNode(r.ctx.src, r.ctx.node),
        r.ctx,
      );
      outputText = outputText.split('%container.info').join('');
    }
    let output: CompiledRule<E>['output'];
    try {
      output = compileOutput(outputText, sets);
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      const where = whereNode(r.outputCtx.src, r.outputCtx.node);
      if (r.skipIfUnknownFilter && e.message.includes('invalid formatting token')) {
        this.warn('LOAD_UNKNOWN_FILTER', e.message, where, r.ctx);
        return;
      }
      throw new LoadFailure('LOAD_ERR_COMPILE_OUTPUT', e.message, where, r.ctx);
    }
    for (const f of DEPRECATED_OUTPUT_FIELDS) {
      if (output.fieldNames.includes(f)) {
        this.warn(
          'LOAD_DEPRECATED_ITEM',
          `usage of deprecated field '${f}' has been detected in the rule output`,
          whereNode(r.outputCtx.src, r.outputCtx.node),
          r.ctx,
        );
      }
    }
    const { ast: parsed, src } = this.parse(text, r.segments, {
      ...r.ctx,
      node: r.segments[0]?.node ?? r.ctx.node,
    });
    const ast = this.resolve(parsed, () => true, src, []);
    walk(ast, (n) => {
      if (
        n.kind === 'binary' &&
        (n.op === '=' || n.op === '==' || n.op === '!=') &&
        n.right.kind === 'value' &&
        n.right.value === '<NA>'
      ) {
        this.warn(
          'LOAD_UNSAFE_NA_CHECK',
          "Comparing a field value with <NA> is unsafe and can lead to unpredictable behavior of the rule condition. If you need to check for the existence of a field, consider using the 'exists' operator instead.",
          this.whereNodeOf(n, src),
          r.ctx,
        );
      }
      if ((n.kind === 'binary' || n.kind === 'unary') && n.left.kind === 'field') {
        const f = resolveField(sets, n.left.name, n.left.arg);
        if (f?.def.deprecated) {
          this.warn(
            'LOAD_DEPRECATED_ITEM',
            `usage of deprecated field '${f.def.name}' has been detected in the rule condition`,
            this.whereNodeOf(n, src),
            r.ctx,
          );
        }
      }
    });
    let test: Predicate<E>;
    try {
      test = compileExpr(ast, sets);
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      const where = this.whereNodeOf(errorNode(e), src);
      if (e.code === 'LOAD_UNKNOWN_FILTER' && r.skipIfUnknownFilter) {
        this.warn('LOAD_UNKNOWN_FILTER', e.message, where, r.ctx);
        return;
      }
      const code: ErrorCode =
        e.code === 'LOAD_ERR_VALIDATE' ? 'LOAD_ERR_VALIDATE' : 'LOAD_ERR_COMPILE_CONDITION';
      throw new LoadFailure(code, e.message, where, r.ctx);
    }
    const info = sets.find((s) => s.eventTypes)?.eventTypes;
    let eventTypes: EventTypeSet = null;
    if (info) {
      walk(ast, (n) => {
        if (
          n.kind !== 'binary' ||
          n.left.kind !== 'field' ||
          n.left.name !== 'evt.type' ||
          n.left.arg !== undefined
        )
          return;
        const names =
          n.right.kind === 'list'
            ? n.right.items.map((i) => i.value)
            : n.right.kind === 'value'
              ? [n.right.value]
              : [];
        if (!['=', '==', '!=', 'in', 'intersects'].includes(n.op)) return;
        for (const name of names) {
          if (info.codes(name) === undefined) {
            const msg = `unknown event type ${name}`;
            const where = this.whereNodeOf(n, src);
            if (r.skipIfUnknownFilter) {
              this.warn('LOAD_UNKNOWN_FILTER', msg, where, r.ctx);
            } else throw new LoadFailure('LOAD_ERR_COMPILE_CONDITION', msg, where, r.ctx);
          }
        }
      });
      eventTypes = conditionEventTypes(ast, info);
      if (
        r.source === 'syscall' &&
        r.warnEvttypes &&
        (eventTypes === null || eventTypeSetSize(eventTypes, info.count) > 100)
      ) {
        this.warn(
          'LOAD_NO_EVTTYPE',
          'Rule matches too many evt.type values. This has a significant performance penalty.',
          whereNode(r.ctx.src, r.ctx.node),
          r.ctx,
        );
      }
    }
    const where = whereNode(r.ctx.src, r.ctx.node);
    this.rules.push({
      name: r.name,
      desc: r.desc,
      priority: r.priority,
      source: r.source,
      tags: r.tags,
      enabled: r.enabled,
      condition: r.cond,
      compiledCondition: conditionToString(ast),
      ast,
      output,
      test,
      eventTypes,
      file: where.file,
      line: where.line,
    });
  }

  /** Falco's `compile_rule_infos`. */
  compileRules(): void {
    for (const r of this.c.rules.values()) {
      if (r.unknownSource) continue;
      this.compileRule(r);
    }
  }

  /** Unused macro and list warnings, after a successful compile. */
  unusedWarnings(): void {
    for (const m of this.c.macros.values()) {
      if (!this.usedMacros.has(m.name)) {
        this.warn(
          'LOAD_UNUSED_MACRO',
          'Macro not referred to by any other rule/macro',
          whereNode(m.ctx.src, m.ctx.node),
          m.ctx,
        );
      }
    }
    for (const l of this.lists) {
      if (l.used) continue;
      const info = this.c.lists.get(l.name)!;
      this.warn(
        'LOAD_UNUSED_LIST',
        'List not referred to by any other rule/macro',
        whereNode(info.ctx.src, info.ctx.node),
        info.ctx,
      );
    }
  }
}
