import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PcapngBlock, readPcapng, writePcapngSync } from '@sysray/pcapng';
import { describe, expect, it } from 'vitest';
import { blockJsonLine, blockToJson } from '../src/index.js';
import { DEMO, epochString, generatorFiles, MALFORMED_DIR, sysray, tsharkTimes } from './helpers.js';

type JsonBlock = Record<string, unknown> & { type: string; options?: Record<string, unknown> };

async function dumpJson(path: string, extra: string[] = []): Promise<JsonBlock[]> {
  const { code, stdout, stderr } = await sysray(['dump', path, '--json', ...extra]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonBlock);
}

const HEX = /^(?:[0-9a-f]{2})*$/;
const DECIMAL = /^-?\d+$/;

/** The contract every `dump --json` line keeps, whatever the block. */
function expectContract(block: JsonBlock, index: number): void {
  expect(block.index).toBe(index);
  expect(typeof block.offset).toBe('number');
  expect(typeof block.section).toBe('number');
  expect(typeof block.type).toBe('string');
  if (block.type === 'EPB' || block.type === 'PB') expect(block.timestamp).toMatch(DECIMAL);
  switch (block.type) {
    case 'EPB':
    case 'PB':
    case 'SPB':
      expect(typeof block.interfaceId).toBe('number');
      expect(typeof block.capturedLength).toBe('number');
      expect(typeof block.originalLength).toBe('number');
      expect(block.data).toMatch(HEX);
      expect((block.data as string).length).toBe(2 * (block.capturedLength as number));
      break;
    case 'SHB':
      expect(typeof block.littleEndian).toBe('boolean');
      expect(block.majorVersion).toBe(1);
      expect(block.sectionLength).toMatch(DECIMAL);
      break;
    case 'IDB':
      expect(typeof block.linkType).toBe('number');
      expect(typeof block.snapLength).toBe('number');
      break;
    case 'ISB':
      expect(typeof block.interfaceId).toBe('number');
      expect(block.timestamp).toMatch(DECIMAL);
      break;
    case 'NRB':
      expect(Array.isArray(block.records)).toBe(true);
      break;
    case 'DSB':
      expect(typeof block.secretsType).toBe('number');
      expect(block.data).toMatch(HEX);
      break;
    case 'CB':
    case 'DCB':
      expect(typeof block.pen).toBe('number');
      expect(block.data).toMatch(HEX);
      break;
    case 'UNKNOWN':
      expect(typeof block.blockType).toBe('number');
      expect(block.body).toMatch(HEX);
      break;
    default:
      throw new Error(`unexpected block type ${block.type}`);
  }
  if (block.type !== 'UNKNOWN') expect(typeof block.options).toBe('object');
}

/** A capture with the block types and option kinds the generator files lack: PB, DSB, an unknown block. */
function syntheticCapture(): string {
  const blocks: PcapngBlock[] = [
    {
      type: 'SHB',
      littleEndian: false,
      majorVersion: 1,
      minorVersion: 0,
      sectionLength: -1n,
      options: [{ code: 4, name: 'shb_userappl', value: 'sysray-test' }],
    },
    {
      type: 'IDB',
      linkType: 101,
      snapLength: 65535,
      options: [
        { code: 2, name: 'if_name', value: 'tun0' },
        { code: 9, name: 'if_tsresol', value: 9 },
        { code: 4, name: 'if_IPv4addr', value: { address: '10.0.0.1', netmask: '255.255.255.0' } },
        { code: 4, name: 'if_IPv4addr', value: { address: '10.0.1.1', netmask: '255.255.0.0' } },
        { code: 8, name: 'if_speed', value: 10_000_000_000n },
      ],
    },
    {
      type: 'PB',
      interfaceId: 0,
      dropsCount: 3,
      timestamp: 1_700_000_000_123_456_789n,
      capturedLength: 4,
      originalLength: 60,
      data: new Uint8Array([0x45, 0, 0, 0x3c]),
      options: [],
    },
    {
      type: 'EPB',
      interfaceId: 0,
      timestamp: 1_700_000_001_000_000_001n,
      capturedLength: 2,
      originalLength: 2,
      data: new Uint8Array([0xab, 0xcd]),
      options: [
        { code: 1, name: 'opt_comment', value: 'first' },
        { code: 1, name: 'opt_comment', value: 'second' },
        { code: 4, name: 'epb_dropcount', value: 18_446_744_073_709_551_615n },
        { code: 3, name: 'epb_hash', value: { type: 2, data: new Uint8Array([1, 2, 3, 4]) } },
      ],
    },
    {
      type: 'DSB',
      secretsType: 0x544c534b,
      data: new TextEncoder().encode('CLIENT_RANDOM x y\n'),
      options: [],
    },
    { type: 'UNKNOWN', blockType: 0x204, body: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
  ];
  const dir = mkdtempSync(join(tmpdir(), 'sysray-cli-'));
  const path = join(dir, 'synthetic.pcapng');
  writeFileSync(path, writePcapngSync(blocks));
  return path;
}

describe('sysray dump --json', () => {
  it.each(generatorFiles().map((f) => [f.name, f] as const))(
    'prints one object per block of %s, in file order, with the contract fields of its type',
    async (_, file) => {
      const blocks = await dumpJson(file.path);
      expect(blocks.map((b) => b.type)).toEqual(file.sequence);
      blocks.forEach(expectContract);
    },
  );

  it('gives PB, DSB and unknown blocks their fields, repeatable options as arrays, bigints as decimal strings and bytes as hex', async () => {
    const blocks = await dumpJson(syntheticCapture());
    blocks.forEach(expectContract);
    const [shb, idb, pb, epb, dsb, unknown] = blocks;
    expect(shb).toMatchObject({ type: 'SHB', littleEndian: false, options: { shb_userappl: 'sysray-test' } });
    expect(idb!.options).toEqual({
      if_name: 'tun0',
      if_tsresol: 9,
      if_IPv4addr: [
        { address: '10.0.0.1', netmask: '255.255.255.0' },
        { address: '10.0.1.1', netmask: '255.255.0.0' },
      ],
      if_speed: '10000000000',
    });
    expect(pb).toMatchObject({
      type: 'PB',
      interfaceId: 0,
      dropsCount: 3,
      timestamp: '1700000000123456789',
      capturedLength: 4,
      originalLength: 60,
      data: '4500003c',
    });
    expect(epb).toMatchObject({
      type: 'EPB',
      timestamp: '1700000001000000001',
      data: 'abcd',
      options: {
        opt_comment: ['first', 'second'],
        epb_dropcount: '18446744073709551615',
        epb_hash: [{ type: 2, data: '01020304' }],
      },
    });
    expect(dsb).toMatchObject({
      type: 'DSB',
      secretsType: 0x544c534b,
      data: '434c49454e545f52414e444f4d207820790a',
    });
    expect(unknown).toEqual({
      index: 5,
      offset: unknown!.offset,
      section: 0,
      type: 'UNKNOWN',
      blockType: 0x204,
      body: '0102030405060708',
      littleEndian: false,
    });
  });

  it('gives each packet of the demo capture the timestamp tshark gives it', async () => {
    const packets = (await dumpJson(DEMO)).filter((b) => b.type === 'EPB');
    const times = await tsharkTimes(DEMO);
    expect(packets.length).toBeGreaterThan(0);
    expect(packets.map((p) => epochString(p.timestamp as string))).toEqual(times);
  });
});

describe('blockJsonLine', () => {
  it('writes every block, fast path or not, exactly as JSON.stringify(blockToJson(block)) does', async () => {
    let fast = 0;
    for (const path of [DEMO, ...generatorFiles().map((f) => f.path)]) {
      for await (const block of readPcapng(path)) {
        expect(blockJsonLine(block)).toBe(JSON.stringify(blockToJson(block)));
        if (block.type === 'EPB' && block.options.length === 0) fast++;
      }
    }
    expect(fast).toBeGreaterThan(20);
  });
});

describe('sysray dump (text)', () => {
  it('prints one line per block starting with its index, byte offset and type', async () => {
    const json = await dumpJson(DEMO);
    const { code, stdout } = await sysray(['dump', DEMO]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(json.length);
    lines.forEach((line, i) => {
      const [index, offset, type] = line.trim().split(/\s+/);
      expect([Number(index), Number(offset), type]).toEqual([i, json[i]!.offset, json[i]!.type]);
    });
  });

  it('summarises the demo packets like tshark: addresses, ports, TCP flags and HTTP request lines', async () => {
    const { stdout } = await sysray(['dump', DEMO]);
    expect(stdout).toMatch(
      /EPB +if=0 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} caplen=74 len=74 +127\.0\.0\.1:\d+ → 127\.0\.0\.1:18080 TCP \[SYN\]/,
    );
    expect(stdout).toContain('GET /api/status HTTP/1.1');
    expect(stdout).toMatch(/NRB +127\.0\.0\.1=localhost,demo\.sysray\.test/);
  });

  it('prints the blocks before a malformed one, then fails', async () => {
    const { code, stdout, stderr } = await sysray(['dump', `${MALFORMED_DIR}pcapng-idb-tsresol-dup.pcapng`]);
    expect(code).toBe(1);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(stdout).toMatch(/^ +0 +0 +SHB /);
    expect(stderr).toMatch(/^sysray: DUPLICATE_OPTION: .*offset 52\)\n$/);
  });
});
