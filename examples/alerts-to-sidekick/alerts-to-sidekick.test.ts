import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FalcoAlert } from '@sysray/falco-rules';
import { craftCapture, runRulesOnCapture } from '@sysray/inspector';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RetryInfo, SidekickError, SidekickForwarder } from './sidekick.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Falco's JSON output keys, as Falcosidekick reads them. */
const FALCO_KEYS = ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time'];

/** Real alerts: a rule over a crafted capture where `cat` reads 24 files. */
let alerts: FalcoAlert[];
beforeAll(async () => {
  const capture = craftCapture({
    hostname: 'web-1',
    threads: [{ tid: 7, comm: 'cat', exe: 'cat', exepath: '/usr/bin/cat' }],
    events: Array.from({ length: 24 }, (_, i) => ({
      type: 'openat',
      tid: 7,
      params: { fd: 3, dirfd: -100, name: `/srv/keys/k${i}.pem`, flags: 1, mode: 0 },
    })),
  });
  const rules = [
    {
      name: 'keys.yaml',
      content: `
- rule: Key file read
  desc: a .pem file was opened
  condition: evt.type = openat and fd.name endswith .pem
  output: key read (file=%fd.name proc=%proc.name)
  priority: WARNING
  tags: [mitre_credential_access, T1552.004]
`,
    },
  ];
  alerts = [];
  for await (const a of runRulesOnCapture(capture, rules)) alerts.push(a);
  expect(alerts).toHaveLength(24);
});

type Answer = { status: number; headers?: Record<string, string> } | 'close';

/**
 * A loopback endpoint that answers each request as `script(n)` says (n counts from 1): an HTTP status, or
 * `close` (answer 503, then stop listening: connections are refused until `reopen()`). It records the alerts
 * it accepted (2xx), in arrival order.
 */
class FlakyEndpoint {
  readonly accepted: unknown[] = [];
  readonly requests: { method: string; path: string; type: string }[] = [];
  private server: Server;
  port = 0;

  constructor(private readonly script: (n: number) => Answer) {
    this.server = this.make();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  private make(): Server {
    return createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          type: req.headers['content-type'] ?? '',
        });
        const answer = this.script(this.requests.length);
        if (answer === 'close') {
          res.writeHead(503, { connection: 'close' }).end('going down');
          this.server.close();
          this.server.closeAllConnections();
          return;
        }
        if (answer.status >= 200 && answer.status < 300)
          this.accepted.push(JSON.parse(Buffer.concat(chunks).toString()));
        res.writeHead(answer.status, answer.headers).end(answer.status < 300 ? '' : 'nope');
      });
    });
  }

  async listen(): Promise<void> {
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Listens again on the same port (after `close`). */
  async reopen(): Promise<void> {
    this.server = this.make();
    await this.listen();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    if (this.server.listening) await new Promise((resolve) => this.server.close(resolve));
  }
}

let endpoint: FlakyEndpoint | undefined;
afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
});

describe('SidekickForwarder', () => {
  it('delivers every alert exactly once and in order through 503s, refused connections and 500s', async () => {
    endpoint = new FlakyEndpoint((n) =>
      n <= 3
        ? { status: 503 }
        : n === 4
          ? 'close'
          : n % 7 === 0
            ? { status: 500, headers: { 'retry-after': '0' } }
            : { status: 200 },
    );
    await endpoint.listen();
    const ep = endpoint;
    const retries: RetryInfo[] = [];
    let reopening: Promise<void> | undefined;
    const fw = new SidekickForwarder({
      url: ep.url,
      initialDelayMs: 5,
      maxDelayMs: 40,
      jitter: 0,
      onRetry: (r) => {
        retries.push(r);
        // Stay down until the forwarder has met two refused connections, then come back.
        if (!reopening && retries.filter((x) => x.reason === 'ECONNREFUSED').length === 2)
          reopening = ep.reopen();
      },
    });
    for (const a of alerts) await fw.push(a);
    await fw.close(10_000);
    await reopening;

    expect(ep.accepted).toEqual(alerts);
    expect(
      ep.requests.every((r) => r.method === 'POST' && r.path === '/' && r.type === 'application/json'),
    ).toBe(true);
    expect(Object.keys(ep.accepted[0] as object).sort()).toEqual(FALCO_KEYS);
    // The first alert met 503 ×4 (the 4th as the endpoint went down), then two refused connections:
    // exponential backoff 5, 10, 20, 40 capped at 40.
    const first = retries.filter((r) => r.alert === alerts[0]);
    expect(first.map((r) => [r.attempt, r.reason, r.delayMs])).toEqual([
      [1, 'HTTP 503', 5],
      [2, 'HTTP 503', 10],
      [3, 'HTTP 503', 20],
      [4, 'HTTP 503', 40],
      [5, 'ECONNREFUSED', 40],
      [6, 'ECONNREFUSED', 40],
    ]);
    expect(retries.some((r) => r.reason === 'HTTP 500' && r.alert !== alerts[0])).toBe(true);
    expect(fw.stats()).toMatchObject({ queued: 0, delivered: 24, rejected: 0, retries: retries.length });
  });

  it('holds at most maxQueue alerts: a full queue makes push wait instead of dropping', async () => {
    let up = false;
    endpoint = new FlakyEndpoint(() => ({ status: up ? 204 : 503 }));
    await endpoint.listen();
    let failures = 0;
    let release: () => void = () => {};
    const failedEnough = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fw = new SidekickForwarder({
      url: endpoint.url,
      maxQueue: 3,
      initialDelayMs: 2,
      maxDelayMs: 10,
      onRetry: () => {
        if (++failures === 5) release();
      },
    });
    let pushed = 0;
    const producer = (async () => {
      for (const a of alerts.slice(0, 8)) {
        await fw.push(a);
        pushed++;
      }
    })();
    await failedEnough;
    expect(pushed).toBe(3);
    expect(fw.stats()).toMatchObject({ queued: 3, delivered: 0 });
    up = true;
    await producer;
    await fw.close(5_000);
    expect(endpoint.accepted).toEqual(alerts.slice(0, 8));
    expect(fw.stats().highWater).toBe(3);
  });

  it('drops only what the endpoint rejects for good (HTTP 400), and says so', async () => {
    endpoint = new FlakyEndpoint((n) => ({ status: n === 2 ? 400 : 200 }));
    await endpoint.listen();
    const rejected: [string, number][] = [];
    const fw = new SidekickForwarder({
      url: endpoint.url,
      onReject: (a, status) => rejected.push([String(a.output_fields['fd.name']), status]),
    });
    for (const a of alerts.slice(0, 4)) await fw.push(a);
    await fw.close();
    expect(rejected).toEqual([['/srv/keys/k1.pem', 400]]);
    expect(endpoint.accepted).toEqual([alerts[0], alerts[2], alerts[3]]);
    expect(fw.stats()).toMatchObject({ delivered: 3, rejected: 1, retries: 0 });
  });

  it('keeps the undelivered alerts when close times out against an endpoint that stays down', async () => {
    endpoint = new FlakyEndpoint(() => ({ status: 503 }));
    await endpoint.listen();
    const fw = new SidekickForwarder({ url: endpoint.url, initialDelayMs: 5, maxDelayMs: 20 });
    for (const a of alerts.slice(0, 5)) await fw.push(a);
    const error = await fw.close(150).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SidekickError);
    expect((error as SidekickError).code).toBe('FLUSH_TIMEOUT');
    expect(fw.undelivered()).toEqual(alerts.slice(0, 5));
    await expect(fw.push(alerts[5]!)).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('rejects nonsensical options', () => {
    expect(() => new SidekickForwarder({ url: 'http://127.0.0.1:1/', maxQueue: 0 })).toThrow(/maxQueue/);
    expect(() => new SidekickForwarder({ url: 'not a url' })).toThrow();
  });

  it('main.ts forwards Falco JSON lines from stdin', async () => {
    endpoint = new FlakyEndpoint((n) => ({ status: n === 1 ? 503 : 200 }));
    await endpoint.listen();
    const child = spawn(here('node_modules/.bin/tsx'), ['main.ts', '--url', endpoint.url, '-'], {
      cwd: here('.'),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c;
    });
    child.stdin.end(
      alerts
        .slice(0, 6)
        .map((a) => `${JSON.stringify(a)}\n`)
        .join(''),
    );
    const [code] = await once(child, 'close');
    expect(code).toBe(0);
    expect(err).toMatch(/^retry 1 of 'Key file read' in \d+ ms \(HTTP 503\)\n$/);
    expect(out).toBe(`6 alerts delivered to ${endpoint.url} (1 retries, 0 rejected)\n`);
    expect(endpoint.accepted).toEqual(alerts.slice(0, 6));
  });
});
