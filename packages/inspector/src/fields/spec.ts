/** How the syscall field classes are declared. */
import type { Extractor, FieldDef, FieldValue } from '@sysray/falco-rules';
import type { EventContext } from '../context.js';

/** An extractor over the inspector's event context. */
export type CtxExtractor = Extractor<EventContext>;

/** One field: its definition plus how to build its extractor. */
export interface FieldSpec extends FieldDef {
  /** Extractor for fields without an argument. */
  get?: (c: EventContext) => FieldValue | undefined;
  /** Extractor factory for fields that take an argument (called once per use, at compile time). */
  withArg?: (arg: string | undefined) => CtxExtractor;
}

/** Shorthand to declare a field. */
export function field(
  name: string,
  type: FieldDef['type'],
  desc: string,
  get: (c: EventContext) => FieldValue | undefined,
  extra: Partial<FieldDef> = {},
): FieldSpec {
  return { name, type, desc, get, ...extra };
}

/** Shorthand to declare a field taking an argument. */
export function argField(
  name: string,
  type: FieldDef['type'],
  desc: string,
  arg: 'required' | 'optional',
  withArg: (arg: string | undefined) => CtxExtractor,
  extra: Partial<FieldDef> = {},
): FieldSpec {
  return { name, type, desc, arg, argKind: 'any', withArg, ...extra };
}

/** A non-empty string or `undefined` (libsinsp prints `<NA>` for empty values of most string fields). */
export function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/** `number | bigint` → the most natural JS value for a 64-bit field. */
export function int64(v: number | bigint): number | bigint {
  return v;
}
