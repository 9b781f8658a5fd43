/**
 * Wireshark's extcap protocol for plugins (`sysray extcap`): one interface per source plugin, config from the
 * plugin's init schema, and `--capture --fifo` writing a scap/pcapng stream (section header + event blocks)
 * that Wireshark/Logray/tshark read.
 */
import { createWriteStream } from 'node:fs';
import { encodeBatch, scapSectionHeader } from '@sysray/pcapng/scap';
import { PluginError } from './errors.js';
import { loadPlugin, type PluginSpec, parsePluginArg } from './load.js';
import type { Plugin } from './plugin.js';

/** DLT extcap interfaces advertise (`LINKTYPE_USER0`): the stream itself is pcapng with scap event blocks. */
export const EXTCAP_DLT = 147;
const VERSION = '0.1.0';

/** I/O and plugins of {@link runExtcap}. */
export interface ExtcapOptions {
  /** The plugins offered as interfaces: `LIB.so[:CONFIG]` strings or specs (the config is the default). */
  plugins: readonly (string | PluginSpec)[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Stops a running capture. */
  signal?: AbortSignal;
}

interface Args {
  flags: Set<string>;
  values: Map<string, string>;
}

const FLAGS = new Set([
  '--extcap-interfaces',
  '--extcap-dlts',
  '--extcap-config',
  '--capture',
  '--extcap-version',
]);

function parseArgs(argv: readonly string[]): Args {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new PluginError('USAGE', `unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) values.set(a.slice(0, eq), a.slice(eq + 1));
    else if (FLAGS.has(a) || a.startsWith('--extcap-version')) flags.add(a);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) values.set(a, argv[++i]!);
    else flags.add(a);
  }
  return { flags, values };
}

/** Escapes a value for an extcap `{key=value}` pair. */
function esc(s: string): string {
  return s.replace(/[{}\n]/g, ' ');
}

interface SchemaProp {
  name: string;
  schema: Record<string, unknown>;
  required: boolean;
}

function schemaProps(p: Plugin): SchemaProp[] {
  if (!p.info.initSchema) return [];
  const s = JSON.parse(p.info.initSchema) as Record<string, unknown>;
  const props = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  return Object.entries(props).map(([name, schema]) => ({ name, schema, required: required.has(name) }));
}

function configLines(p: Plugin, defaults: Record<string, unknown>): string[] {
  const out: string[] = [];
  let n = 0;
  for (const prop of schemaProps(p)) {
    const s = prop.schema;
    const t = Array.isArray(s.type) ? s.type[0] : s.type;
    const num = n++;
    const def = defaults[prop.name] ?? s.default;
    const enumValues = Array.isArray(s.enum) ? s.enum : undefined;
    const type = enumValues
      ? 'selector'
      : t === 'boolean'
        ? 'boolflag'
        : t === 'integer'
          ? typeof s.minimum === 'number' && s.minimum >= 0
            ? 'unsigned'
            : 'integer'
          : t === 'number'
            ? 'double'
            : 'string';
    let line = `arg {number=${num}}{call=--${prop.name}}{display=${esc(String(s.title ?? prop.name))}}{type=${type}}`;
    if (typeof s.description === 'string') line += `{tooltip=${esc(s.description)}}`;
    if (def !== undefined && !enumValues)
      line += `{default=${esc(typeof def === 'string' ? def : JSON.stringify(def))}}`;
    if (typeof s.minimum === 'number' && typeof s.maximum === 'number')
      line += `{range=${s.minimum},${s.maximum}}`;
    if (prop.required) line += '{required=true}';
    line += '{group=Plugin config}';
    out.push(line);
    if (enumValues)
      for (const v of enumValues)
        out.push(
          `value {arg=${num}}{value=${esc(String(v))}}{display=${esc(String(v))}}${v === def ? '{default=true}' : ''}`,
        );
  }
  out.push(
    `arg {number=${n}}{call=--open-params}{display=Open parameters}{type=string}{tooltip=Parameters passed to the plugin's open()}{group=Capture}`,
  );
  return out;
}

/** Builds the init config from the capture's `--<property> value` arguments, typed by the schema. */
function configFrom(p: Plugin, args: Args, defaults: Record<string, unknown>): Record<string, unknown> {
  const cfg: Record<string, unknown> = { ...defaults };
  for (const prop of schemaProps(p)) {
    const key = `--${prop.name}`;
    const t = Array.isArray(prop.schema.type) ? prop.schema.type[0] : prop.schema.type;
    if (t === 'boolean' && args.flags.has(key)) cfg[prop.name] = true;
    const v = args.values.get(key);
    if (v === undefined) continue;
    if (t === 'integer' || t === 'number') cfg[prop.name] = Number(v);
    else if (t === 'boolean') cfg[prop.name] = v === 'true' || v === '1';
    else if (t === 'object' || t === 'array') cfg[prop.name] = JSON.parse(v);
    else cfg[prop.name] = v;
  }
  return cfg;
}

function defaultsOf(spec: PluginSpec): Record<string, unknown> {
  const c = spec.config;
  if (c === undefined || c === '') return {};
  if (typeof c === 'object') return c;
  try {
    const v = JSON.parse(c) as unknown;
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function writeAll(out: NodeJS.WritableStream, bytes: Uint8Array): Promise<void> {
  if (out.write(bytes)) return;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      out.off('drain', done);
      out.off('error', fail);
      resolve();
    };
    const fail = (e: Error) => {
      out.off('drain', done);
      reject(e);
    };
    out.on('drain', done);
    out.on('error', fail);
  });
}

async function capture(p: Plugin, spec: PluginSpec, args: Args, opts: ExtcapOptions): Promise<number> {
  const fifo = args.values.get('--fifo');
  if (!fifo) throw new PluginError('USAGE', '--capture needs --fifo PATH');
  await p.init(configFrom(p, args, defaultsOf(spec)));
  const out = createWriteStream(fifo);
  let broken = false;
  out.on('error', () => {
    broken = true;
  });
  const cap = await p.open(
    args.values.get('--open-params') ?? '',
    opts.signal ? { signal: opts.signal } : {},
  );
  try {
    await writeAll(out, scapSectionHeader());
    for await (const batch of cap) {
      if (broken) break;
      const parts = encodeBatch(batch);
      let n = 0;
      for (const b of parts) n += b.length;
      const buf = new Uint8Array(n);
      let o = 0;
      for (const b of parts) {
        buf.set(b, o);
        o += b.length;
      }
      await writeAll(out, buf);
    }
  } catch (e) {
    // The reader going away (Wireshark stopping the capture) ends the capture normally.
    if (!broken) throw e;
  } finally {
    await cap.close();
    await new Promise<void>((resolve) => out.end(() => resolve()));
  }
  return 0;
}

/**
 * Runs one extcap invocation (what Wireshark runs `sysray extcap …` with) and resolves to the exit code:
 * `--extcap-interfaces`, `--extcap-dlts`, `--extcap-config` (from the init schema), `--capture --fifo PATH`.
 * Errors are printed to `stderr` (exit code 1).
 *
 * @example
 * ```ts
 * const code = await runExtcap(process.argv.slice(3), {
 *   plugins: ['/usr/share/falco/plugins/libtest.so'], stdout: process.stdout, stderr: process.stderr,
 * });
 * ```
 */
export async function runExtcap(argv: readonly string[], options: ExtcapOptions): Promise<number> {
  const loaded: Plugin[] = [];
  try {
    const args = parseArgs(argv);
    const specs = options.plugins.map((p) => (typeof p === 'string' ? parsePluginArg(p) : p));
    const entries = specs.map((spec) => {
      const plugin = loadPlugin(spec.plugin);
      loaded.push(plugin);
      return { spec, plugin };
    });
    const sources = entries.filter((e) => e.plugin.has('sourcing'));
    const print = (lines: string[]) => {
      if (lines.length > 0) options.stdout.write(`${lines.join('\n')}\n`);
    };
    if (args.flags.has('--extcap-interfaces')) {
      const lines = [`extcap {version=${VERSION}}{help=https://github.com/sysray/sysray}`];
      for (const { plugin } of sources)
        lines.push(
          `interface {value=${esc(plugin.info.name)}}{display=${esc(`${plugin.info.name} (Falco plugin, source ${plugin.info.eventSource}): ${plugin.info.description}`)}}`,
        );
      print(lines);
      return 0;
    }
    if (args.flags.has('--extcap-version') || [...args.flags].some((f) => f.startsWith('--extcap-version'))) {
      print([`extcap {version=${VERSION}}`]);
      return 0;
    }
    const name = args.values.get('--extcap-interface');
    const entry = sources.find((e) => e.plugin.info.name === name);
    if (!entry)
      throw new PluginError(
        'USAGE',
        name === undefined ? 'missing --extcap-interface' : `no source plugin called '${name}'`,
      );
    if (args.flags.has('--extcap-dlts')) {
      print([`dlt {number=${EXTCAP_DLT}}{name=${esc(entry.plugin.info.name)}}{display=Falco plugin events}`]);
      return 0;
    }
    if (args.flags.has('--extcap-config')) {
      print(configLines(entry.plugin, defaultsOf(entry.spec)));
      return 0;
    }
    if (args.flags.has('--capture')) return await capture(entry.plugin, entry.spec, args, options);
    throw new PluginError(
      'USAGE',
      'nothing to do: pass --extcap-interfaces, --extcap-dlts, --extcap-config or --capture',
    );
  } catch (e) {
    options.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    for (const p of loaded) p.destroy();
  }
}
