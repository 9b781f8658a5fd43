/** Load diagnostics: Falco's errors and warnings, each with file, line and column. */
import { RuleError } from '../errors.js';

/** Error codes (Falco `falco::load_result::error_code`). */
export type ErrorCode =
  | 'LOAD_ERR_FILE_READ'
  | 'LOAD_ERR_YAML_PARSE'
  | 'LOAD_ERR_YAML_VALIDATE'
  | 'LOAD_ERR_COMPILE_CONDITION'
  | 'LOAD_ERR_COMPILE_OUTPUT'
  | 'LOAD_ERR_VALIDATE';

/** Warning codes (Falco `falco::load_result::warning_code`). */
export type WarningCode =
  | 'LOAD_UNKNOWN_SOURCE'
  | 'LOAD_UNSAFE_NA_CHECK'
  | 'LOAD_NO_EVTTYPE'
  | 'LOAD_UNKNOWN_FILTER'
  | 'LOAD_UNUSED_MACRO'
  | 'LOAD_UNUSED_LIST'
  | 'LOAD_UNKNOWN_ITEM'
  | 'LOAD_DEPRECATED_ITEM'
  | 'LOAD_APPEND_NO_VALUES'
  | 'LOAD_EXCEPTION_NAME_NOT_UNIQUE'
  | 'LOAD_INVALID_MACRO_NAME'
  | 'LOAD_INVALID_LIST_NAME'
  | 'LOAD_COMPILE_CONDITION'
  | 'LOAD_UNKNOWN_KEY';

/** One error or warning found while loading rules. */
export interface Diagnostic {
  level: 'error' | 'warning';
  code: ErrorCode | WarningCode;
  message: string;
  /** File name as given to the loader. */
  file: string;
  /** 1-based line in the file. */
  line: number;
  /** 1-based column in the file. */
  col: number;
  /** Name of the rule the diagnostic belongs to, when it belongs to a rule. */
  rule?: string;
  /** For problems inside a condition: 0-based offset in the condition text of that YAML value. */
  offset?: number;
  /** Kind and name of the item it belongs to (`rule`, `macro`, `list`, …). */
  item?: { kind: string; name: string };
}

/** The diagnostic as a {@link RuleError} (to throw when a load must succeed). */
export function diagnosticToError(d: Diagnostic): RuleError {
  const where: { file: string; line: number; col: number; rule?: string; offset?: number } = {
    file: d.file,
    line: d.line,
    col: d.col,
  };
  if (d.rule !== undefined) where.rule = d.rule;
  if (d.offset !== undefined) where.offset = d.offset;
  return new RuleError(d.code, d.message, where);
}

/** `file:line:col: level: code: message` — one line per diagnostic, as `sysray rules validate` prints. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.level}: ${d.code}: ${d.message}`;
}

/** The JSON object `sysray rules validate --json` prints for a diagnostic. */
export function diagnosticToJson(d: Diagnostic): {
  level: 'error' | 'warning';
  code: string;
  file: string;
  line: number;
  col: number;
  message: string;
  rule?: string;
} {
  const out: ReturnType<typeof diagnosticToJson> = {
    level: d.level,
    code: d.code,
    file: d.file,
    line: d.line,
    col: d.col,
    message: d.message,
  };
  if (d.rule !== undefined) out.rule = d.rule;
  return out;
}
