import type { Expr } from '../ast.js';
import { RuleError } from '../errors.js';
import { SyntaxError as PeggySyntaxError, parse as peggyParse } from './generated/condition.js';

/** Options of {@link parseCondition}. */
export interface ParseOptions {
  /**
   * libsinsp's parser recursion limit: 100 by default (what libsinsp uses), 1000 for rules loaded
   * by Falco. Each nesting level of parentheses costs 5 frames, so 100 allows 19 levels.
   */
  maxDepth?: number;
}

function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, col };
}

/** Deepest parenthesis nesting outside quoted strings (quotes close as libsinsp closes them). */
function nestingDepth(text: string): { depth: number; offset: number } {
  let depth = 0;
  let max = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && !(text[j] === c && text[j - 1] !== '\\')) j++;
      i = j;
    } else if (c === '(') {
      depth++;
      if (depth > max) {
        max = depth;
        at = i;
      }
    } else if (c === ')') depth--;
  }
  return { depth: max, offset: at };
}

/**
 * Parses one condition into an AST, accepting and rejecting exactly what libsinsp's parser does.
 * Throws a {@link RuleError} with code `PARSE_ERROR` and the offset/line/column of the problem.
 */
export function parseCondition(text: string, options: ParseOptions = {}): Expr {
  const maxNesting = Math.floor(((options.maxDepth ?? 100) - 5) / 5);
  if (text.length === 0)
    throw new RuleError('PARSE_ERROR', 'filter input string is empty', { offset: 0, line: 1, col: 1 });
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    throw new RuleError('PARSE_ERROR', 'unexpected NUL character', { offset: nul, ...positionOf(text, nul) });
  }
  const nest = nestingDepth(text);
  if (nest.depth > maxNesting) {
    throw new RuleError(
      'PARSE_ERROR',
      `exceeded max depth limit of ${options.maxDepth ?? 100}: too many nested parentheses`,
      {
        offset: nest.offset,
        ...positionOf(text, nest.offset),
      },
    );
  }
  try {
    return peggyParse(text) as Expr;
  } catch (e) {
    if (e instanceof PeggySyntaxError) {
      const start = e.location.start;
      throw new RuleError('PARSE_ERROR', e.message, {
        offset: start.offset,
        line: start.line,
        col: start.column,
      });
    }
    throw e;
  }
}
