/**
 * The one error class of `@sysray/falco-rules`.
 *
 * Every failure (a condition that does not parse, a rules file that does not load, a field that does
 * not exist, an operator that does not fit a field's type) is a {@link RuleError} with a stable
 * {@link RuleError.code} and, where it applies, the position of the problem.
 */
export class RuleError extends Error {
  /** Stable machine-readable code, e.g. `LOAD_ERR_COMPILE_CONDITION` or `PARSE_ERROR`. */
  readonly code: string;
  /** File the problem was found in, when the input came from a file. */
  file?: string;
  /** 1-based line (in the YAML file when loaded from one, otherwise in the condition). */
  line?: number;
  /** 1-based column (same frame as {@link RuleError.line}). */
  col?: number;
  /** Name of the rule, macro or list the problem belongs to. */
  rule?: string;
  /** 0-based character offset of the problem inside the condition string. */
  offset?: number;

  constructor(
    code: string,
    message: string,
    where: { file?: string; line?: number; col?: number; rule?: string; offset?: number } = {},
  ) {
    super(message);
    this.name = 'RuleError';
    this.code = code;
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.col !== undefined) this.col = where.col;
    if (where.rule !== undefined) this.rule = where.rule;
    if (where.offset !== undefined) this.offset = where.offset;
  }
}
