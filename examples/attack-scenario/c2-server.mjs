/**
 * The "command-and-control" server of the demo (loopback only): serves the payload script, takes beacons
 * and uploads, and tells the runner what it received. Prints `{"role":"c2","pid":…,"port":…}` once
 * listening on 127.0.0.1 (port from the first argument, 0: any free port). Plain JavaScript run by `node`
 * itself, so that a recording shows just `node`.
 *
 *   GET  /stage.sh   the payload (payload/stage.sh)
 *   POST /beacon     `id=…&seq=…&found=…` → 200 `sleep`
 *   POST /upload     the bundle: per file `### PATH SIZE\n` + bytes, then `### filler N\n` + N bytes
 *   GET  /report     what was received so far (JSON, see C2Report in scenario.ts)
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const stage = readFileSync(new URL('payload/stage.sh', import.meta.url));
const started = Date.now();
const report = {
  stageDownloads: 0,
  /** @type {{ atMs: number, id: string, seq: number, found: number }[]} */
  beacons: [],
  /** @type {object[]} */
  uploads: [],
};

/** @param {import('node:http').IncomingMessage} req @returns {Promise<Buffer>} */
function body(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** @param {Uint8Array} b */
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

/**
 * Splits an upload bundle into its files; `malformed` says where it stopped making sense.
 * @param {Buffer} data
 */
function parseBundle(data) {
  /** @type {{ path: string, size: number, sha256: string }[]} */
  const files = [];
  let fillerBytes = 0;
  let at = 0;
  while (at < data.length) {
    const nl = data.indexOf(0x0a, at);
    const header = nl < 0 ? '' : data.subarray(at, nl).toString('utf8');
    const m = /^### (.+) (\d+)$/.exec(header);
    if (!m) return { files, fillerBytes, malformed: `no header at byte ${at}` };
    const path = /** @type {string} */ (m[1]);
    const size = Number(m[2]);
    const content = data.subarray(nl + 1, nl + 1 + size);
    if (content.length !== size) return { files, fillerBytes, malformed: `${path} is cut short` };
    if (path === 'filler') fillerBytes += size;
    else files.push({ path, size, sha256: sha256(content) });
    at = nl + 1 + size;
  }
  return { files, fillerBytes };
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method === 'GET' && path === '/stage.sh') {
    report.stageDownloads++;
    res.writeHead(200, { 'content-type': 'text/x-shellscript' }).end(stage);
  } else if (req.method === 'POST' && path === '/beacon') {
    const form = new URLSearchParams((await body(req)).toString('utf8'));
    report.beacons.push({
      atMs: Date.now() - started,
      id: form.get('id') ?? '',
      seq: Number(form.get('seq')),
      found: Number(form.get('found')),
    });
    res.writeHead(200).end('sleep\n');
  } else if (req.method === 'POST' && path === '/upload') {
    const data = await body(req);
    report.uploads.push({
      atMs: Date.now() - started,
      bytes: data.length,
      sha256: sha256(data),
      ...parseBundle(data),
    });
    res.writeHead(200).end('ok\n');
  } else if (req.method === 'GET' && path === '/report') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(report));
  } else res.writeHead(404).end();
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(JSON.stringify({ role: 'c2', pid: process.pid, port }));
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
