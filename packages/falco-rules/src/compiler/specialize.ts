/**
 * Rules specialised per event type: for an event code whose `evt.type` value is known in advance, every
 * `evt.type` check of a condition is already true or false, so the condition is folded before it is compiled
 * (`open_read and …` on an `openat` exit event no longer compares the event name at run time, and branches
 * for other event types disappear). Codes whose checks all come out the same share one compiled predicate.
 */
import type { Expr } from '../ast.js';
import type { EventTypeInfo } from '../fields.js';
import { evtTypeCheck } from './evttypes.js';

/** A folded condition: an expression left to evaluate, or a constant. */
export type Folded = Expr | boolean;

/** Every `evt.type` check of a condition, in a fixed (depth-first) order. */
export function evtTypeChecks(e: Expr, out: Expr[] = []): Expr[] {
  switch (e.kind) {
    case 'and':
    case 'or':
      for (const c of e.children) evtTypeChecks(c, out);
      break;
    case 'not':
      evtTypeChecks(e.child, out);
      break;
    default:
      if (evtTypeCheck(e)) out.push(e);
  }
  return out;
}

/** Whether an `evt.type` check holds for events whose `evt.type` is `name`. */
export function evtTypeCheckHolds(check: Expr, name: string): boolean {
  const c = evtTypeCheck(check)!;
  return c.names.includes(name) !== c.negative;
}

/** The condition with each `evt.type` check replaced by its value from `decided`, simplified. */
export function foldEvtTypeChecks(e: Expr, decided: ReadonlyMap<Expr, boolean>): Folded {
  switch (e.kind) {
    case 'and':
    case 'or': {
      const isAnd = e.kind === 'and';
      const kept: Expr[] = [];
      let changed = false;
      for (const c of e.children) {
        const f = foldEvtTypeChecks(c, decided);
        if (f === true || f === false) {
          if (f !== isAnd) return f; // false in an `and`, true in an `or`: decided
          changed = true; // true in an `and`, false in an `or`: no effect
          continue;
        }
        if (f !== c) changed = true;
        kept.push(f);
      }
      if (!changed) return e;
      if (kept.length === 0) return isAnd;
      if (kept.length === 1) return kept[0]!;
      return { ...e, children: kept };
    }
    case 'not': {
      const f = foldEvtTypeChecks(e.child, decided);
      return typeof f === 'boolean' ? !f : f === e.child ? e : { ...e, child: f };
    }
    default: {
      const v = decided.get(e);
      return v === undefined ? e : v;
    }
  }
}

/**
 * Groups the codes a condition may match by the values its `evt.type` checks take on them: one entry per
 * distinct outcome, with the folded condition. Codes with no static name (see {@link EventTypeInfo.name}) are
 * returned in `dynamic`, to be evaluated with the unfolded condition.
 */
export function specializeByEventType<E>(
  condition: Expr,
  codes: Iterable<number>,
  info: EventTypeInfo<E>,
): { groups: { codes: number[]; folded: Folded }[]; dynamic: number[] } {
  const checks = evtTypeChecks(condition);
  const groups = new Map<string, { codes: number[]; folded: Folded }>();
  const dynamic: number[] = [];
  for (const code of codes) {
    const name = info.name?.(code);
    if (name === undefined) {
      dynamic.push(code);
      continue;
    }
    let key = '';
    const decided = new Map<Expr, boolean>();
    for (const chk of checks) {
      const v = evtTypeCheckHolds(chk, name);
      decided.set(chk, v);
      key += v ? '1' : '0';
    }
    const group = groups.get(key);
    if (group) group.codes.push(code);
    else groups.set(key, { codes: [code], folded: foldEvtTypeChecks(condition, decided) });
  }
  return { groups: [...groups.values()], dynamic };
}
