import type { Command } from './command.js';
import type { CommandRegistry } from './registry.js';

/** The usage line of a command: `sysray dump [options] FILE`. */
export function usageLine(command: Command): string {
  const args = (command.arguments ?? []).map((a) => {
    const name = a.variadic ? `${a.name}...` : a.name;
    return a.required === false ? `[${name}]` : name;
  });
  const options = Object.keys(command.options ?? {}).length > 0 ? ' [options]' : '';
  return `sysray ${command.name}${options}${args.length ? ` ${args.join(' ')}` : ''}`;
}

function table(rows: [string, string][], indent = 2): string[] {
  const width = Math.min(28, Math.max(...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) =>
    left.length > width
      ? `${' '.repeat(indent)}${left}\n${' '.repeat(indent + width + 2)}${right}`
      : `${' '.repeat(indent)}${left.padEnd(width)}  ${right}`,
  );
}

/** The `--help` text of one command. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: ${usageLine(command)}`, '', command.description ?? command.summary];
  const args = command.arguments ?? [];
  if (args.length) {
    lines.push('', 'Arguments:');
    lines.push(...table(args.map((a) => [a.name, a.description])));
  }
  const options: [string, string][] = Object.entries(command.options ?? {}).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
    return [flag, o.description];
  });
  options.push(['-h, --help', 'show this help']);
  lines.push('', 'Options:', ...table(options));
  if (command.examples?.length) {
    lines.push('', 'Examples:');
    for (const e of command.examples) lines.push(`  ${e.command}`, `      ${e.description}`);
  }
  lines.push(
    '',
    `Exit status: ${command.exitStatus ?? '0 ok, 1 the input could not be read, 2 usage error.'}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The `sysray --help` text: every command with its summary. */
export function mainHelp(registry: CommandRegistry, version: string): string {
  const lines = [
    `sysray ${version}: system-security telemetry from the shell (PCAPNG, Falco captures and rules, SysFlow).`,
    '',
    'Usage: sysray COMMAND [options] [arguments]',
    '       sysray COMMAND --help',
    '',
    'Commands:',
    ...table(registry.list().map((c) => [c.name, c.summary])),
    '',
    'Options:',
    ...table([
      ['-h, --help', 'show this help (or a command’s, after its name)'],
      ['-V, --version', 'print the version'],
    ]),
    '',
    'Exit status: 0 ok, 1 the input could not be read, 2 usage error.',
  ];
  return `${lines.join('\n')}\n`;
}

/** The help text of a command group (`sysray rules --help`). */
export function groupHelp(words: readonly string[], members: Command[]): string {
  const lines = [
    `Usage: sysray ${words.join(' ')} COMMAND [options] [arguments]`,
    '',
    'Commands:',
    ...table(members.map((c) => [c.name, c.summary])),
  ];
  return `${lines.join('\n')}\n`;
}
