import type { Command } from './command.js';

/** A command together with the group words it is reached through. */
export interface CommandMatch {
  command: Command;
  /** The argument list after the command's name words. */
  rest: string[];
}

/**
 * The set of subcommands `runCli` dispatches to. Names may have several words (`'rules validate'`,
 * `'rules list'`): the first words then form a group, and `sysray rules --help` lists its members.
 */
export class CommandRegistry {
  private readonly byName = new Map<string, Command>();

  constructor(commands: Iterable<Command> = []) {
    for (const command of commands) this.add(command);
  }

  /** Adds a command; throws if its name is taken. Returns the registry, for chaining. */
  add(command: Command): this {
    const name = normalize(command.name);
    if (this.byName.has(name)) throw new Error(`command '${name}' is registered twice`);
    if (name === 'help') throw new Error("'help' is reserved");
    this.byName.set(name, command);
    return this;
  }

  /** Every command, in registration order. */
  list(): Command[] {
    return [...this.byName.values()];
  }

  /** The command named exactly `name` (`'rules validate'`). */
  get(name: string): Command | undefined {
    return this.byName.get(normalize(name));
  }

  /**
   * The command the leading words of `argv` name, longest name first (`rules validate x.yaml` finds
   * `rules validate`), or `undefined`.
   */
  match(argv: readonly string[]): CommandMatch | undefined {
    let best: CommandMatch | undefined;
    let bestWords = 0;
    for (const [name, command] of this.byName) {
      const words = name.split(' ');
      if (words.length <= bestWords || words.length > argv.length) continue;
      if (words.every((word, i) => argv[i] === word)) {
        best = { command, rest: argv.slice(words.length) };
        bestWords = words.length;
      }
    }
    return best;
  }

  /** The commands of the group the leading words of `argv` name (`rules` → `rules validate`, `rules list`). */
  group(words: readonly string[]): Command[] {
    const prefix = `${words.join(' ')} `;
    return words.length === 0 ? [] : this.list().filter((c) => normalize(c.name).startsWith(prefix));
  }
}

function normalize(name: string): string {
  return name.trim().split(/\s+/).join(' ');
}
