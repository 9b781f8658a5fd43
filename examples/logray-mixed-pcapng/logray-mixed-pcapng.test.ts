import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PcapngError } from '@sysray/pcapng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionTable, flowOf, type MixedItem, readMixed } from './mixed.js';
import { samplePcapng } from './sample.js';

const TSHARK = '/usr/bin/tshark';
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

let dir: string;
let file: string;
beforeAll(async () => {
  if (!existsSync(TSHARK)) throw new Error('tshark is required (scripts/install-tools.sh installs it)');
  dir = await mkdtemp(join(tmpdir(), 'sysray-mixed-'));
  file = join(dir, 'mixed.pcapng');
  await writeFile(file, samplePcapng());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One row per frame, as this example sees it, in the columns asked of tshark below. */
async function ourRows(source: string | Uint8Array): Promise<string[]> {
  const rows: string[] = [];
  for await (const item of readMixed(source)) rows.push(row(item));
  return rows;
}

function row(item: MixedItem): string {
  const ns = item.ts!;
  const time = `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
  if (item.kind === 'event') return [time, item.ev.type, item.ev.tid, '', '', '', '', ''].join('\t');
  const f = flowOf(item.iface.linkType, item.data)!;
  return [time, '', '', f.src, f.sport, f.dst, f.dport, f.payload].join('\t');
}

describe('logray-mixed-pcapng', () => {
  it('reads packets and syscall events in the order and with the values tshark shows', async () => {
    const fields = ['frame.time_epoch', 'sysdig.event_type', 'sysdig.thread_id', 'ip.src', 'tcp.srcport'];
    const args = [
      '-r',
      file,
      '-T',
      'fields',
      ...[...fields, 'ip.dst', 'tcp.dstport', 'tcp.len'].flatMap((f) => ['-e', f]),
    ];
    const tshark = execFileSync(TSHARK, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const expected = tshark.trimEnd().split('\n');
    expect(expected).toHaveLength(17);
    expect(await ourRows(file)).toEqual(expected);
  });

  it('joins packets and syscalls on the connection: who sent what', async () => {
    const reader = readMixed(file);
    const table = new ConnectionTable();
    for await (const item of reader) {
      if (item.kind === 'event') table.addEvent(item.ev, item.comm);
      else table.addPacket(flowOf(item.iface.linkType, item.data)!);
    }
    expect(table.connections()).toEqual([
      {
        name: '127.0.0.1:45678->127.0.0.1:8080',
        packets: 8,
        payloadBytes: 80,
        processes: ['curl (4242)', 'node (4100)'],
        syscalls: { connect: 1, accept4: 1, sendto: 1, recvfrom: 1 },
      },
    ]);
    expect(reader.info.machineInfo?.hostname).toBe('dev-box');
    expect(reader.info.threads.get(4100)?.exepath).toBe('/usr/bin/node');
  });

  it('reads the same from a gzip-compressed file', async () => {
    const gz = join(dir, 'mixed.pcapng.gz');
    await writeFile(gz, gzipSync(samplePcapng()));
    expect(await ourRows(gz)).toEqual(await ourRows(file));
  });

  it('stops at a truncated block with the block index, after the items before it', async () => {
    const bytes = samplePcapng();
    const cut = bytes.subarray(0, bytes.length - 10);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const item of readMixed(cut)) seen.push(item.kind);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcapngError);
    // SHB, IDB, machine info, process list (blocks 0-3), then 17 frames: the last one, block 20, is cut.
    expect(error).toMatchObject({ code: 'TRUNCATED', blockIndex: 20 });
    expect(seen).toHaveLength(16);
  });

  it('main.ts prints the timeline and the connection summary', () => {
    const out = execFileSync(here('node_modules/.bin/tsx'), ['main.ts', file], {
      cwd: here('.'),
      encoding: 'utf8',
    });
    const lines = out.trimEnd().split('\n');
    expect(lines[3]).toBe('packet 00:00:00.000100000 lo TCP 127.0.0.1:8080 → 127.0.0.1:45678 payload=0');
    expect(lines[6]).toMatch(
      /^event {2}4 00:00:00\.000175000 0 node \(4100\) < accept4 fd=7 tuple=127\.0\.0\.1:45678->/,
    );
    expect(lines.at(-2)).toBe('8 packets, 9 syscall events from dev-box');
  });
});
