import { parseArgs } from 'node:util';
import { PcapngError } from '@sysray/pcapng';
import { SysFlowError } from '@sysray/sysflow-format';
import { paletteFor } from './colour.js';
import type { Command, CommandContext, OptionValues } from './command.js';
import { builtinCommands } from './commands/index.js';
import {
  EXIT_INPUT_ERROR,
  EXIT_OK,
  EXIT_USAGE_ERROR,
  InputError,
  OutputClosedError,
  UsageError,
} from './errors.js';
import { commandHelp, groupHelp, mainHelp } from './help.js';
import { Output, type TextStream } from './output.js';
import { createProgressBar, noProgress, type ProgressReporter } from './progress.js';
import { CommandRegistry } from './registry.js';
import { cliVersion } from './version.js';

/** Where `runCli` writes: in the `sysray` binary, `process.stdout` and `process.stderr`. */
export interface CliIO {
  stdout: TextStream;
  stderr: TextStream;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** The commands to dispatch to (default: {@link defaultRegistry}). */
  registry?: CommandRegistry;
  /**
   * Force the progress bar on or off. By default it is drawn only when `io.stderr.isTTY` is true (and,
   * for commands that print their results as they read, when stdout is not that terminal too).
   */
  progress?: boolean;
  /** Milliseconds before the progress bar first appears (default 300; tests use 0). */
  progressDelayMs?: number;
  /** Environment read for `NO_COLOR` / `FORCE_COLOR` / `TERM` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** A registry holding every built-in command (`dump`, `info`, …). */
export function defaultRegistry(): CommandRegistry {
  return new CommandRegistry(builtinCommands);
}

function parseUsageError(error: unknown, command: string): UsageError | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return undefined;
  const first = (error as Error).message.split(/\. /)[0]!.replace(/\.$/, '');
  const message = first.charAt(0).toLowerCase() + first.slice(1);
  return new UsageError(message, command);
}

function checkArguments(command: Command, args: string[]): void {
  const specs = command.arguments ?? [];
  const variadic = specs.length > 0 && specs[specs.length - 1]!.variadic === true;
  const required = specs.filter((s) => s.required !== false);
  if (args.length < required.length) {
    const missing = required[args.length]!;
    throw new UsageError(`missing ${missing.name} argument`, command.name);
  }
  if (!variadic && args.length > specs.length)
    throw new UsageError(`unexpected argument '${args[specs.length]}'`, command.name);
}

function isErrno(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/**
 * Runs the `sysray` command line in-process: dispatches `argv` (the arguments after `sysray`) to a
 * command, writes its output to `io.stdout`, and prints errors as one line on `io.stderr`. Never throws
 * for bad input or usage; resolves to the exit code: 0 ok, 1 input error, 2 usage error.
 *
 * @param argv the arguments after the program name, e.g. `['dump', 'x.pcapng', '--json']`
 * @param io where to write (default: `process.stdout` / `process.stderr`)
 * @example
 * ```ts
 * import { runCli } from '@sysray/cli';
 * let out = '';
 * const code = await runCli(['info', 'capture.pcapng', '--json'], {
 *   stdout: { write: (s: string) => { out += s; } },
 *   stderr: process.stderr,
 * });
 * if (code === 0) console.log(JSON.parse(out).packets);
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io: Partial<CliIO> = {},
  options: RunCliOptions = {},
): Promise<number> {
  const stdout = new Output(io.stdout ?? process.stdout);
  const stderr = new Output(io.stderr ?? process.stderr);
  const registry = options.registry ?? defaultRegistry();
  let progress: ProgressReporter = noProgress;
  let commandName = '';
  try {
    const first = argv[0];
    if (first === undefined) {
      stderr.write(mainHelp(registry, cliVersion()));
      return EXIT_USAGE_ERROR;
    }
    if (first === '--help' || first === '-h') {
      stdout.write(mainHelp(registry, cliVersion()));
      await stdout.flush();
      return EXIT_OK;
    }
    if (first === '--version' || first === '-V') {
      stdout.line(`sysray ${cliVersion()}`);
      await stdout.flush();
      return EXIT_OK;
    }
    if (first === 'help') {
      const words = argv.slice(1);
      if (words.length === 0) stdout.write(mainHelp(registry, cliVersion()));
      else {
        const named = registry.get(words.join(' '));
        const group = registry.group(words);
        if (named) stdout.write(commandHelp(named));
        else if (group.length) stdout.write(groupHelp(words, group));
        else throw new UsageError(`unknown command '${words.join(' ')}'`);
      }
      await stdout.flush();
      return EXIT_OK;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`);
    const match = registry.match(argv);
    if (!match) {
      // A group name (`sysray rules`), alone or with --help, or followed by an unknown member.
      const words: string[] = [];
      for (const word of argv) {
        if (word.startsWith('-') || registry.group([...words, word]).length === 0) break;
        words.push(word);
      }
      if (words.length > 0) {
        const members = registry.group(words);
        const rest = argv.slice(words.length);
        if (rest.length > 0 && (rest[0] === '--help' || rest[0] === '-h')) {
          stdout.write(groupHelp(words, members));
          await stdout.flush();
          return EXIT_OK;
        }
        if (rest.length === 0) {
          stderr.write(groupHelp(words, members));
          return EXIT_USAGE_ERROR;
        }
        throw new UsageError(`unknown command '${[...words, rest[0]].join(' ')}'`, words.join(' '));
      }
      throw new UsageError(`unknown command '${first}'`);
    }
    const { command, rest } = match;
    commandName = command.name;
    let parsed: { values: OptionValues; positionals: string[] };
    if (command.passThrough === true && !(rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')))
      parsed = { values: {}, positionals: [...rest] };
    else
      try {
        parsed = parseArgs({
          args: rest as string[],
          options: { ...command.options, help: { type: 'boolean', short: 'h' } },
          allowPositionals: true,
          strict: true,
        }) as { values: OptionValues; positionals: string[] };
      } catch (error) {
        throw parseUsageError(error, command.name) ?? error;
      }
    if (parsed.values.help === true) {
      stdout.write(commandHelp(command));
      await stdout.flush();
      return EXIT_OK;
    }
    checkArguments(command, parsed.positionals);
    const context: CommandContext = {
      args: parsed.positionals,
      options: parsed.values,
      stdout,
      stderr,
      colour: paletteFor(stdout.stream, options.env),
      progress({ total, label, sharesTerminalWithStdout }) {
        const terminal = stderr.stream.isTTY === true && !(sharesTerminalWithStdout && stdout.stream.isTTY);
        const wanted = options.progress ?? terminal;
        if (!wanted || parsed.values['no-progress'] === true) return noProgress;
        progress = createProgressBar(stderr.stream, {
          ...(total === undefined ? {} : { total }),
          ...(label === undefined ? {} : { label }),
          columns: stderr.stream.columns ?? 80,
          ...(options.progressDelayMs === undefined ? {} : { delayMs: options.progressDelayMs }),
        });
        return progress;
      },
    };
    const code = (await command.run(context)) ?? EXIT_OK;
    progress.done();
    await stdout.flush();
    return code;
  } catch (error) {
    progress.done();
    return await report(error, stdout, stderr, commandName, options.env);
  } finally {
    try {
      await stderr.flush();
    } catch {
      // stderr gone too: nothing left to tell anyone.
    }
    stdout.detach();
    stderr.detach();
  }
}

async function report(
  error: unknown,
  stdout: Output,
  stderr: Output,
  commandName: string,
  env: NodeJS.ProcessEnv | undefined,
): Promise<number> {
  const red = paletteFor(stderr.stream, env).red;
  if (error instanceof OutputClosedError) return EXIT_OK;
  if (error instanceof UsageError) {
    const where = error.command || commandName;
    stderr.line(red(`sysray${where ? ` ${where}` : ''}: ${error.message}`));
    stderr.line(`Try 'sysray ${where ? `${where} ` : ''}--help'.`);
    return EXIT_USAGE_ERROR;
  }
  // What was printed before the error goes out first, so the error line follows the last good block.
  try {
    await stdout.flush();
  } catch (flushError) {
    if (flushError instanceof OutputClosedError) return EXIT_OK;
  }
  if (error instanceof PcapngError || error instanceof InputError || error instanceof SysFlowError) {
    stderr.line(red(`sysray: ${error.describe()}`));
    return EXIT_INPUT_ERROR;
  }
  if (isErrno(error)) {
    const path = (error as NodeJS.ErrnoException).path;
    const message = error.message.replace(/^[A-Z]+: /, '');
    stderr.line(red(`sysray: ${error.code}: ${message}${path ? ` (${path})` : ''}`));
    return EXIT_INPUT_ERROR;
  }
  stderr.line(
    `sysray: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return EXIT_INPUT_ERROR;
}
