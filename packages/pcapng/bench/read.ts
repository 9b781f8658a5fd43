/**
 * pcapng read benchmark: our block walk and typed readers against tcpdump, Wireshark's readers and
 * the npm package pcap-ng-parser, on one generated 1M-packet file, in one run.
 *
 *   pnpm --filter @sysray/pcapng bench [--packets 1000000] [--runs 9] [--parser-runs 5]
 *     [--cold-runs 3] [--seed N] [--no-build] [--skip-dissect]
 *
 * Builds the package with tsup first when `dist/` is older than `src/` (we measure the shipped code,
 * from a copy of `dist/` in `.bench-data/pcapng-dist/`),
 * generates `.bench-data/pcapng-bench-*.pcapng` at the repository root once (deterministic), warms
 * the page cache, checks every reader reports the same packet count, then times each reader in
 * rounds (order rotated per round) and prints median and best seconds; then times the main readers
 * again with the file evicted from the page cache before each run. Exits non-zero when a tool is
 * missing or a count differs. Tools: `tcpdump`, `tshark`, `capinfos` on PATH (or env TCPDUMP, TSHARK,
 * CAPINFOS), the `pcap-ng-parser` devDependency, `dd` (coreutils). See BENCHMARKS.md.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  PCAP_NG_PARSER_PROCESS,
  type PcapNgParserClass,
  readBatches,
  readBlocks,
  readWithPcapNgParser,
  type Tally,
  WALK_PROCESS,
  walkBlocks,
} from './lib/contenders.js';
import { GENERATOR_VERSION, generateCapture } from './lib/generate.js';
import { best, markdownTable, median, textTable, timeProcess, versionOf } from './lib/run.js';

/** The package's API (types from src/; the code run is the built dist/). */
type Pcapng = typeof import('../src/index.js');

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, '..');
const repoRoot = resolve(packageDir, '../..');
const dist = join(packageDir, 'dist', 'index.js');

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'), // `pnpm … bench -- --runs 3` passes the `--`
  options: {
    packets: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '9' },
    'parser-runs': { type: 'string', default: '5' },
    'cold-runs': { type: 'string', default: '3' },
    seed: { type: 'string', default: '20260101' },
    'no-build': { type: 'boolean', default: false },
    'skip-dissect': { type: 'boolean', default: false },
  },
});
const packets = Number(args.packets);
const runs = Number(args.runs);
const parserRuns = Number(args['parser-runs']);
const coldRuns = Number(args['cold-runs']);
const seed = Number(args.seed);

function fail(message: string): never {
  console.error(`\nbench: ${message}`);
  process.exit(1);
}

// ── tools ───────────────────────────────────────────────────────────────────────────────────────────
const TCPDUMP = process.env.TCPDUMP ?? 'tcpdump';
const TSHARK = process.env.TSHARK ?? 'tshark';
const CAPINFOS = process.env.CAPINFOS ?? 'capinfos';
const versions: Record<string, string | undefined> = {
  node: process.version,
  tcpdump: versionOf(TCPDUMP),
  tshark: versionOf(TSHARK),
  capinfos: versionOf(CAPINFOS, ['-h']),
};
const require = createRequire(import.meta.url);
let parserMain: string | undefined;
try {
  parserMain = require.resolve('pcap-ng-parser');
  versions['pcap-ng-parser'] = (require('pcap-ng-parser/package.json') as { version: string }).version;
} catch {
  parserMain = undefined;
}
const missing = Object.entries(versions)
  .filter(([, v]) => v === undefined)
  .map(([k]) => k);
if (parserMain === undefined) missing.push('pcap-ng-parser');
if (missing.length > 0)
  fail(
    `missing: ${[...new Set(missing)].join(', ')}. Install tcpdump and tshark (Debian: apt-get install tcpdump tshark; ` +
      'capinfos comes with tshark) and run `pnpm install` for the pcap-ng-parser devDependency.',
  );

// ── build ───────────────────────────────────────────────────────────────────────────────────────────
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
if (
  !args['no-build'] &&
  (!existsSync(dist) || statSync(dist).mtimeMs < newestMtime(join(packageDir, 'src')))
) {
  console.log('building @sysray/pcapng (dist/ is older than src/) …');
  const built = timeProcess('pnpm', ['exec', 'tsup'], { ...process.env, FORCE_COLOR: '0' }, packageDir);
  console.log(`built in ${built.seconds.toFixed(1)} s`);
}
if (!existsSync(dist)) fail(`${dist} is missing: run \`pnpm --filter @sysray/pcapng build\``);
// Run a private copy of the build, so that a rebuild of dist/ during the run (tsup cleans it first)
// cannot pull the code from under the timed processes.
const snapshot = join(repoRoot, '.bench-data', 'pcapng-dist');
rmSync(snapshot, { recursive: true, force: true });
cpSync(dirname(dist), snapshot, { recursive: true });
const distUrl = pathToFileURL(join(snapshot, 'index.js')).href;
const pcapng = (await import(distUrl)) as Pcapng;
const Parser = require(parserMain!) as PcapNgParserClass;

// ── capture file ────────────────────────────────────────────────────────────────────────────────────
const dataDir = join(repoRoot, '.bench-data');
mkdirSync(dataDir, { recursive: true });
const file = join(dataDir, `pcapng-bench-${packets}-seed${seed}-v${GENERATOR_VERSION}.pcapng`);
if (!existsSync(file)) {
  console.log(`generating ${file} with createPcapngWriter …`);
  const started = performance.now();
  const partial = `${file}.partial`;
  const made = await generateCapture(pcapng, partial, packets, seed);
  renameSync(partial, file);
  console.log(
    `  ${made.packets} packets, ${JSON.stringify(made.blocks)}, ${(made.fileBytes / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
const fileBytes = statSync(file).size;
const relFile = file.slice(repoRoot.length + 1);

// Warm the page cache: read the whole file once (and check it all fits in memory).
if (fileBytes * 2 > totalmem()) console.warn('warning: the file may not stay in the page cache');
{
  const handle = await open(file);
  const buffer = new Uint8Array(4 << 20);
  while ((await handle.read(buffer, 0, buffer.length, null)).bytesRead > 0) {}
  await handle.close();
}

// ── contenders ──────────────────────────────────────────────────────────────────────────────────────
interface Contender {
  name: string;
  what: string;
  /** 'in-process' (timed inside this process, JIT warm) or 'process' (wall clock of a whole process). */
  kind: 'in-process' | 'process';
  runs: number;
  /** One timed run: seconds and the packet count the reader reported (undefined: no count). */
  run: () => Promise<{ seconds: number; packets?: number }>;
  seconds: number[];
}

async function inProcess(read: () => Promise<Tally>): Promise<{ seconds: number; packets: number }> {
  const started = performance.now();
  const tally = await read();
  return { seconds: (performance.now() - started) / 1000, packets: tally.packets };
}

function nodeProcess(code: string, module: boolean, env: Record<string, string>) {
  const args = module ? ['--input-type=module', '-e', code] : ['-e', code];
  const run = timeProcess(process.execPath, args, { ...process.env, ...env, BENCH_FILE: file });
  const reported = JSON.parse(run.stdout.trim().split('\n').pop()!) as Tally;
  return { seconds: run.seconds, packets: reported.packets };
}

const countLine = (text: string, pattern: RegExp, tool: string): number => {
  const match = pattern.exec(text);
  if (!match) fail(`cannot find the packet count in ${tool}'s output:\n${text}`);
  return Number(match[1]);
};

const contenders: Contender[] = [
  {
    name: 'sysray walk',
    what: 'pcapngWindows + BlockCursor, count EPBs + sum caplen',
    kind: 'in-process',
    runs,
    run: () => inProcess(() => walkBlocks(pcapng, file)),
    seconds: [],
  },
  {
    name: 'sysray walk',
    what: 'same, `node -e` process (startup + import incl.)',
    kind: 'process',
    runs,
    run: async () => nodeProcess(WALK_PROCESS, true, { SYSRAY_PCAPNG: distUrl }),
    seconds: [],
  },
  {
    name: 'sysray readPcapngBatches',
    what: 'typed blocks (bigint ns timestamps), array per window',
    kind: 'in-process',
    runs,
    run: () => inProcess(() => readBatches(pcapng, file)),
    seconds: [],
  },
  {
    name: 'sysray readPcapng',
    what: 'typed blocks, one per async iteration',
    kind: 'in-process',
    runs,
    run: () => inProcess(() => readBlocks(pcapng, file)),
    seconds: [],
  },
  {
    name: 'tcpdump',
    what: '`tcpdump -r F -w /dev/null`',
    kind: 'process',
    runs,
    run: async () => ({ seconds: timeProcess(TCPDUMP, ['-r', file, '-w', '/dev/null']).seconds }),
    seconds: [],
  },
  {
    name: 'tcpdump --count',
    what: '`tcpdump -r F --count`',
    kind: 'process',
    runs,
    run: async () => {
      const run = timeProcess(TCPDUMP, ['-r', file, '--count']);
      return { seconds: run.seconds, packets: countLine(run.stdout, /^(\d+) packets?/m, 'tcpdump') };
    },
    seconds: [],
  },
  {
    name: 'tshark -w',
    what: "`tshark -r F -w /dev/null` (tshark's fastest full read: no dissection)",
    kind: 'process',
    runs,
    run: async () => ({ seconds: timeProcess(TSHARK, ['-r', file, '-w', '/dev/null']).seconds }),
    seconds: [],
  },
  {
    name: 'capinfos -c',
    what: '`capinfos -c -M F` (Wireshark wiretap, counts records)',
    kind: 'process',
    runs,
    run: async () => {
      const run = timeProcess(CAPINFOS, ['-c', '-M', file]);
      return {
        seconds: run.seconds,
        packets: countLine(run.stdout, /Number of packets:\s+(\d+)/, 'capinfos'),
      };
    },
    seconds: [],
  },
  {
    name: 'pcap-ng-parser',
    what: 'createReadStream(F).pipe(parser), count `data` events',
    kind: 'in-process',
    runs: parserRuns,
    run: () => inProcess(() => readWithPcapNgParser(Parser, file)),
    seconds: [],
  },
  {
    name: 'pcap-ng-parser',
    what: 'same, `node -e` process',
    kind: 'process',
    runs: parserRuns,
    run: async () => nodeProcess(PCAP_NG_PARSER_PROCESS, false, { PCAP_NG_PARSER: parserMain! }),
    seconds: [],
  },
];
if (!args['skip-dissect'])
  contenders.push({
    name: 'tshark -z io,stat',
    what: '`tshark -r F -q -z io,stat,0` (full dissection; 1 run)',
    kind: 'process',
    runs: 1,
    run: async () => {
      const run = timeProcess(TSHARK, ['-r', file, '-q', '-z', 'io,stat,0']);
      return {
        seconds: run.seconds,
        packets: countLine(run.stdout, /<>\s*[\d.]+\s*\|\s*(\d+)\s*\|/, 'tshark'),
      };
    },
    seconds: [],
  });

const loadAtStart = loadavg()[0]!;
console.log(
  `\n${relFile}: ${packets} packets, ${(fileBytes / 1e6).toFixed(1)} MB; page cache warm; ` +
    `${runs} rounds (pcap-ng-parser ${parserRuns}), order rotated per round`,
);

// Untimed first pass of every reader: checks the counts and warms the JIT of the in-process readers.
const counts: string[] = [];
for (const c of contenders) {
  if (c.runs === 1) continue; // timed once below
  const { packets: reported } = await c.run();
  if (reported !== undefined) counts.push(`${c.name} (${c.kind}): ${reported}`);
  if (reported !== undefined && reported !== packets)
    fail(`COUNT MISMATCH: ${c.name} (${c.kind}) reports ${reported} packets, the file has ${packets}`);
}

const rounds = Math.max(...contenders.map((c) => c.runs));
for (let round = 0; round < rounds; round++) {
  const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
  for (const c of order) {
    if (c.seconds.length >= c.runs) continue;
    const { seconds, packets: reported } = await c.run();
    if (reported !== undefined && reported !== packets)
      fail(`COUNT MISMATCH: ${c.name} (${c.kind}) reports ${reported} packets, the file has ${packets}`);
    if (reported !== undefined && c.runs === 1) counts.push(`${c.name} (${c.kind}): ${reported}`);
    c.seconds.push(seconds);
  }
  process.stdout.write(`round ${round + 1}/${rounds} done\r`);
}
console.log(`\npacket counts (all ${packets}): ${counts.join('; ')}`);
console.log(
  '(tcpdump -w and tshark -w print no count; the same binaries count them in the --count / capinfos rows)',
);

// ── table ───────────────────────────────────────────────────────────────────────────────────────────
const find = (name: string, kind: Contender['kind']) =>
  contenders.find((c) => c.name === name && c.kind === kind)!;
type Stat = (values: readonly number[]) => number;
const stats: [string, Stat][] = [
  ['median', median],
  ['best', best],
];
const tcpdumpRuns = find('tcpdump', 'process').seconds;
const parserRows = {
  'in-process': find('pcap-ng-parser', 'in-process'),
  process: find('pcap-ng-parser', 'process'),
};
const header = [
  'reader',
  'how timed / what',
  'median s',
  'best s',
  'packets/s',
  'MB/s',
  '× tcpdump time (median / best)',
  'speed-up vs pcap-ng-parser (median / best)',
];
const rows = contenders.map((c) => {
  const m = median(c.seconds);
  const both = (f: (stat: Stat) => number, digits: number) =>
    stats.map(([, stat]) => f(stat).toFixed(digits)).join(' / ');
  return [
    c.name,
    `${c.kind === 'process' ? 'process wall' : 'in-process'}: ${c.what}`,
    m.toFixed(3),
    best(c.seconds).toFixed(3),
    `${(packets / m / 1e6).toFixed(2)} M`,
    (fileBytes / 1e6 / m).toFixed(0),
    both((stat) => stat(c.seconds) / stat(tcpdumpRuns), 2),
    `${both((stat) => stat(parserRows[c.kind].seconds) / stat(c.seconds), 1)}×`,
  ];
});
console.log(`\n${textTable(header, rows)}`);
console.log(
  '\nmedian and best (fastest) of the runs; packets/s and MB/s (10^6 bytes of file) from the median; "× tcpdump time" =' +
    ' time / time of `tcpdump -r F -w /dev/null` (lower is faster); speed-up vs pcap-ng-parser compares like with like' +
    ' (in-process with in-process, process wall with process wall).',
);

const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
const walkIn = find('sysray walk', 'in-process').seconds;
const walkProc = find('sysray walk', 'process').seconds;
const targets = stats.flatMap(([name, stat]) => {
  const tcp = stat(tcpdumpRuns);
  const inRatio = stat(walkIn) / tcp;
  const procRatio = stat(walkProc) / tcp;
  const inSpeedup = stat(parserRows['in-process'].seconds) / stat(walkIn);
  const procSpeedup = stat(parserRows.process.seconds) / stat(walkProc);
  return [
    `(${name}) walk ≤ 1.5× tcpdump's time: process wall ${procRatio.toFixed(2)}× → ${verdict(procRatio <= 1.5)}; ` +
      `in-process ${inRatio.toFixed(2)}× → ${verdict(inRatio <= 1.5)}`,
    `(${name}) walk ≥ 10× faster than pcap-ng-parser: in-process ${inSpeedup.toFixed(1)}× → ${verdict(inSpeedup >= 10)}; ` +
      `process wall ${procSpeedup.toFixed(1)}× → ${verdict(procSpeedup >= 10)}`,
  ];
});
console.log(`\ntargets:\n  ${targets.join('\n  ')}`);

// ── cold page cache ─────────────────────────────────────────────────────────────────────────────────
// The file is evicted before each run with `dd iflag=nocache count=0` (POSIX_FADV_DONTNEED). The host
// of a VM may still cache the disk, so "cold" is "not in this kernel's page cache".
const coldHeader = [
  'reader',
  'how timed / what',
  'median s',
  'best s',
  'packets/s',
  'MB/s',
  '× tcpdump time (median / best)',
];
let coldRows: string[][] = [];
if (coldRuns > 0) {
  const cold = [
    find('sysray walk', 'in-process'),
    find('sysray walk', 'process'),
    find('sysray readPcapngBatches', 'in-process'),
    find('tcpdump', 'process'),
    find('tcpdump --count', 'process'),
    find('tshark -w', 'process'),
    find('capinfos -c', 'process'),
  ];
  const coldSeconds = new Map<Contender, number[]>(cold.map((c) => [c, []]));
  try {
    for (let round = 0; round < coldRuns; round++) {
      for (let i = 0; i < cold.length; i++) {
        const c = cold[(i + round) % cold.length]!;
        timeProcess('dd', [`if=${file}`, 'iflag=nocache', 'count=0']);
        const { seconds, packets: reported } = await c.run();
        if (reported !== undefined && reported !== packets)
          fail(`COUNT MISMATCH (cold): ${c.name} (${c.kind}) reports ${reported} packets`);
        coldSeconds.get(c)!.push(seconds);
      }
      process.stdout.write(`cold round ${round + 1}/${coldRuns} done\r`);
    }
    const coldTcpdump = coldSeconds.get(find('tcpdump', 'process'))!;
    coldRows = cold.map((c) => {
      const runs = coldSeconds.get(c)!;
      const m = median(runs);
      return [
        c.name,
        `${c.kind === 'process' ? 'process wall' : 'in-process'}: ${c.what}`,
        m.toFixed(3),
        best(runs).toFixed(3),
        `${(packets / m / 1e6).toFixed(2)} M`,
        (fileBytes / 1e6 / m).toFixed(0),
        `${(m / median(coldTcpdump)).toFixed(2)} / ${(best(runs) / best(coldTcpdump)).toFixed(2)}`,
      ];
    });
    console.log(`\n\ncold page cache (file evicted before each run; ${coldRuns} runs each):\n`);
    console.log(textTable(coldHeader, coldRows));
  } catch (error) {
    console.warn(`\ncold-cache runs skipped: ${(error as Error).message}`);
    coldRows = [];
  }
}

const cpu = cpus()[0]?.model ?? 'unknown';
console.log(`\n--- Markdown (for BENCHMARKS.md) ---\n`);
console.log(
  `Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${process.platform} ${process.arch}; ` +
    Object.entries(versions)
      .map(([k, v]) => `${k} ${v}`)
      .join('; '),
);
console.log(`File: \`${relFile}\`, ${packets} packets, ${(fileBytes / 1e6).toFixed(1)} MB`);
console.log(
  `Load average (1 min) at the start of the timed runs ${loadAtStart.toFixed(2)}, at the end ${loadavg()[0]!.toFixed(2)} (${cpus().length} CPUs)\n`,
);
console.log(markdownTable(header, rows));
console.log(`\n${targets.map((t) => `- ${t}`).join('\n')}`);
if (coldRows.length > 0) console.log(`\nCold page cache:\n\n${markdownTable(coldHeader, coldRows)}`);
