import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import type { Output } from '../output.js';

/** Splits `--plugin LIB.so[:CONFIG]` / `--plugin=…` arguments from the extcap arguments to forward. */
export function extcapArguments(argv: readonly string[]): { plugins: string[]; rest: string[] } {
  const plugins: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--plugin') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError("option '--plugin LIB.so[:CONFIG]' argument missing", 'extcap');
      plugins.push(value);
      i++;
    } else if (a.startsWith('--plugin=')) plugins.push(a.slice('--plugin='.length));
    else rest.push(a);
  }
  return { plugins, rest };
}

/**
 * One line of an extcap answer as JSON: `interface {value=x}{display=X}` → `{"kind":"interface","value":"x",
 * "display":"X"}`; a line of another shape is kept as `{"kind":"text","text":…}`.
 */
export function extcapLineToJson(line: string): Record<string, string> {
  const m = /^([a-z]+) ((?:\{[^=}]+=[^}]*\})+)$/.exec(line);
  if (!m) return { kind: 'text', text: line };
  const out: Record<string, string> = { kind: m[1]! };
  for (const part of m[2]!.matchAll(/\{([^=}]+)=([^}]*)\}/g)) out[part[1]!] = part[2]!;
  return out;
}

/** A writable that hands text to an {@link Output} (what `runExtcap` prints its answers to). */
function writer(output: Output): NodeJS.WritableStream {
  return {
    write(chunk: string | Uint8Array) {
      output.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  } as unknown as NodeJS.WritableStream;
}

/**
 * `sysray extcap --plugin LIB.so[:CONFIG] EXTCAP-ARGS…`: Falco source plugins as Wireshark extcap
 * interfaces (what Wireshark runs through a wrapper script in its extcap folder).
 */
export const extcapCommand: Command = {
  name: 'extcap',
  summary: 'serve Falco source plugins to Wireshark / Logray / tshark as extcap interfaces',
  description: [
    'Wireshark’s extcap protocol for Falco plugins: one interface per source plugin given with --plugin',
    '(a shared library built against plugin API 3.x, with its init config after a colon, as Falco takes',
    'it). --extcap-interfaces, --extcap-dlts and --extcap-config (one argument per property of the',
    'plugin’s init schema) answer Wireshark’s questions; --capture --extcap-interface NAME --fifo PATH',
    '[--PROPERTY VALUE …] [--open-params P] streams the plugin’s events into the fifo as a pcapng section',
    'of scap event blocks. Every argument but --plugin is passed on as Wireshark gave it.',
    '',
    'With --json (before the extcap arguments) the answers are NDJSON, one object per line of the protocol',
    '(`kind` = interface, dlt, arg, value, extcap, …, then its fields), for scripts.',
    '',
    'To install, put an executable script in Wireshark’s extcap folder (Help › About › Folders), e.g.',
    '~/.local/lib/wireshark/extcap/sysray-falco:',
    '  #!/bin/sh',
    '  exec sysray extcap --plugin /usr/share/falco/plugins/libcloudtrail.so "$@"',
  ].join('\n'),
  arguments: [
    {
      name: 'ARGS',
      description: '--plugin LIB.so[:CONFIG] (may repeat), then the extcap arguments',
      variadic: true,
      required: false,
    },
  ],
  examples: [
    {
      command: 'sysray extcap --plugin libcloudtrail.so --extcap-interfaces',
      description: 'the interfaces Wireshark would list',
    },
    {
      command: 'sysray extcap --plugin libcloudtrail.so --json --extcap-config --extcap-interface cloudtrail',
      description: 'the config questions as NDJSON',
    },
    {
      command:
        'sysray extcap --plugin libcloudtrail.so --capture --extcap-interface cloudtrail --fifo /tmp/f --s3DownloadConcurrency 8',
      description: 'capture into a fifo, with a plugin config property',
    },
  ],
  exitStatus: '0 ok, 1 the plugin could not be loaded or the capture failed, 2 usage error.',
  passThrough: true,
  async run({ args, stdout, stderr }) {
    const json = args.includes('--json');
    const { plugins, rest } = extcapArguments(args.filter((a) => a !== '--json'));
    if (plugins.length === 0) throw new UsageError('missing --plugin LIB.so[:CONFIG]', 'extcap');
    if (rest.length === 0)
      throw new UsageError('missing extcap arguments (--extcap-interfaces, …)', 'extcap');
    // Loaded on use: the plugin host is a native addon the other commands do not need.
    const { runExtcap } = await import('@sysray/plugin-api');
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      if (!json)
        return await runExtcap(rest, {
          plugins,
          stdout: writer(stdout),
          stderr: writer(stderr),
          signal: controller.signal,
        });
      let text = '';
      const code = await runExtcap(rest, {
        plugins,
        stdout: {
          write(chunk: string | Uint8Array) {
            text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
            return true;
          },
        } as unknown as NodeJS.WritableStream,
        stderr: writer(stderr),
        signal: controller.signal,
      });
      for (const line of text.split('\n'))
        if (line !== '') stdout.line(JSON.stringify(extcapLineToJson(line)));
      return code;
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    }
  },
};
