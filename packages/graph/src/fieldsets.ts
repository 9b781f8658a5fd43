/** The default field sets for rules and queries: the `sf.*` field set of `@sysray/sysflow-format`. */
import type { FieldSet } from '@sysray/falco-rules';
import { createSysFlowFieldSet, SYSFLOW_SOURCE } from '@sysray/sysflow-format';
import type { SysFlowEvent } from './labels.js';

/**
 * The field sets used when none are passed: the `sf.*` field set of `@sysray/sysflow-format`
 * (`createSysFlowFieldSet`) for rules of source `sysflow`, and the same fields for rules without a
 * `source:` (Falco's default, `syscall`), so a plain Falco rules file over `sf.*` fields works too.
 * Ancestor fields (`sf.proc.aname`, …) walk the entity tables each event carries.
 */
export function defaultFieldSets(): readonly FieldSet<SysFlowEvent>[] {
  return [createSysFlowFieldSet({ source: SYSFLOW_SOURCE }), createSysFlowFieldSet({ source: 'syscall' })];
}
