import type { Command } from '../command.js';
import { dumpCommand } from './dump.js';
import { infoCommand } from './info.js';

/**
 * The built-in commands, in the order `sysray --help` lists them. To add one, write
 * `src/commands/<name>.ts` exporting a `Command` and append it here.
 */
export const builtinCommands: readonly Command[] = [infoCommand, dumpCommand];
