/**
 * `@sysray/falco-rules`: the Falco rules language in TypeScript — the libsinsp condition grammar,
 * the rules-file loader with Falco's diagnostics, a compiler to closures with an event-type index,
 * and Falco-style outputs and JSON alerts.
 *
 * @packageDocumentation
 */

export type {
  AndExpr,
  BinaryCheckExpr,
  BinaryOperator,
  Expr,
  FieldExpr,
  FieldLike,
  IdentifierExpr,
  ListExpr,
  ListModifier,
  Node,
  NotExpr,
  Operand,
  OrExpr,
  Position,
  Span,
  TransformerExpr,
  TransformerName,
  UnaryCheckExpr,
  ValueExpr,
} from './ast.js';
export type { Predicate } from './compiler/compile.js';
export { conditionEventTypes, type EventTypeSet, type EventTypeTable } from './compiler/evttypes.js';
export { compileGlob } from './compiler/glob.js';
export { compileRe2, translateRe2 } from './compiler/re2.js';
export { compileCondition } from './condition.js';
export { RuleError } from './errors.js';
export {
  createObjectFieldSet,
  type EventTypeInfo,
  type Extractor,
  type FieldArgMode,
  type FieldDef,
  type FieldScalar,
  type FieldSet,
  type FieldType,
  type FieldValue,
  normalizeFieldType,
  type ObjectFieldSetOptions,
  type ObjectFieldSpec,
  type ResolvedField,
  resolveField,
} from './fields.js';
export { type ParseOptions, parseCondition } from './grammar/parse.js';
export {
  type Diagnostic,
  diagnosticToError,
  diagnosticToJson,
  type ErrorCode,
  formatDiagnostic,
  type WarningCode,
} from './loader/diagnostics.js';
export type { PluginRequirement } from './loader/info.js';
export {
  ENGINE_VERSION,
  formatRuleList,
  type LoadOptions,
  type LoadResult,
  listRuleFiles,
  listRules,
  loadRuleFiles,
  loadRules,
  type RuleListing,
  type RuleSummary,
  type RulesInput,
  type ValidationResult,
  validateRuleFiles,
} from './loader/load.js';
export { type AlertOptions, createAlert, type FalcoAlert, formatIsoNanos } from './output/alert.js';
export { type CompiledOutput, compileOutput, renderValue } from './output/format.js';
export { conditionToString } from './printer.js';
export { PRIORITIES, type Priority, parsePriority } from './priority.js';
export { type CompiledRule, type EvaluateOptions, Ruleset } from './ruleset.js';
