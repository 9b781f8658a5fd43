/**
 * The victim: a small Node.js HTTP service with a command-injection bug. `GET /api/lookup?host=NAME`
 * resolves a host name by running `getent hosts NAME` through a shell, without escaping NAME — so
 * `host=localhost; anything` runs `anything` as the server's user. Listens on 127.0.0.1, on the port given
 * as first argument (0: any free port), and prints `{"role":"victim","pid":…,"port":…}` once listening.
 * DO NOT copy this handler: it is the bug the demo exploits.
 */
import { exec } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('lookup service: GET /api/lookup?host=NAME\n');
    return;
  }
  if (url.pathname === '/api/lookup') {
    const host = url.searchParams.get('host') ?? '';
    // VULNERABLE: the query parameter goes into a shell command line as is.
    exec(`getent hosts ${host}`, { timeout: 10_000 }, (error, stdout) => {
      const addresses = stdout.trim() === '' ? [] : stdout.trim().split('\n');
      res
        .writeHead(error && addresses.length === 0 ? 404 : 200, { 'content-type': 'application/json' })
        .end(`${JSON.stringify({ host, addresses })}\n`);
    });
    return;
  }
  res.writeHead(404).end();
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ role: 'victim', pid: process.pid, port }));
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
