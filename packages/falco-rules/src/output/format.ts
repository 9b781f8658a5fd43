/**
 * Rule outputs: `%field`, `%field[arg]`, `%evt.arg.name`; a value that cannot be extracted prints
 * as `<NA>`. Formats compile once into a list of literal and extractor parts.
 */

import { compileField } from '../compiler/operand.js';
import { scalarToString } from '../compiler/values.js';
import { RuleError } from '../errors.js';
import type { Extractor, FieldScalar, FieldSet, FieldValue } from '../fields.js';

/** A compiled output format. */
export interface CompiledOutput<E> {
  /** The format text. */
  readonly format: string;
  /** Field tokens in order of appearance (as written, e.g. `proc.aname[2]`). */
  readonly fieldNames: readonly string[];
  /** Renders the message for an event. */
  render(event: E): string;
  /** Extracts every output field (missing ones as `null`), as Falco's `output_fields`. */
  fields(event: E): Record<string, string | number | boolean | null>;
}

const TOKEN = /[a-zA-Z][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)*/y;

/** Renders an extracted value the way it appears in output text. */
export function renderValue(v: FieldValue | undefined): string {
  if (v === undefined) return '<NA>';
  if (typeof v === 'object' && !(v instanceof Uint8Array)) {
    return `(${(v as readonly FieldScalar[]).map(scalarToString).join(',')})`;
  }
  return scalarToString(v as FieldScalar);
}

function jsonValue(v: FieldValue | undefined): string | number | boolean | null {
  if (v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint')
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  return renderValue(v);
}

/**
 * Compiles an output format against field sets. Throws {@link RuleError} `LOAD_ERR_COMPILE_OUTPUT`
 * (message contains `invalid formatting token`) for an unknown field, with `offset` in the format.
 */
export function compileOutput<E>(format: string, sets: readonly FieldSet<E>[]): CompiledOutput<E> {
  const literals: string[] = [];
  const getters: Extractor<E>[] = [];
  const names: string[] = [];
  let lit = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if (c !== '%') {
      lit += c;
      i++;
      continue;
    }
    TOKEN.lastIndex = i + 1;
    const m = TOKEN.exec(format);
    if (!m) {
      lit += c;
      i++;
      continue;
    }
    let end = i + 1 + m[0].length;
    let arg: string | undefined;
    if (format[end] === '[') {
      const close = format.indexOf(']', end);
      if (close < 0) {
        throw new RuleError('LOAD_ERR_COMPILE_OUTPUT', `invalid formatting token %${m[0]}[: missing ']'`, {
          offset: i,
        });
      }
      arg = format.slice(end + 1, close);
      end = close + 1;
    }
    let get: Extractor<E>;
    try {
      get = compileField(sets, m[0], arg, undefined, 'output').get;
    } catch (e) {
      if (e instanceof RuleError) {
        throw new RuleError(
          'LOAD_ERR_COMPILE_OUTPUT',
          `invalid formatting token ${format.slice(i, end)}: ${e.message}`,
          {
            offset: i,
          },
        );
      }
      throw e;
    }
    literals.push(lit);
    lit = '';
    getters.push(get);
    names.push(format.slice(i + 1, end));
    i = end;
  }
  literals.push(lit);
  const n = getters.length;
  return {
    format,
    fieldNames: names,
    render(event) {
      let out = literals[0]!;
      for (let k = 0; k < n; k++) out += renderValue(getters[k]!(event)) + literals[k + 1]!;
      return out;
    },
    fields(event) {
      const out: Record<string, string | number | boolean | null> = {};
      for (let k = 0; k < n; k++) out[names[k]!] = jsonValue(getters[k]!(event));
      return out;
    },
  };
}
