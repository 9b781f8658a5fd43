/** One-shot compilation of a standalone condition (no macros or lists). */
import type { Expr } from './ast.js';
import { compileExpr, type Predicate } from './compiler/compile.js';
import type { FieldSet } from './fields.js';
import { parseCondition } from './grammar/parse.js';

/**
 * Parses and compiles a condition against field sets. Throws {@link RuleError} on a syntax error,
 * an unknown field (`LOAD_UNKNOWN_FILTER`), a type error, or a macro reference (conditions
 * compiled this way cannot use macros: load a rules file for that).
 */
export function compileCondition<E>(
  condition: string | Expr,
  fieldSets: readonly FieldSet<E>[],
): Predicate<E> {
  const ast = typeof condition === 'string' ? parseCondition(condition) : condition;
  return compileExpr(ast, fieldSets);
}
