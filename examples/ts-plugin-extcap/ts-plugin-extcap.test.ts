import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FalcoAlert } from '@sysray/falco-rules';
import { readScap, ScapEvent } from '@sysray/pcapng/scap';
import { loadPlugin, PluginError, runExtcap, runRulesOnPlugin } from '@sysray/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLogPlugin, parseAccessLine } from './plugin.js';

const TSHARK = '/usr/bin/tshark';
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const TSX = here('node_modules/.bin/tsx');

const LOG = [
  '127.0.0.1 - - [23/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/7.88.1"',
  '127.0.0.1 - alice [23/Nov/2026:11:00:02 +0100] "POST /login HTTP/1.1" 302 0 "http://127.0.0.1/" "Mozilla/5.0"',
  '10.0.0.9 - - [23/Nov/2026:10:00:03 +0000] "GET /static/../../etc/passwd HTTP/1.1" 400 157 "-" "sqlmap/1.7"',
  '10.0.0.9 - - [23/Nov/2026:10:00:04 +0000] "GET /.env HTTP/1.1" 404 153',
];
/** The request times of LOG, in seconds since the epoch (10:00:0N UTC; the +0100 one is 10:00:02 UTC). */
const TIMES = [1, 2, 3, 4].map((s) => `${Date.UTC(2026, 10, 23, 10, 0, s) / 1000}.000000000`);

let dir: string;
let log: string;
beforeAll(async () => {
  if (!existsSync(TSHARK)) throw new Error('tshark is required (scripts/install-tools.sh installs it)');
  dir = await mkdtemp(join(tmpdir(), 'sysray-extcap-example-'));
  log = join(dir, 'access.log');
  await writeFile(log, `${LOG.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function extcap(args: string[]): ChildProcess {
  return spawn(TSX, ['extcap.ts', ...args], { cwd: here('.'), stdio: ['ignore', 'pipe', 'pipe'] });
}

async function output(child: ChildProcess): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c;
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, out, err };
}

/** tshark reading a fifo, one line per frame (flushed per packet with -l): time and the event's data. */
function tsharkOn(fifo: string): { child: ChildProcess; rows: string[]; done: Promise<number | null> } {
  const child = spawn(
    TSHARK,
    ['-l', '-r', fifo, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'data.data'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const rows: string[] = [];
  let buffered = '';
  child.stdout.on('data', (c: Buffer) => {
    buffered += c;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    rows.push(...lines);
  });
  const done = once(child, 'close').then(([code]) => code as number | null);
  return { child, rows, done };
}

/**
 * A plugin event as Wireshark 4.0 shows it (`data.data`, up to the block's padding): the two parameter
 * lengths (4 bytes each), the plugin id (4 bytes), then the payload.
 */
function decodeRow(row: string): { time: string; pluginId: number; line: string } {
  const [time, hex] = row.split('\t');
  const bytes = Buffer.from(hex!, 'hex');
  const payload = bytes.readUInt32LE(4);
  return {
    time: time!,
    pluginId: bytes.readUInt32LE(8),
    line: bytes.subarray(12, 12 + payload).toString('utf8'),
  };
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ts-plugin-extcap', () => {
  it('parses Common and Combined Log Format lines, with the time zone', () => {
    expect(parseAccessLine(LOG[1]!)).toEqual({
      line: LOG[1],
      client: '127.0.0.1',
      user: 'alice',
      ts: BigInt(Date.UTC(2026, 10, 23, 10, 0, 2)) * 1_000_000n,
      method: 'POST',
      path: '/login',
      protocol: 'HTTP/1.1',
      status: 302,
      size: 0,
      referer: 'http://127.0.0.1/',
      agent: 'Mozilla/5.0',
    });
    expect(parseAccessLine(LOG[3]!)).toMatchObject({ path: '/.env', status: 404, size: 153 });
    expect(parseAccessLine(LOG[3]!).agent).toBeUndefined();
    expect(parseAccessLine('garbage')).toEqual({ line: 'garbage' });
  });

  it('installs a wrapper Wireshark runs from any folder; answers the interface and config questions', async () => {
    const folder = join(dir, 'extcap');
    execFileSync('sh', [here('install-extcap.sh'), folder]);
    const wrapper = join(folder, 'sysray-accesslog');
    const ifaces = await output(
      spawn(wrapper, ['--extcap-interfaces'], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    expect(ifaces.code).toBe(0);
    expect(ifaces.out).toMatch(
      /^interface \{value=accesslog\}\{display=accesslog \(Falco plugin, source accesslog\)/m,
    );
    const config = await output(extcap(['--extcap-interface', 'accesslog', '--extcap-config']));
    expect(config.out.split('\n').slice(0, 3)).toEqual([
      'arg {number=0}{call=--file}{display=Log file}{type=string}{tooltip=access log to read}{required=true}{group=Plugin config}',
      'arg {number=1}{call=--follow}{display=Follow}{type=boolflag}{tooltip=keep reading appended lines}{default=false}{group=Plugin config}',
      'arg {number=2}{call=--pollMs}{display=Poll interval (ms)}{type=unsigned}{default=250}{range=10,10000}{group=Plugin config}',
    ]);
  });

  it('captures the log into a fifo that tshark reads: one event per line, stamped with the request time', async () => {
    const fifo = join(dir, 'capture.fifo');
    execFileSync('mkfifo', [fifo]);
    const tshark = tsharkOn(fifo);
    const run = await output(
      extcap(['--capture', '--extcap-interface', 'accesslog', '--fifo', fifo, '--file', log]),
    );
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(await tshark.done).toBe(0);
    expect(tshark.rows.map(decodeRow)).toEqual(
      LOG.map((line, i) => ({ time: TIMES[i], pluginId: 999, line })),
    );
  });

  it('follows the log live until Wireshark stops the capture (SIGTERM)', async () => {
    const live = join(dir, 'live.log');
    await writeFile(live, `${LOG[0]}\n`);
    const fifo = join(dir, 'live.fifo');
    execFileSync('mkfifo', [fifo]);
    const tshark = tsharkOn(fifo);
    const child = extcap([
      '--capture',
      '--extcap-interface',
      'accesslog',
      '--fifo',
      fifo,
      '--file',
      live,
      '--follow',
      '--pollMs',
      '20',
    ]);
    const result = output(child);
    await until(() => tshark.rows.length === 1, 'the first line');
    await appendFile(live, `${LOG[2]}\n${LOG[3]}`); // the last line's newline comes later
    await until(() => tshark.rows.length === 2, 'the appended line');
    await appendFile(live, '\n');
    await until(() => tshark.rows.length === 3, 'the completed line');
    child.kill('SIGTERM');
    expect((await result).code).toBe(0);
    expect(await tshark.done).toBe(0);
    expect(tshark.rows.map((r) => decodeRow(r).line)).toEqual([LOG[0], LOG[2], LOG[3]]);
  });

  it('writes a capture that sysray reads back, with the fields extracting from it', async () => {
    const file = join(dir, 'saved.scap');
    const sink = new PassThrough();
    const code = await runExtcap(
      ['--capture', '--extcap-interface', 'accesslog', '--fifo', file, '--file', log],
      {
        plugins: [{ plugin: accessLogPlugin() }],
        stdout: sink,
        stderr: sink,
      },
    );
    expect(code).toBe(0);
    const plugin = loadPlugin(accessLogPlugin());
    await plugin.init({ file: log });
    const ev = new ScapEvent();
    const paths: unknown[] = [];
    for await (const batch of readScap(file))
      for (let i = 0; i < batch.count; i++) paths.push(plugin.extract(ev.load(batch, i), 'accesslog.path'));
    plugin.destroy();
    expect(paths).toEqual(['/', '/login', '/static/../../etc/passwd', '/.env']);
  });

  it("feeds Falco rules on the plugin's fields", async () => {
    const rules = [
      {
        name: 'accesslog_rules.yaml',
        content: `
- rule: Path traversal in a request
  desc: a request path climbs out of the web root
  condition: accesslog.path contains "../"
  output: "Path traversal from %accesslog.client: %accesslog.method %accesslog.path (status=%accesslog.status agent=%accesslog.agent)"
  priority: WARNING
  source: accesslog
  tags: [web, mitre_initial_access, T1190]
- rule: Secrets file probed
  desc: a client asked for a file that holds secrets
  condition: accesslog.path in (/.env, /.git/config) or accesslog.path endswith id_rsa
  output: "%accesslog.client probed %accesslog.path (status=%accesslog.status)"
  priority: NOTICE
  source: accesslog
  tags: [web, mitre_reconnaissance]
`,
      },
    ];
    const alerts: FalcoAlert[] = [];
    for await (const a of runRulesOnPlugin({
      plugins: [{ plugin: accessLogPlugin(), config: { file: log } }],
      rules,
    }))
      alerts.push(a);
    expect(alerts.map((a) => [a.rule, a.time, a.output_fields['accesslog.client'], a.source])).toEqual([
      ['Path traversal in a request', '2026-11-23T10:00:03.000000000Z', '10.0.0.9', 'accesslog'],
      ['Secrets file probed', '2026-11-23T10:00:04.000000000Z', '10.0.0.9', 'accesslog'],
    ]);
    expect(alerts[0]!.output).toContain('GET /static/../../etc/passwd (status=400 agent=sqlmap/1.7)');
  });

  it('rejects a config the init schema does not allow, naming the property', async () => {
    const plugin = loadPlugin(accessLogPlugin());
    const error = await plugin.init({ file: log, pollMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginError);
    expect((error as PluginError).code).toBe('BAD_CONFIG');
    expect((error as Error).message).toContain('pollMs');
    plugin.destroy();
  });
});
