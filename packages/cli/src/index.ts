/**
 * `@sysray/cli`: the `sysray` command, and the same thing as a function for scripts and tests —
 * {@link runCli} takes an argument list and writers and resolves to the exit code. Subcommands are
 * {@link Command} objects in a {@link CommandRegistry}.
 *
 * @packageDocumentation
 */

export type {
  Command,
  CommandArgument,
  CommandContext,
  CommandExample,
  CommandOption,
  OptionValues,
} from './command.js';
export { dumpCommand } from './commands/dump.js';
export { eventsCommand, filterTypeNames, oneLine } from './commands/events.js';
export { extcapArguments, extcapCommand } from './commands/extcap.js';
export { graphCommand } from './commands/graph.js';
export { builtinCommands } from './commands/index.js';
export {
  CaptureSummarizer,
  type CaptureSummary,
  type InterfaceSummary,
  infoCommand,
  type SectionSummary,
  summaryText,
} from './commands/info.js';
export { policyAlertLine, policyRunCommand } from './commands/policy.js';
export { printCommand } from './commands/print.js';
export { rulesListCommand, rulesRunCommand, rulesValidateCommand } from './commands/rules.js';
export {
  EXIT_INPUT_ERROR,
  EXIT_OK,
  EXIT_USAGE_ERROR,
  InputError,
  OutputClosedError,
  UsageError,
} from './errors.js';
export { blockJsonLine, blockToJson, hex, type Json, optionsToJson, toJsonValue } from './format/json.js';
export { linkTypeDescription, linkTypeName } from './format/link-types.js';
export { packetSummary } from './format/packet-summary.js';
export {
  type ScapEventTypeCount,
  type ScapMachineSummary,
  ScapSummarizer,
  type ScapSummary,
  scapSummaryRows,
} from './format/scap-summary.js';
export { blockLine } from './format/text.js';
export { epochSeconds, utcTime } from './format/time.js';
export { commandHelp, mainHelp, usageLine } from './help.js';
export { type OpenedInput, openInput, type WalkOptions, walkBlocks } from './input.js';
export { Output, type TextStream } from './output.js';
export {
  createProgressBar,
  formatBytes,
  noProgress,
  type ProgressBarOptions,
  type ProgressReporter,
} from './progress.js';
export { type CommandMatch, CommandRegistry } from './registry.js';
export { type CliIO, defaultRegistry, type RunCliOptions, runCli } from './run.js';
export { type WalkScapOptions, walkScap } from './scap-input.js';
export { cliVersion } from './version.js';
