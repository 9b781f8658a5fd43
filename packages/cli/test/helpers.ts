import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunCliOptions, runCli } from '../src/index.js';

/** The repository root (this file is packages/cli/test/helpers.ts). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * The shared test data: CI clones the repo next to `shared/` (like /work/main and /work/shared), so it
 * is found relative to the repo, never copied into it.
 */
export const TESTDATA = fileURLToPath(new URL('../../../../shared/testdata/', import.meta.url));
export const GENERATOR_DIR = `${TESTDATA}pcapng/generator/`;
export const MALFORMED_DIR = `${TESTDATA}pcapng/malformed/`;
export const DEMO = `${REPO}examples/data/demo.pcapng`;

if (!existsSync(GENERATOR_DIR))
  throw new Error(`test data not found at ${TESTDATA}: clone the repo next to the shared/ folder`);

/** What one in-process run printed and returned. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A text stream that keeps what is written to it in `text` (with optional terminal properties). */
export function collector(tty: { isTTY?: boolean; columns?: number } = {}) {
  const stream = {
    ...tty,
    text: '',
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream;
}

/** Runs `sysray ARGV` in-process, collecting its output. */
export async function sysray(argv: string[], options: RunCliOptions = {}): Promise<RunResult> {
  const stdout = collector();
  const stderr = collector();
  const code = await runCli(argv, { stdout, stderr }, options);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A generator sample with the block counts and sequence its own `.txt` states. */
export interface GeneratorFile {
  /** `output_le/basic/test001` */
  name: string;
  path: string;
  counts: Record<string, number>;
  sequence: string[];
}

/** All 48 files of the pcapng test generator, with what their `.txt` descriptions say. */
export function generatorFiles(): GeneratorFile[] {
  const files: GeneratorFile[] = [];
  for (const order of ['output_le', 'output_be']) {
    for (const category of ['basic', 'advanced', 'difficult']) {
      const dir = `${GENERATOR_DIR}${order}/${category}/`;
      for (const entry of readdirSync(dir).sort()) {
        if (!entry.endsWith('.pcapng')) continue;
        const stem = entry.slice(0, -'.pcapng'.length);
        const txt = readFileSync(`${dir}${stem}.txt`, 'utf8');
        const counts: Record<string, number> = {};
        const countsSection = /Block counts:\n((?:\s+\w+: \d+\n?)+)/.exec(txt);
        if (!countsSection) throw new Error(`no block counts in ${dir}${stem}.txt`);
        for (const m of countsSection[1]!.matchAll(/(\w+): (\d+)/g)) counts[m[1]!] = Number(m[2]);
        const sequence = /^Block sequence:\s*(.*)$/m.exec(txt);
        if (!sequence) throw new Error(`no block sequence in ${dir}${stem}.txt`);
        files.push({
          name: `${order}/${category}/${stem}`,
          path: `${dir}${entry}`,
          counts,
          sequence: sequence[1]!.split(',').map((s) => s.trim()),
        });
      }
    }
  }
  return files;
}

/** The path of a Wireshark tool, or a thrown error: oracle tests fail without it, never skip. */
export function tool(name: 'tshark' | 'capinfos'): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat('/usr/bin')) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  throw new Error(
    `${name} is required by the CLI oracle tests but was not found on PATH: install it (apt-get install tshark wireshark-common; CI does this in scripts/install-tools.sh)`,
  );
}

/** What capinfos says of a file; times as it prints them (file precision), `undefined` for `n/a`. */
export interface CapinfosFacts {
  packets: number;
  dataSize: number;
  start: string | undefined;
  end: string | undefined;
}

/** capinfos's packet count, data size, start and end time of each file, by path (one capinfos run). */
export function capinfos(paths: string[]): Map<string, CapinfosFacts> {
  const out = execFileSync(tool('capinfos'), ['-T', '-r', '-M', '-c', '-d', '-a', '-e', '-S', ...paths], {
    encoding: 'utf8',
  });
  const result = new Map<string, CapinfosFacts>();
  for (const line of out.trim().split('\n')) {
    const [path, packets, dataSize, start, end] = line.split('\t');
    result.set(path!, {
      packets: Number(packets),
      dataSize: Number(dataSize),
      start: start === 'n/a' ? undefined : start,
      end: end === 'n/a' ? undefined : end,
    });
  }
  if (result.size !== paths.length)
    throw new Error(`capinfos described ${result.size} of ${paths.length} files`);
  return result;
}

/** Each frame's `frame.time_epoch` as tshark prints it ('' for a frame without a timestamp). */
export function tsharkTimes(path: string): Promise<string[]> {
  const tshark = tool('tshark');
  return new Promise((resolve, reject) => {
    execFile(tshark, ['-r', path, '-n', '-T', 'fields', '-e', 'frame.time_epoch'], (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout.split('\n').slice(0, -1));
    });
  });
}

/** Runs `task` over `items`, at most `limit` at a time; results by item. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<Map<T, R>> {
  const results = new Map<T, R>();
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      results.set(item, await task(item));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** `1340954905.298858000` for nanoseconds `1340954905298858000` (tshark's `frame.time_epoch`). */
export function epochString(ns: string | bigint): string {
  const value = BigInt(ns);
  return `${value / 1_000_000_000n}.${(value % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** The Falco captures of the shared test data: gzip-compressed `scap/*.scap`, plain `sysflow-pairs/*.scap`. */
export function scapFiles(): string[] {
  const files: string[] = [];
  for (const dir of ['scap/', 'sysflow-pairs/'])
    for (const entry of readdirSync(`${TESTDATA}${dir}`).sort())
      if (entry.endsWith('.scap')) files.push(`${TESTDATA}${dir}${entry}`);
  return files;
}

/** The SysFlow files of the shared test data: `sysflow-pairs/*.sf` (schema v5) and `sysflow-traces/*.sf` (v2, v4). */
export function sysflowFiles(): string[] {
  const files: string[] = [];
  for (const dir of ['sysflow-pairs/', 'sysflow-traces/'])
    for (const entry of readdirSync(`${TESTDATA}${dir}`).sort())
      if (entry.endsWith('.sf')) files.push(`${TESTDATA}${dir}${entry}`);
  return files;
}

/** One sysdig event frame as tshark dissects it. */
export interface TsharkEvent {
  /** `frame.time_epoch`: seconds with nine decimals. */
  time: string;
  cpu: number;
  /** The thread id (tshark prints it unsigned; this is the signed 64-bit value). */
  tid: number;
  /** Event type id. */
  type: number;
}

/** Every frame of a capture (plain or gzip) as tshark dissects sysdig event blocks. */
export function tsharkEvents(path: string): Promise<TsharkEvent[]> {
  const tshark = tool('tshark');
  const fields = ['frame.time_epoch', 'sysdig.cpu_id', 'sysdig.thread_id', 'sysdig.event_type'];
  return new Promise((resolve, reject) => {
    execFile(
      tshark,
      ['-r', path, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
      { maxBuffer: 256 * 1024 * 1024 },
      (error, stdout) => {
        if (error) reject(error);
        else
          resolve(
            stdout
              .split('\n')
              .slice(0, -1)
              .map((line) => {
                const [time = '', cpu = '', tid = '', type = ''] = line.split('\t');
                return {
                  time,
                  cpu: Number(cpu),
                  tid: Number(BigInt.asIntN(64, BigInt(tid || '0'))),
                  type: Number(type),
                };
              }),
          );
      },
    );
  });
}

/** Debian's python3 (the one that sees python3-avro), or a thrown error: oracle tests fail without it. */
export const PYTHON = '/usr/bin/python3';

/**
 * The records of a SysFlow file as Apache's python3-avro reads them (with the file's own writer schema),
 * through the sysflow-format package's oracle script: `{type, rec}` with longs as decimal strings.
 */
export function pythonAvroRecords(path: string): { type: string; rec: Record<string, unknown> }[] {
  const script = `${REPO}packages/sysflow-format/test/oracle/read_avro.py`;
  const out = execFileSync(PYTHON, [script, path], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { type: string; rec: Record<string, unknown> });
}

/**
 * Compiles the plugin-api package's C test plugin (source `test`, id 999: `count` events "msg N", with
 * count/prefix/mode config) with the system compiler into `dir`, and returns the `.so` path.
 */
export function buildTestPlugin(dir: string): string {
  const so = join(dir, 'libtest.so');
  execFileSync(process.env.CC ?? 'cc', [
    '-shared',
    '-fPIC',
    '-O2',
    '-o',
    so,
    `${REPO}packages/plugin-api/test/fixtures/test_plugin.c`,
  ]);
  return so;
}
