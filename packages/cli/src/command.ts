import type { Palette } from './colour.js';
import type { Output } from './output.js';
import type { ProgressReporter } from './progress.js';

/** One option of a command, as `node:util` `parseArgs` takes it, plus its help text. */
export interface CommandOption {
  type: 'boolean' | 'string';
  /** One-letter alias (`-j`). */
  short?: string;
  /** May be given more than once (the value is then an array). */
  multiple?: boolean;
  /** What the option does, for `--help`. */
  description: string;
  /** Placeholder for a string option's value in `--help` (`FILE`). */
  valueName?: string;
}

/** One positional argument of a command. */
export interface CommandArgument {
  /** Name in usage lines (`FILE`). */
  name: string;
  description: string;
  /** Must be given (default `true`). */
  required?: boolean;
  /** Takes every remaining argument (only the last one may). */
  variadic?: boolean;
}

/** An example in a command's `--help`. */
export interface CommandExample {
  /** The command line, starting with `sysray`. */
  command: string;
  /** What it does. */
  description: string;
}

/** Parsed option values: booleans, strings, or arrays of them for `multiple` options. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a command's `run` gets. */
export interface CommandContext {
  /** Positional arguments, already checked against the command's `arguments`. */
  args: string[];
  /** Option values by long name (`--help` is handled before `run`). */
  options: OptionValues;
  /** Buffered standard output: `line()`, and `await flush()` when `full` or before a long wait. */
  stdout: Output;
  /** Buffered standard error (for warnings; errors are thrown, not printed). */
  stderr: Output;
  /** Colour for human-readable standard output (off unless it is a terminal; see `colour.ts`). */
  colour: Palette;
  /**
   * A progress reporter for reading `total` bytes: a bar on stderr when stderr is a terminal (and
   * `stdout` is not the same terminal, when `sharesTerminalWithStdout` is set), else one that draws nothing.
   */
  progress(options: { total?: number; label?: string; sharesTerminalWithStdout?: boolean }): ProgressReporter;
}

/**
 * A subcommand of `sysray`. Register it with {@link CommandRegistry.add} (the built-in ones are listed
 * in `src/commands/index.ts`). Errors are thrown: `UsageError` (exit 2), `PcapngError` or `InputError`
 * (exit 1, printed as one line).
 */
export interface Command {
  /** Words after `sysray` that select the command: `'dump'`, or `'rules validate'` for a group. */
  name: string;
  /** One line for the command list of `sysray --help`. */
  summary: string;
  /** Longer text for the command's own `--help` (defaults to the summary). */
  description?: string;
  /** Positional arguments, in order. */
  arguments?: CommandArgument[];
  /** Options by long name (`json` is `--json`). `help` is added to every command. */
  options?: Record<string, CommandOption>;
  /** Examples for `--help` (and the README). */
  examples?: CommandExample[];
  /**
   * The exit statuses for `--help`, when they differ from the default
   * (`0 ok, 1 the input could not be read, 2 usage error.`).
   */
  exitStatus?: string;
  /**
   * Leave the words after the command name unparsed: `args` gets every one of them and `options` is empty
   * (for commands that forward their arguments, like `sysray extcap`). A lone `--help` still shows help.
   */
  passThrough?: boolean;
  /** Runs the command; resolves to the exit code (default 0). */
  run(context: CommandContext): Promise<number | undefined> | number | undefined;
}
