import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaptureSummary } from '../src/index.js';
import { capinfos, DEMO, epochString, generatorFiles, pool, sysray, tsharkTimes } from './helpers.js';

async function infoJson(path: string): Promise<CaptureSummary> {
  const { code, stdout, stderr } = await sysray(['info', path, '--json']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as CaptureSummary;
}

/** The earliest and latest `frame.time_epoch` tshark gives the file's packets. */
async function tsharkSpan(path: string): Promise<{ first: string; last: string } | undefined> {
  const times = (await tsharkTimes(path)).filter((t) => t !== '');
  if (times.length === 0) return undefined;
  const ns = times.map((t) => BigInt(t.replace('.', ''))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { first: epochString(ns[0]!), last: epochString(ns[ns.length - 1]!) };
}

const files = generatorFiles();
// The oracles, run once: capinfos over every file in one run; tshark (slow to start) only where capinfos
// gives no times although there are packets (files with SPBs, which have no timestamp), little-endian
// twins only: the big-endian twin must agree with its little-endian twin.
let capinfosOf: ReturnType<typeof capinfos>;
let tsharkSpanOf: Map<string, Awaited<ReturnType<typeof tsharkSpan>>>;
beforeAll(async () => {
  capinfosOf = capinfos([...files.map((f) => f.path), DEMO]);
  const needTshark = files
    .filter((f) => f.name.startsWith('output_le/'))
    .filter((f) => capinfosOf.get(f.path)!.start === undefined && capinfosOf.get(f.path)!.packets > 0)
    .map((f) => f.path);
  tsharkSpanOf = await pool([...needTshark, DEMO], 4, tsharkSpan);
});

/** Our nanosecond time printed at the precision capinfos printed `theirs` with: they must agree exactly. */
function atPrecisionOf(ours: string, theirs: string): string {
  const text = epochString(ours);
  const decimals = theirs.length - theirs.indexOf('.') - 1;
  const cut = text.slice(0, text.indexOf('.') + 1 + decimals);
  expect(text.slice(cut.length)).toMatch(/^0*$/); // nothing finer than the file's resolution is lost
  return cut;
}

describe('sysray info --json', () => {
  it.each(files.map((f) => [f.name, f] as const))(
    'counts the blocks of %s by type as its generator description does, and packets and data size as capinfos does',
    async (_, file) => {
      const summary = await infoJson(file.path);
      expect(summary.blockCounts).toEqual(file.counts);
      expect(summary.blocks).toBe(file.sequence.length);
      expect(summary.sections).toHaveLength(file.counts.SHB ?? 0);
      expect(summary.interfaces).toHaveLength(file.counts.IDB ?? 0);
      const oracle = capinfosOf.get(file.path)!;
      expect(summary.packets).toBe(oracle.packets);
      expect(summary.dataSize).toBe(oracle.dataSize);
      expect(summary.fileSize).toBe(statSync(file.path).size);
    },
  );

  it.each(files.map((f) => [f.name, f] as const))(
    'gives %s the first and last packet times capinfos (or, for files with SPBs, tshark) gives it',
    async (_, file) => {
      const summary = await infoJson(file.path);
      const oracle = capinfosOf.get(file.path)!;
      if (oracle.start !== undefined && oracle.end !== undefined) {
        expect(atPrecisionOf(summary.firstPacketTime!, oracle.start)).toBe(oracle.start);
        expect(atPrecisionOf(summary.lastPacketTime!, oracle.end)).toBe(oracle.end);
      } else if (file.name.startsWith('output_le/') && oracle.packets > 0) {
        const span = tsharkSpanOf.get(file.path);
        if (span === undefined) expect(summary.firstPacketTime).toBeNull();
        else {
          expect(epochString(summary.firstPacketTime!)).toBe(span.first);
          expect(epochString(summary.lastPacketTime!)).toBe(span.last);
        }
      } else if (file.name.startsWith('output_be/')) {
        const twin = await infoJson(file.path.replace('/output_be/', '/output_le/'));
        expect([summary.firstPacketTime, summary.lastPacketTime]).toEqual([
          twin.firstPacketTime,
          twin.lastPacketTime,
        ]);
      } else {
        expect(summary.firstPacketTime).toBeNull();
      }
      if (summary.firstPacketTime === null) expect(summary.timeSpan).toBeNull();
      else
        expect(BigInt(summary.timeSpan!)).toBe(
          BigInt(summary.lastPacketTime!) - BigInt(summary.firstPacketTime!),
        );
    },
  );

  it('describes the demo capture: one loopback Ethernet interface at nanosecond resolution, packets and times as capinfos and tshark see them', async () => {
    const summary = await infoJson(DEMO);
    expect(summary.sections).toHaveLength(1);
    expect(summary.sections[0]!.options.shb_userappl).toMatch(/^sysray /);
    expect(summary.interfaces).toEqual([
      expect.objectContaining({
        section: 0,
        id: 0,
        linkType: 1,
        linkTypeName: 'EN10MB',
        name: 'lo',
        snapLength: 262144,
        tsresol: 9,
        ticksPerSecond: '1000000000',
        packets: summary.packets,
      }),
    ]);
    const oracle = capinfosOf.get(DEMO)!;
    expect(summary.packets).toBe(oracle.packets);
    expect(summary.dataSize).toBe(oracle.dataSize);
    expect(summary.blockCounts.EPB).toBe(oracle.packets);
    expect(epochString(summary.firstPacketTime!)).toBe(oracle.start);
    expect(epochString(summary.lastPacketTime!)).toBe(oracle.end);
    const span = tsharkSpanOf.get(DEMO)!;
    expect(epochString(summary.firstPacketTime!)).toBe(span.first);
    expect(epochString(summary.lastPacketTime!)).toBe(span.last);
    expect(summary.nameRecords).toEqual({ ipv4: 1 });
  });

  it('reads a gzip-compressed capture like the plain one, reporting the compressed file size', async () => {
    const gz = join(mkdtempSync(join(tmpdir(), 'sysray-info-')), 'demo.pcapng.gz');
    writeFileSync(gz, gzipSync(readFileSync(DEMO)));
    const plain = await infoJson(DEMO);
    const compressed = await infoJson(gz);
    expect(compressed).toEqual({ ...plain, file: gz, fileSize: statSync(gz).size, gzip: true });
  });
});

describe('sysray info (text)', () => {
  it('prints a capinfos-like summary with link type name, snap length, resolution, counts and times', async () => {
    const summary = await infoJson(DEMO);
    const { code, stdout } = await sysray(['info', DEMO]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^File name: +.*demo\.pcapng$/m);
    expect(stdout).toMatch(
      /^ +Interface 0: +"lo", EN10MB \(Ethernet, 1\), snaplen 262144, nanoseconds \(9\)/m,
    );
    expect(stdout).toMatch(new RegExp(`^Packets: +${summary.packets}$`, 'm'));
    expect(stdout).toMatch(
      new RegExp(`^Blocks: +${summary.blocks} \\(SHB 1, IDB 1, NRB 1, EPB ${summary.packets}`, 'm'),
    );
    expect(stdout).toMatch(/^First packet time: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} UTC$/m);
    expect(stdout).toMatch(/^Time span: +\d+\.\d{9} s$/m);
    expect(stdout).toMatch(/^Data size: +\d+ bytes on the wire/m);
  });

  it('says n/a for times when no packet has a timestamp', async () => {
    const file = files.find((f) => f.name === 'output_le/basic/test010')!; // SPBs only
    const { stdout } = await sysray(['info', file.path]);
    expect(stdout).toMatch(/^Packets: +4 \(4 without timestamp\)$/m);
    expect(stdout).toMatch(/^First packet time: +n\/a$/m);
  });
});
