/** What each benchmarked reader does with the file: count the packets and sum their captured bytes. */
import { createReadStream } from 'node:fs';
import type { Transform } from 'node:stream';

/** The package's API (types from src/; the code run is the built dist/). */
type Pcapng = typeof import('../../src/index.js');

/** What a reader reports after a full pass. */
export interface Tally {
  packets: number;
  capturedBytes: number;
}

const EPB = 6;

/** (1) The low-level walk: one `BlockCursor` per window, nothing decoded but the captured length. */
export async function walkBlocks(pcapng: Pcapng, path: string): Promise<Tally> {
  let packets = 0;
  let capturedBytes = 0;
  for await (const cursor of pcapng.pcapngWindows(path)) {
    const view = cursor.view;
    while (cursor.next()) {
      if (cursor.blockType === EPB) {
        packets++;
        capturedBytes += view.getUint32(cursor.blockOffset + 20, cursor.littleEndian);
      }
    }
  }
  return { packets, capturedBytes };
}

/** (2a) Typed blocks, one array per window. */
export async function readBatches(pcapng: Pcapng, path: string): Promise<Tally> {
  let packets = 0;
  let capturedBytes = 0;
  for await (const batch of pcapng.readPcapngBatches(path))
    for (const block of batch)
      if (block.type === 'EPB') {
        packets++;
        capturedBytes += block.data.length;
      }
  return { packets, capturedBytes };
}

/** (2b) Typed blocks, one at a time. */
export async function readBlocks(pcapng: Pcapng, path: string): Promise<Tally> {
  let packets = 0;
  let capturedBytes = 0;
  for await (const block of pcapng.readPcapng(path))
    if (block.type === 'EPB') {
      packets++;
      capturedBytes += block.data.length;
    }
  return { packets, capturedBytes };
}

/** The npm package `pcap-ng-parser` (CommonJS, no types): a Transform stream emitting one object per EPB. */
export type PcapNgParserClass = new () => Transform;

/**
 * (5) `pcap-ng-parser`, streamed the way its README does: `createReadStream(path).pipe(parser)`.
 * It never ends its readable side (its `_flush` emits `close` instead of calling back), so the pass
 * is over at `close`.
 */
export function readWithPcapNgParser(Parser: PcapNgParserClass, path: string): Promise<Tally> {
  return new Promise((resolve, reject) => {
    let packets = 0;
    let capturedBytes = 0;
    const input = createReadStream(path);
    const parser = new Parser();
    input.on('error', reject);
    input
      .pipe(parser)
      .on('data', (packet: { data: Uint8Array }) => {
        packets++;
        capturedBytes += packet.data.length;
      })
      .on('error', reject)
      .on('close', () => resolve({ packets, capturedBytes }));
  });
}

/**
 * A whole `node` process doing (1) on the shipped build, for a wall-clock comparison with tcpdump's
 * process. Run with `node --input-type=module -e`; env `SYSRAY_PCAPNG` = URL of `dist/index.js`,
 * `BENCH_FILE` = the capture. Prints the tally and the in-process seconds as JSON.
 */
export const WALK_PROCESS = `
const started = performance.now();
const { pcapngWindows } = await import(process.env.SYSRAY_PCAPNG);
let packets = 0, capturedBytes = 0;
for await (const cursor of pcapngWindows(process.env.BENCH_FILE)) {
  const view = cursor.view;
  while (cursor.next())
    if (cursor.blockType === 6) { packets++; capturedBytes += view.getUint32(cursor.blockOffset + 20, cursor.littleEndian); }
}
console.log(JSON.stringify({ packets, capturedBytes, seconds: (performance.now() - started) / 1000 }));
`;

/** A whole `node` process doing (5). Run with `node -e`; env `PCAP_NG_PARSER` = its resolved main file. */
export const PCAP_NG_PARSER_PROCESS = `
const started = performance.now();
const Parser = require(process.env.PCAP_NG_PARSER);
let packets = 0, capturedBytes = 0;
require('node:fs').createReadStream(process.env.BENCH_FILE).pipe(new Parser())
  .on('data', (p) => { packets++; capturedBytes += p.data.length; })
  .on('error', (e) => { console.error(e); process.exit(1); })
  .on('close', () => console.log(JSON.stringify({ packets, capturedBytes, seconds: (performance.now() - started) / 1000 })));
`;
