// A tiny HTTP/1.1 exchange on 127.0.0.1 for the demo capture: a Node server and a Node client make a
// few requests (GET a page, GET JSON, POST a body, a 404), each on its own connection, then exit.
// Usage: node demo-traffic.mjs [port]   (record-demo-pcapng.sh runs it while dumpcap listens on lo)
import { createServer, request } from 'node:http';

const port = Number(process.argv[2] ?? 18080);
const host = '127.0.0.1';

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    res.setHeader('Server', 'sysray-demo');
    res.setHeader('Date', 'Mon, 23 Nov 2026 12:00:00 GMT');
    if (req.method === 'GET' && req.url === '/') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end('<!doctype html><title>sysray demo</title><p>Hello from 127.0.0.1.</p>\n');
    } else if (req.method === 'GET' && req.url === '/api/status') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ status: 'ok', service: 'sysray-demo', uptimeSeconds: 1 }));
    } else if (req.method === 'POST' && req.url === '/api/echo') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ received: body.length, echo: body }));
    } else {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end('not found\n');
    }
  });
});

function send(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        method,
        path,
        agent: false, // a new connection per request: SYN, data, FIN for each
        headers: {
          'User-Agent': 'sysray-demo-client/1.0',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

server.listen(port, host, async () => {
  try {
    const results = [];
    results.push(await send('GET', '/'));
    await pause(120);
    results.push(await send('GET', '/api/status'));
    await pause(120);
    results.push(await send('POST', '/api/echo', JSON.stringify({ user: 'alice', action: 'login' })));
    await pause(120);
    results.push(await send('GET', '/missing'));
    console.log(`demo-traffic: responses ${results.join(' ')}`);
  } finally {
    await pause(100);
    server.close();
  }
});
