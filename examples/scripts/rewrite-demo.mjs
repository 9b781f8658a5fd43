// Rewrites the raw dumpcap recording into examples/data/demo.pcapng with sysray's own writer: the
// Section Header names the recording script and carries a comment (dumpcap's shb_hardware is left out),
// a Name Resolution Block names 127.0.0.1, and each packet that starts an HTTP request or response
// gets an opt_comment with its first line. Dumpcap 4.0 writes its Interface Statistics Block times in
// microseconds although the interface says nanoseconds (if_tsresol 9); they are scaled to nanoseconds
// so that the ISB tells the capture's real start and end.
// Usage: node rewrite-demo.mjs RAW.pcapng OUT.pcapng PORT
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// Resolve @sysray/pcapng through its public exports, as the CLI package sees it (needs it built).
const require = createRequire(new URL('../../packages/cli/package.json', import.meta.url));
const { readPcapngSync, writePcapngSync } = require('@sysray/pcapng');

const [rawPath, outPath, port = '18080'] = process.argv.slice(2);
if (!rawPath || !outPath) {
  console.error('usage: node rewrite-demo.mjs RAW.pcapng OUT.pcapng [PORT]');
  process.exit(2);
}

const raw = new Uint8Array(readFileSync(rawPath));
const blocks = [...readPcapngSync(raw)];

/** First line of an HTTP message in an Ethernet/IPv4/TCP packet, if the payload starts one. */
function httpLine(data) {
  if (data.length < 14 + 20 + 20 || data[12] !== 0x08 || data[13] !== 0x00) return undefined;
  const ip = 14;
  const tcp = ip + (data[ip] & 0x0f) * 4;
  const payload = tcp + (data[tcp + 12] >> 4) * 4;
  const text = Buffer.from(data.subarray(payload, Math.min(data.length, payload + 120))).toString('latin1');
  const line = text.split('\r\n')[0];
  return /^(?:[A-Z]+ \S+ HTTP\/1\.[01]|HTTP\/1\.[01] \d{3}.*)$/.test(line) ? line : undefined;
}

/** An ISB whose times are in microseconds on a nanosecond interface, with its times in nanoseconds. */
function microsecondsToNanoseconds(isb, written) {
  const firstPacket = written.find((b) => b.type === 'EPB');
  // A nanosecond timestamp of today is ~1.8e18; the same time in microseconds is ~1.8e15.
  if (!firstPacket || isb.ticks === undefined || isb.ticks * 100n > firstPacket.ticks) return isb;
  const scale = (ticks) => ticks * 1000n;
  return {
    ...isb,
    ticks: scale(isb.ticks),
    timestamp: scale(isb.ticks),
    options: isb.options.map((o) =>
      o.name === 'isb_starttime' || o.name === 'isb_endtime' ? { ...o, value: scale(o.value) } : o,
    ),
  };
}

const out = [];
let recorder = 'dumpcap';
let messages = 0;
for (const block of blocks) {
  if (block.type === 'SHB') {
    const appl = block.options.find((o) => o.name === 'shb_userappl')?.value;
    if (typeof appl === 'string') recorder = appl.replace(/ \(Git .*$/, '');
    const os = block.options.find((o) => o.name === 'shb_os');
    out.push({
      ...block,
      options: [
        {
          code: 1,
          name: 'opt_comment',
          value: `sysray demo: HTTP/1.1 between a Node client and server on 127.0.0.1:${port}`,
        },
        ...(os ? [{ code: 3, name: 'shb_os', value: os.value }] : []),
        {
          code: 4,
          name: 'shb_userappl',
          value: `sysray examples/scripts/record-demo-pcapng.sh (recorded with ${recorder})`,
        },
      ],
    });
    continue;
  }
  if (block.type === 'IDB') {
    out.push(block);
    out.push({
      type: 'NRB',
      records: [{ type: 'ipv4', address: '127.0.0.1', names: ['localhost', 'demo.sysray.test'] }],
      options: [{ code: 1, name: 'opt_comment', value: 'names of the demo hosts' }],
    });
    continue;
  }
  if (block.type === 'EPB') {
    const line = httpLine(block.data);
    const data = block.data.slice();
    if (line) {
      messages++;
      out.push({
        ...block,
        data,
        options: [...block.options, { code: 1, name: 'opt_comment', value: line }],
      });
    } else out.push({ ...block, data });
    continue;
  }
  if (block.type === 'ISB') {
    out.push(microsecondsToNanoseconds(block, out));
    continue;
  }
  out.push(block);
}

writeFileSync(outPath, writePcapngSync(out));
console.log(`rewrite-demo: ${out.length} blocks, ${messages} HTTP messages commented, wrote ${outPath}`);
