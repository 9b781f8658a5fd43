import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcapng } from '@sysray/pcapng';
import {
  type EnhancedPacketBlock,
  getOptions,
  makeOption,
  type PcapngBlock,
  readPcapngSync,
  ticksPerSecondFromTsresol,
  writePcapngSync,
} from '@sysray/pcapng/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text } from './helpers/build.js';
import { GENERATOR_DIR, generatorFiles, MALFORMED_DIR, readBytes } from './helpers/testdata.js';
import {
  type OracleResult,
  ourComments,
  ourFrames,
  pool,
  tsharkFrames,
  tsharkPath,
} from './helpers/tshark.js';

const tmp = mkdtempSync(join(tmpdir(), 'sysray-pcapng-tshark-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Frames tshark reports, without comments, for comparing with ours. */
const bare = (r: OracleResult) => r.frames.map(({ comments: _c, ...f }) => f);

/** tshark read the file cleanly: exit 0, nothing on stderr but the root warning. */
function expectClean(r: OracleResult, what: string): void {
  expect({ exitCode: r.exitCode, stderr: r.stderr }, what).toEqual({ exitCode: 0, stderr: '' });
}

describe('tshark oracle', () => {
  beforeAll(() => {
    tsharkPath(); // throws with install instructions when tshark is missing: no silent skip
  });

  it('is installed (the oracle tests need it; CI installs it with apt)', () => {
    expect(tsharkPath()).toMatch(/tshark$/);
  });

  it('every generator file (both byte orders): per-frame epoch ns, lengths and bytes equal tshark', async () => {
    const files = [...generatorFiles().map((f) => f.path), `${MALFORMED_DIR}rarp_req_reply.pcapng`];
    // tshark's start-up is CPU-bound: one run per core, plus one to overlap I/O.
    const results = await pool(files, Math.min(6, availableParallelism() + 1), (path) => tsharkFrames(path));
    let frames = 0;
    for (const [i, path] of files.entries()) {
      const r = results[i]!;
      expectClean(r, path);
      const blocks = [...readPcapngSync(readBytes(path))];
      expect(ourFrames(blocks), path).toEqual(bare(r));
      expect(ourComments(blocks), path).toEqual(r.frames.map((f) => f.comments));
      frames += r.frames.length;
    }
    expect(frames).toBeGreaterThan(100);
  }, 120_000);

  it('a filtered write (mixed-endian file, NRB/ISB/DCB and every other EPB dropped) reads in tshark', async () => {
    const source = readBytes(`${GENERATOR_DIR}output_le/difficult/test202.pcapng`);
    let n = 0;
    const kept = [...readPcapngSync(source)].filter(
      (b) => b.type !== 'NRB' && b.type !== 'ISB' && b.type !== 'DCB' && !(b.type === 'EPB' && n++ % 2 === 1),
    );
    const path = join(tmp, 'filtered.pcapng');
    await writePcapng(kept, path);
    const r = await tsharkFrames(path);
    expectClean(r, path);
    expect(bare(r)).toEqual(ourFrames(kept));
    expect(bare(r)).toEqual(ourFrames(readPcapngSync(readBytes(path))));
    expect(r.frames.length).toBeLessThan(ourFrames(readPcapngSync(source)).length);
  });

  it('an edited write (new timestamps from ns, new comments and options, new data) reads in tshark as edited', async () => {
    const source = readBytes(`${GENERATOR_DIR}output_be/advanced/test101.pcapng`);
    let i = 0;
    const edited = [...readPcapngSync(source)].map((b): PcapngBlock => {
      switch (b.type) {
        case 'SHB':
          return { ...b, options: [...b.options, makeOption('SHB', 'opt_comment', 'rewritten by sysray')] };
        case 'IDB':
          return {
            ...b,
            options: [
              ...b.options.filter((o) => o.name !== 'if_name'),
              makeOption('IDB', 'if_name', 'edited0'),
            ],
          };
        case 'EPB': {
          i++;
          const data = b.data.slice().reverse();
          return {
            ...b,
            ticks: undefined,
            timestamp: b.timestamp + 1_500_000_000n + BigInt(i) * 1000n,
            data,
            capturedLength: data.length,
            options: [
              ...b.options,
              makeOption('EPB', 'opt_comment', `edited packet ${i}`),
              makeOption('EPB', 'epb_flags', 1),
            ],
          };
        }
        default:
          return b;
      }
    });
    const path = join(tmp, 'edited.pcapng');
    writeFileSync(path, writePcapngSync(edited));
    const back = [...readPcapngSync(readBytes(path))];
    const r = await tsharkFrames(path);
    expectClean(r, path);
    expect(bare(r)).toEqual(ourFrames(back));
    // The edits are what tshark sees.
    const epbs = edited.filter((b): b is EnhancedPacketBlock => b.type === 'EPB');
    const backEpbs = back.filter((b): b is EnhancedPacketBlock => b.type === 'EPB');
    expect(backEpbs.map((b) => b.timestamp)).toEqual(epbs.map((b) => b.timestamp));
    expect(backEpbs.map((b) => getOptions(b, 'opt_comment'))).toEqual(
      epbs.map((b) => getOptions(b, 'opt_comment')),
    );
    expect(r.frames.map((f) => f.comments)).toEqual(ourComments(back));
    const lastComments = r.frames.filter((f) => f.comments.length > 0).map((f) => f.comments.at(-1));
    expect(lastComments).toEqual(epbs.map((_b, k) => `edited packet ${k + 1}`));
  });

  it('a file built from scratch: interfaces with decimal and binary if_tsresol and if_tsoffset, all block kinds', async () => {
    const base = 1_700_000_000_123_456_789n;
    const ifaces = [
      { linkType: 1, tsresol: undefined, tsoffset: undefined },
      { linkType: 1, tsresol: 9, tsoffset: undefined },
      { linkType: 101, tsresol: 3, tsoffset: 1_600_000_000n },
      { linkType: 1, tsresol: 0x80 | 20, tsoffset: undefined },
      { linkType: 1, tsresol: 0x80 | 10, tsoffset: 3600n },
      { linkType: 1, tsresol: 0x80 | 32, tsoffset: -86_400n },
      { linkType: 1, tsresol: 7, tsoffset: undefined },
    ];
    const packet = (k: number) =>
      Uint8Array.from({ length: 60 + k }, (_, j) => (j < 12 ? 0xff : j === 12 ? 0x08 : (j * 31 + k) & 0xff));
    const blocks: PcapngBlock[] = [
      {
        type: 'SHB',
        littleEndian: true,
        majorVersion: 1,
        minorVersion: 0,
        sectionLength: -1n,
        options: [makeOption('SHB', 'shb_userappl', 'sysray tests')],
      },
      ...ifaces.map(
        (f, k): PcapngBlock => ({
          type: 'IDB',
          linkType: f.linkType,
          snapLength: 0,
          options: [
            makeOption('IDB', 'if_name', `if${k}`),
            ...(f.tsresol === undefined ? [] : [makeOption('IDB', 'if_tsresol', f.tsresol)]),
            ...(f.tsoffset === undefined ? [] : [makeOption('IDB', 'if_tsoffset', f.tsoffset)]),
          ],
        }),
      ),
      {
        type: 'NRB',
        records: [{ type: 'ipv4', address: '192.0.2.1', names: ['host.example'] }],
        options: [],
      },
      { type: 'DSB', secretsType: 0x544c534b, data: text('CLIENT_RANDOM 00 11\n'), options: [] },
      { type: 'CB', pen: 32473, data: text('sysray custom block'), options: [] },
    ];
    const intended: bigint[] = [];
    for (let k = 0; k < 3 * ifaces.length; k++) {
      const interfaceId = k % ifaces.length;
      const timestamp = base + BigInt(k) * 1_234_567_891n;
      intended.push(timestamp);
      const data = packet(k);
      blocks.push({
        type: 'EPB',
        interfaceId,
        timestamp,
        capturedLength: data.length,
        originalLength: data.length + 4,
        data,
        options: [],
      });
      if (k === 4)
        blocks.push({
          type: 'SPB',
          interfaceId: 0,
          originalLength: 64,
          capturedLength: 64,
          data: packet(4).subarray(0, 64),
          options: [],
        });
    }
    blocks.push({
      type: 'PB',
      interfaceId: 3,
      dropsCount: 2,
      timestamp: base,
      capturedLength: 62,
      originalLength: 62,
      data: packet(2),
      options: [],
    });
    blocks.push({
      type: 'ISB',
      interfaceId: 1,
      timestamp: base + 99n,
      options: [makeOption('ISB', 'isb_ifrecv', 21n)],
    });
    blocks.push({
      type: 'SHB',
      littleEndian: false,
      majorVersion: 1,
      minorVersion: 0,
      sectionLength: -1n,
      options: [],
    });
    blocks.push({
      type: 'IDB',
      linkType: 1,
      snapLength: 128,
      options: [makeOption('IDB', 'if_tsresol', 0x80 | 16)],
    });
    blocks.push({
      type: 'EPB',
      interfaceId: 0,
      timestamp: base,
      capturedLength: 70,
      originalLength: 70,
      data: packet(10),
      options: [],
    });
    intended.push(base);

    const path = join(tmp, 'scratch.pcapng');
    writeFileSync(path, writePcapngSync(blocks));
    const back = [...readPcapngSync(readBytes(path))];
    const r = await tsharkFrames(path);
    expectClean(r, path);
    expect(bare(r)).toEqual(ourFrames(back));
    // Each stored timestamp is the intended one rounded up to its interface's tick.
    const epbs = back.filter((b): b is EnhancedPacketBlock => b.type === 'EPB');
    const tps = (k: number) => {
      const f = ifaces[k % ifaces.length]!;
      return k < 3 * ifaces.length
        ? f.tsresol === undefined
          ? 1_000_000n
          : ticksPerSecondFromTsresol(f.tsresol)!
        : 65536n;
    };
    for (const [k, b] of epbs.entries()) {
      const tickNs = (1_000_000_000n + tps(k) - 1n) / tps(k);
      expect(b.timestamp >= intended[k]! && b.timestamp < intended[k]! + tickNs, `packet ${k}`).toBe(true);
    }
  });
});
