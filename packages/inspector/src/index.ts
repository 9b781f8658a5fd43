/**
 * `@sysray/inspector`: what libsinsp's state engine does, in TypeScript — thread, fd, user and container
 * tables seeded from a Falco capture's metadata blocks and kept current from its events, the syscall
 * `FieldSet` (`evt.*`, `proc.*`, `thread.*`, `fd.*`, `user.*`, `group.*`, `fs.path.*`) and the container
 * plugin's fields for `@sysray/falco-rules`, and Falco on a capture file.
 *
 * @packageDocumentation
 */
export { type CaptureSource, type InspectCaptureOptions, inspectCapture } from './capture.js';
export { EventContext, ParamName, paramName } from './context.js';
export { type CraftEvent, type CraftSpec, type CraftThread, craftCapture, eventTypeId } from './craft.js';
export { InspectorError, type InspectorErrorCode, type InspectorErrorDetails } from './errors.js';
export { CONTAINER_PLUGIN } from './fields/container.js';
export {
  createContainerFieldSet,
  createSyscallFieldSet,
  SYSCALL_EVENT_TYPES,
  syscallFieldSpecs,
} from './fields/index.js';
export type { FieldSpec } from './fields/spec.js';
export { Inspector, type InspectorOptions, isVisible } from './inspector.js';
export { basename, dirname, normalizePath, resolvePath } from './paths.js';
export {
  type RuleExpectation,
  type RuleTestCase,
  type RuleTestEvent,
  type RuleTestGroup,
  type RuleTestSpec,
  type RuleTestUser,
  readRuleTestSpec,
  validateRuleTestSpec,
} from './rule-test-spec.js';
export {
  formatRuleTestReport,
  type RuleTestFailure,
  type RuleTestReport,
  type RuleTestResult,
  type RunRuleTestsOptions,
  runRuleTests,
} from './rule-tests.js';
export {
  compileFilter,
  type FilterEventsOptions,
  filterEvents,
  type LoadSyscallRulesOptions,
  loadSyscallRules,
  providedPlugins,
  type RunRulesOptions,
  runRulesOnCapture,
  syscallFieldSets,
} from './rules.js';
export {
  bareContainer,
  type CgroupContainer,
  type ContainerInfo,
  type ContainerMount,
  type ContainerRuntime,
  ContainerTable,
  containerIdFromCgroups,
  parseContainerJson,
} from './state/container.js';
export { FD_KINDS, FdInfo, type FdKind, FdTable, type L4Proto, type SocketRole } from './state/fd.js';
export { ThreadInfo } from './state/thread.js';
export { ThreadTable } from './state/thread-table.js';
export { type GroupInfo, type UserInfo, UserTable } from './state/users.js';
export { AT_FDCWD, symbolicParam } from './symbols.js';
export type { InspectorTables } from './tables.js';
