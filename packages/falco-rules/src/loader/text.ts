/**
 * Condition text as Falco builds it before parsing: exceptions appended as text, lists substituted
 * textually. Every character remembers where it came from in the original condition, so errors
 * can be reported at the right place in the YAML file.
 */
import type { ExceptionInfo, ExEntry } from './info.js';

/** Text with, per character, its offset in the original condition (-1 for generated text). */
export interface TrackedText {
  text: string;
  origin: number[];
}

/** The original condition: every character maps to itself. */
export function original(text: string): TrackedText {
  return { text, origin: Array.from({ length: text.length }, (_, i) => i) };
}

function generated(text: string, at = -1): TrackedText {
  return { text, origin: new Array<number>(text.length).fill(at) };
}

function concat(...parts: TrackedText[]): TrackedText {
  return { text: parts.map((p) => p.text).join(''), origin: parts.flatMap((p) => p.origin) };
}

/** Falco's `quote_item`: an item with a space that is not already quoted gets double quotes. */
export function quoteItem(e: string): string {
  if (e.includes(' ') && e[0] !== '"' && e[0] !== "'") return `"${e}"`;
  return e;
}

function parenItem(e: string): string {
  return e[0] !== '(' ? `(${e})` : e;
}

const LIST_OPERATORS = new Set(['intersects', 'in', 'pmatch']);

/** A problem building exception text (Falco throws LOAD_ERR_VALIDATE at the exception). */
export class ExceptionTextError extends Error {
  constructor(
    message: string,
    readonly exception: ExceptionInfo,
  ) {
    super(message);
  }
}

function scalar(e: ExEntry): string {
  return e.isList ? '' : e.item;
}

/** Builds the text `(cond) and not (...)` Falco builds from a rule's exceptions. */
export function withExceptions(cond: TrackedText, exceptions: readonly ExceptionInfo[]): TrackedText {
  let out = concat(generated('('), cond, generated(')'));
  for (const ex of exceptions) {
    const fields = ex.fields!;
    const comps = ex.comps!;
    let icond = '';
    if (!fields.isList) {
      for (const val of ex.values) {
        if (val.isList)
          throw new ExceptionTextError('Expected values array to contain a list of strings', ex);
        icond += icond.length === 0 ? `(${fields.item} ${scalar(comps)} (` : ', ';
        icond += quoteItem(val.item);
      }
      icond += icond.length === 0 ? '' : '))';
    } else {
      icond = '(';
      const compItems = comps.isList ? comps.items : [];
      for (const values of ex.values) {
        const items = values.isList ? values.items : [values];
        if (fields.items.length !== items.length) {
          throw new ExceptionTextError('Fields and values lists must have equal length', ex);
        }
        icond += icond === '(' ? '' : ' or ';
        icond += '(';
        fields.items.forEach((field, k) => {
          icond += k === 0 ? '' : ' and ';
          const v = items[k]!;
          const comp = scalar(compItems[k] ?? { isList: false, item: '=' });
          let istr: string;
          if (v.isList) {
            istr = '(';
            for (const x of v.items) {
              istr += istr === '(' ? '' : ', ';
              istr += quoteItem(scalar(x));
            }
            istr += ')';
          } else {
            istr = LIST_OPERATORS.has(comp) ? parenItem(v.item) : quoteItem(v.item);
          }
          icond += ` ${scalar(field)} ${comp} ${istr}`;
        });
        icond += ')';
      }
      icond += ')';
      if (icond === '()') icond = '';
    }
    if (icond.length > 0) out = concat(out, generated(` and not ${icond}`));
  }
  return out;
}

const BLANKS = ' \t\n\r';
const DELIMS = `${BLANKS}(),=`;

/**
 * Falco's textual list substitution: each whole-word occurrence of the list name (delimited by
 * blanks, parentheses, commas, `=`, or the text ends) is replaced by the list's items. Returns
 * whether the list was used.
 */
export function substituteList(
  cnd: TrackedText,
  name: string,
  items: readonly string[],
): { text: TrackedText; used: boolean } {
  let text = cnd.text;
  let origin = cnd.origin;
  let used = false;
  let start = text.indexOf(name);
  while (start >= 0) {
    let end = start + name.length;
    if (
      (start === 0 || DELIMS.includes(text[start - 1]!)) &&
      (end >= text.length || DELIMS.includes(text[end]!))
    ) {
      while (start > 0 && BLANKS.includes(text[start - 1]!)) start--;
      while (end < text.length && BLANKS.includes(text[end]!)) end++;
      const sub = items.map(quoteItem).join(', ');
      if (sub.length === 0) {
        if (start > 0 && text[start - 1] === ',') start--;
        else if (end < text.length && text[end] === ',') end++;
      }
      const at = origin[Math.min(start, origin.length - 1)] ?? -1;
      const head = start > 0 ? `${text.slice(0, start)} ` : '';
      const headOrigin = start > 0 ? [...origin.slice(0, start), at] : [];
      const mid = `${sub} `;
      text = head + mid + text.slice(end);
      origin = [...headOrigin, ...new Array<number>(mid.length).fill(at), ...origin.slice(end)];
      start += sub.length + 1;
      used = true;
    }
    start = text.indexOf(name, start + 1);
  }
  return { text: { text, origin }, used };
}
