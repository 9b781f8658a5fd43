/**
 * The victim: a small Node.js HTTP service with a command-injection bug. `GET /api/size?name=FILE` tells
 * the size of an uploaded file by running `stat -c %s UPLOADS/FILE` through a shell, without escaping
 * FILE — so `name=report.pdf; anything` runs `anything` as the server's user. Nothing it runs touches the
 * network. Listens on 127.0.0.1, on the port given as first argument (0: any free port), and prints
 * `{"role":"victim","pid":…,"port":…}` once listening.
 * DO NOT copy this handler: it is the bug the demo exploits.
 *
 * Plain JavaScript run by `node` itself, so that a recording shows just `node` (no TypeScript loader).
 */
import { exec } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const uploads = mkdtempSync(join(tmpdir(), 'sysray-uploads-'));
writeFileSync(join(uploads, 'report.pdf'), '%PDF-1.4 sysray demo upload\n');

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('upload service: GET /api/size?name=FILE\n');
    return;
  }
  if (url.pathname === '/api/size') {
    const name = url.searchParams.get('name') ?? '';
    // VULNERABLE: the query parameter goes into a shell command line as is.
    exec(`stat -c %s ${uploads}/${name}`, { timeout: 10_000 }, (error, stdout) => {
      const bytes = Number.parseInt(stdout, 10);
      res
        .writeHead(error && Number.isNaN(bytes) ? 404 : 200, { 'content-type': 'application/json' })
        .end(`${JSON.stringify({ name, bytes: Number.isNaN(bytes) ? null : bytes })}\n`);
    });
    return;
  }
  res.writeHead(404).end();
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(JSON.stringify({ role: 'victim', pid: process.pid, port }));
});
process.once('SIGTERM', () => {
  rmSync(uploads, { recursive: true, force: true });
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
