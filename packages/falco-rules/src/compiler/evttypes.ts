/**
 * Which event types a condition can match, as Falco computes it for its event-type index:
 * `evt.type = x`, `evt.type in (…)` and `evt.type != x` restrict the set, `and` intersects, `or`
 * unites, and `not` is pushed down with De Morgan's laws (so `not (evt.type = open and proc.name = x)`
 * correctly matches every event type). Any other check matches every event type.
 */
import type { Expr } from '../ast.js';

/** Event names → codes, and the number of codes. */
export interface EventTypeTable {
  count: number;
  codes(name: string): readonly number[] | undefined;
}

/** A set of codes, or `null` for "every event type". */
export type EventTypeSet = Uint8Array | null;

function fromNames(names: readonly string[], table: EventTypeTable): Uint8Array {
  const out = new Uint8Array(table.count);
  for (const n of names) for (const c of table.codes(n) ?? []) if (c < out.length) out[c] = 1;
  return out;
}

function complement(s: EventTypeSet, count: number): EventTypeSet {
  if (s === null) return null;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = s[i] ? 0 : 1;
  return out;
}

function union(a: EventTypeSet, b: EventTypeSet): EventTypeSet {
  if (a === null || b === null) return null;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! | b[i]!;
  return out;
}

function intersect(a: EventTypeSet, b: EventTypeSet): EventTypeSet {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

/** Event names an `evt.type` check names, with whether it is a negative check; undefined otherwise. */
export function evtTypeCheck(e: Expr): { names: string[]; negative: boolean } | undefined {
  if (
    e.kind !== 'binary' ||
    e.modifier ||
    e.left.kind !== 'field' ||
    e.left.name !== 'evt.type' ||
    e.left.arg !== undefined
  ) {
    return undefined;
  }
  const r = e.right;
  const names = r.kind === 'list' ? r.items.map((i) => i.value) : r.kind === 'value' ? [r.value] : undefined;
  if (!names) return undefined;
  if (e.op === '=' || e.op === '==' || e.op === 'in' || e.op === 'intersects')
    return { names, negative: false };
  if (e.op === '!=') return { names, negative: true };
  return undefined;
}

function walk(e: Expr, neg: boolean, table: EventTypeTable): EventTypeSet {
  switch (e.kind) {
    case 'and':
    case 'or': {
      const unite = (e.kind === 'or') !== neg;
      let acc: EventTypeSet | undefined;
      for (const c of e.children) {
        const s = walk(c, neg, table);
        acc = acc === undefined ? s : unite ? union(acc, s) : intersect(acc, s);
      }
      return acc ?? null;
    }
    case 'not':
      return walk(e.child, !neg, table);
    default: {
      const chk = evtTypeCheck(e);
      if (!chk) return null;
      const set = fromNames(chk.names, table);
      return chk.negative !== neg ? complement(set, table.count) : set;
    }
  }
}

/** The event types a (macro-resolved) condition may match; `null` means all of them. */
export function conditionEventTypes(e: Expr, table: EventTypeTable): EventTypeSet {
  return walk(e, false, table);
}

/** Number of codes in a set (`table.count` for `null`). */
export function eventTypeSetSize(s: EventTypeSet, count: number): number {
  if (s === null) return count;
  let n = 0;
  for (const x of s) n += x;
  return n;
}
