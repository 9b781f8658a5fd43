/** Positions in a rules file: YAML nodes to line/column, condition offsets into YAML scalars. */
import { isScalar, type LineCounter, type Node } from 'yaml';

/** A loaded file and its line index. */
export interface SourceFile {
  name: string;
  text: string;
  lines: LineCounter;
}

/** A place in a file. */
export interface Where {
  file: string;
  line: number;
  col: number;
  /** For problems inside a condition: 0-based offset in the condition text of that YAML value. */
  offset?: number;
}

/** Position of a character offset in a file. */
export function whereOffset(src: SourceFile, offset: number): Where {
  const p = src.lines.linePos(offset);
  return { file: src.name, line: p.line, col: p.col };
}

/** Position of a YAML node's start (or of the file start). */
export function whereNode(src: SourceFile, node: Node | null | undefined): Where {
  const start = node?.range?.[0];
  return start === undefined ? { file: src.name, line: 1, col: 1 } : whereOffset(src, start);
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/**
 * Maps an offset in a scalar's value (e.g. a condition) to an offset in the file, following the
 * value's characters through the scalar's source text: indentation, line folding, block headers
 * and quotes are skipped over.
 */
export function mapValueOffset(src: SourceFile, node: Node, value: string, offset: number): number {
  const range = node.range;
  if (!range) return 0;
  let si = range[0];
  const end = range[1];
  if (isScalar(node) && (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL')) {
    const nl = src.text.indexOf('\n', si);
    if (nl >= 0 && nl < end) si = nl + 1;
  } else if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) {
    si++;
  }
  const limit = Math.min(offset, value.length);
  for (let vi = 0; vi < limit; vi++) {
    const c = value[vi]!;
    let k = si;
    while (k < end && src.text[k] !== c && !(isSpace(c) && isSpace(src.text[k]))) k++;
    if (k >= end) break;
    si = k + 1;
  }
  while (si < end && isSpace(src.text[si]) && !isSpace(value[limit])) si++;
  return Math.min(si, Math.max(end - 1, range[0]));
}
