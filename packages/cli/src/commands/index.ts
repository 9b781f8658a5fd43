import type { Command } from '../command.js';
import { captureCommand } from './capture.js';
import { convertCommand } from './convert.js';
import { dumpCommand } from './dump.js';
import { eventsCommand } from './events.js';
import { extcapCommand } from './extcap.js';
import { graphCommand } from './graph.js';
import { infoCommand } from './info.js';
import { policyRunCommand } from './policy.js';
import { printCommand } from './print.js';
import { rulesListCommand, rulesRunCommand, rulesValidateCommand } from './rules.js';
import { rulesTestCommand } from './rules-test.js';

/**
 * The built-in commands, in the order `sysray --help` lists them. To add one, write
 * `src/commands/<name>.ts` exporting a `Command` and append it here.
 */
export const builtinCommands: readonly Command[] = [
  infoCommand,
  dumpCommand,
  eventsCommand,
  rulesValidateCommand,
  rulesListCommand,
  rulesRunCommand,
  rulesTestCommand,
  convertCommand,
  captureCommand,
  printCommand,
  policyRunCommand,
  graphCommand,
  extcapCommand,
];
