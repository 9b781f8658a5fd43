/**
 * Prints a condition AST back to text the way libsinsp's `ast::as_string` does (what Falco shows as
 * `condition_compiled`): `and`/`or` in parentheses, single spaces, lists as `(a, b)`, values quoted
 * only when they need it.
 */
import type { Expr, FieldLike, Operand, ValueExpr } from './ast.js';

/** Quotes a value when it is not a valid bare string (libsinsp `escape_str`). */
export function escapeValue(s: string): string {
  let out = '';
  let quote = false;
  for (const c of s) {
    switch (c) {
      case '\b':
        out += '\\b';
        quote = true;
        break;
      case '\f':
        out += '\\f';
        quote = true;
        break;
      case '\n':
        out += '\\n';
        quote = true;
        break;
      case '\r':
        out += '\\r';
        quote = true;
        break;
      case '\t':
        out += '\\t';
        quote = true;
        break;
      case ' ':
      case "'":
        out += c;
        quote = true;
        break;
      case '\\':
        out += '\\\\';
        quote = true;
        break;
      case '"':
        out += '\\"';
        quote = true;
        break;
      default:
        out += c;
    }
  }
  return quote ? `"${out}"` : out;
}

function value(v: ValueExpr): string {
  return escapeValue(v.value);
}

function fieldLike(f: FieldLike | ValueExpr): string {
  if (f.kind === 'value') return value(f);
  if (f.kind === 'field') return f.arg === undefined ? f.name : `${f.name}[${escapeValue(f.arg)}]`;
  const args = f.args.map(fieldLike);
  if (f.name === 'join') return `join(${escapeValue(f.param ?? '')}, (${args.join(', ')}))`;
  if (f.name === 'getopt') {
    const key = f.key === undefined ? '' : `[${escapeValue(f.key)}]`;
    return `getopt(${args[0]}, ${JSON.stringify(f.param ?? '')})${key}`;
  }
  return `${f.name}(${args.join(', ')})`;
}

function operand(o: Operand): string {
  if (o.kind === 'list') return `(${o.items.map(value).join(', ')})`;
  return fieldLike(o);
}

/** Renders a condition AST as text. */
export function conditionToString(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${e.children.map(conditionToString).join(` ${e.kind} `)})`;
    case 'not':
      return `not ${conditionToString(e.child)}`;
    case 'identifier':
      return e.name;
    case 'unary':
      return `${fieldLike(e.left)} exists`;
    case 'binary':
      return `${fieldLike(e.left)} ${e.op} ${e.modifier ? `${e.modifier} ` : ''}${operand(e.right)}`;
  }
}
