import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  BlockCursor,
  blockTypeName,
  createPcapngWriter,
  type PcapngBlock,
  PcapngError,
  pcapngWindows,
  readPcapng,
  readPcapngBatches,
  writePcapng,
} from '@sysray/pcapng';
import { readPcapngSync, writePcapngSync } from '@sysray/pcapng/sync';
import { afterAll, describe, expect, it } from 'vitest';
import {
  asyncChunks,
  collect,
  collectingWebWritable,
  collectingWritable,
  plain,
  randomChunks,
} from './helpers/streams.js';
import { GENERATOR_DIR, generatorFiles, readBytes } from './helpers/testdata.js';

/** Mixed-endian, multi-section, every block type the generator makes. */
const samplePath = `${GENERATOR_DIR}output_le/difficult/test202.pcapng`;
const sample = readBytes(samplePath);
const expected = [...readPcapngSync(sample)];
const tmp = mkdtempSync(join(tmpdir(), 'sysray-pcapng-api-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('readPcapng sources', () => {
  it('reads a file path and a file: URL', async () => {
    expect(plain(await collect(readPcapng(samplePath)))).toEqual(expected);
    expect(plain(await collect(readPcapng(pathToFileURL(samplePath))))).toEqual(expected);
  });

  it('reads a Node Readable (file stream with 16-byte reads, and Readable.from)', async () => {
    const fileStream = createReadStream(samplePath, { highWaterMark: 16 });
    expect(plain(await collect(readPcapng(fileStream)))).toEqual(expected);
    expect(plain(await collect(readPcapng(Readable.from(randomChunks(sample, 5)))))).toEqual(expected);
  });

  it('reads a Web ReadableStream', async () => {
    const chunks = randomChunks(sample, 11);
    const web = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    expect(await collect(readPcapng(web))).toEqual(expected);
  });

  it('reads an AsyncIterable<Uint8Array>, a sync iterable and a whole Uint8Array', async () => {
    expect(await collect(readPcapng(asyncChunks(randomChunks(sample, 3))))).toEqual(expected);
    expect(await collect(readPcapng(randomChunks(sample, 4, 1, 200)))).toEqual(expected);
    expect(await collect(readPcapng(sample))).toEqual(expected);
  });

  it('delivers blocks in batches whose concatenation is the block list', async () => {
    const batches = await collect(readPcapngBatches(asyncChunks(randomChunks(sample, 9, 30, 300))));
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(expected);
  });

  it('rejects a source that is not bytes with BAD_SOURCE', async () => {
    await expect(collect(readPcapng(42 as never))).rejects.toMatchObject({ code: 'BAD_SOURCE' });
    await expect(collect(readPcapng(asyncChunks(['text' as never])))).rejects.toMatchObject({
      code: 'BAD_SOURCE',
    });
  });

  it('the sync reader refuses gzip input with NOT_PCAPNG; corrupt gzip streams give BAD_SOURCE', async () => {
    const gz = gzipSync(sample);
    expect(() => [...readPcapngSync(gz)]).toThrow(expect.objectContaining({ code: 'NOT_PCAPNG', offset: 0 }));
    const corrupt = gz.slice(0, gz.length - 20);
    const error = await collect(readPcapng(asyncChunks(randomChunks(corrupt, 2)))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcapngError);
    expect((error as PcapngError).code).toBe('BAD_SOURCE');
  });

  it('enforces maxBlockLength with BAD_BLOCK_LENGTH at the offending block', async () => {
    const biggest = Math.max(
      ...expected.map((b, i) => (expected[i + 1]?.offset ?? sample.length) - b.offset!),
    );
    const big = expected.find((b, i) => (expected[i + 1]?.offset ?? sample.length) - b.offset! === biggest)!;
    const limits = { maxBlockLength: biggest - 4 };
    expect(() => [...readPcapngSync(sample, limits)]).toThrow(
      expect.objectContaining({ code: 'BAD_BLOCK_LENGTH', offset: big.offset, blockIndex: big.index }),
    );
    await expect(collect(readPcapng(sample, limits))).rejects.toMatchObject({
      code: 'BAD_BLOCK_LENGTH',
      offset: big.offset,
    });
    expect([...readPcapngSync(sample, { maxBlockLength: biggest })]).toHaveLength(expected.length);
  });

  it('names the file in errors when the source is a path', async () => {
    const path = `${GENERATOR_DIR}../malformed/pcapng-block-len-not-mult4.pcapng`;
    const error = await collect(readPcapng(path)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcapngError);
    expect((error as PcapngError).file).toBe(path);
    expect((error as PcapngError).describe()).toContain(path);
  });
});

describe('zero-copy packet data', () => {
  it('sync reader: packet data and unknown bodies are views into the input buffer', () => {
    for (const block of readPcapngSync(sample)) {
      if (block.type === 'EPB' || block.type === 'SPB') {
        expect(block.data.buffer).toBe(sample.buffer);
        const at = block.data.byteOffset - sample.byteOffset;
        expect(at).toBeGreaterThan(block.offset!);
      }
    }
  });

  it('streaming reader: a packet inside one chunk is a view of that chunk', async () => {
    const chunks = randomChunks(sample, 21, 100, 400);
    const starts: number[] = [];
    let at = 0;
    for (const c of chunks) {
      starts.push(at);
      at += c.length;
    }
    let checked = 0;
    for await (const block of readPcapng(asyncChunks(chunks))) {
      if (block.type !== 'EPB' && block.type !== 'SPB') continue;
      const shb = expected.find((b) => b.type === 'SHB' && b.section === block.section);
      const littleEndian = shb?.type === 'SHB' && shb.littleEndian;
      const length = new DataView(sample.buffer, sample.byteOffset).getUint32(
        block.offset! + 4,
        littleEndian,
      );
      const k = starts.filter((s) => s <= block.offset!).length - 1;
      if (block.offset! + length <= starts[k]! + chunks[k]!.length) {
        expect(block.data.buffer).toBe(chunks[k]!.buffer);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('BlockCursor', () => {
  it.each(generatorFiles().map((f) => [f.name, f.path]))(
    '%s: the low-level walk sees the blocks, types and offsets the reader yields',
    async (_name, path) => {
      const bytes = readBytes(path);
      const blocks = [...readPcapngSync(bytes)];
      const want = blocks.map((b) => [b.index, b.offset, b.type === 'UNKNOWN' ? 'UNKNOWN' : b.type]);
      const cursor = new BlockCursor();
      cursor.load(bytes);
      const walked: unknown[] = [];
      while (cursor.next())
        walked.push([cursor.blockIndex, cursor.fileOffset, blockTypeName(cursor.blockType) ?? 'UNKNOWN']);
      cursor.finish();
      expect(walked).toEqual(want);
      const windowed: unknown[] = [];
      for await (const c of pcapngWindows(asyncChunks(randomChunks(bytes, 13))))
        while (c.next()) windowed.push([c.blockIndex, c.fileOffset, blockTypeName(c.blockType) ?? 'UNKNOWN']);
      expect(windowed).toEqual(want);
    },
  );

  it('gives EPB timestamps equal to the typed reader', () => {
    const cursor = new BlockCursor();
    cursor.load(sample);
    const stamps: bigint[] = [];
    while (cursor.next()) if (cursor.blockType === 6) stamps.push(cursor.timestamp());
    expect(stamps).toEqual(expected.filter((b) => b.type === 'EPB').map((b) => b.timestamp));
  });
});

describe('writer sinks', () => {
  it('writes to a path', async () => {
    const path = join(tmp, 'out.pcapng');
    const result = await writePcapng(readPcapng(samplePath), path);
    expect(result).toEqual({ blocks: expected.length, bytes: sample.length });
    expect(new Uint8Array(readFileSync(path))).toEqual(sample);
  });

  it('writes to a Node Writable and to a Web WritableStream', async () => {
    const node = collectingWritable();
    await writePcapng(expected, node.stream);
    expect(node.bytes()).toEqual(sample);
    const web = collectingWebWritable();
    await writePcapng(readPcapng(sample), web.stream);
    expect(web.bytes()).toEqual(sample);
  });

  it('leaves the destination open with end: false, and ends it by default', async () => {
    const node = collectingWritable();
    const writer = createPcapngWriter(node.stream, { end: false });
    for (const b of expected) await writer.write(b);
    await writer.close();
    expect(node.stream.writableEnded).toBe(false);
    node.stream.end();
    expect(node.bytes()).toEqual(sample);
  });

  it('writes a filtered stream as a valid file with only the kept blocks', async () => {
    const kept = expected.filter((b) => b.type !== 'NRB' && b.type !== 'DCB');
    const node = collectingWritable();
    await writePcapng(kept, node.stream);
    const back = [...readPcapngSync(node.bytes())];
    expect(back.map((b) => b.type)).toEqual(kept.map((b) => b.type));
    expect(plain(back.map(strip))).toEqual(kept.map(strip));
    expect(writePcapngSync(kept)).toEqual(node.bytes());
  });

  it('reports a destination that fails (no such directory) as PcapngError BAD_SOURCE', async () => {
    const block: PcapngBlock = { type: 'IDB', linkType: 1, snapLength: 0, options: [] };
    const missing = join(tmp, 'no-such-dir', 'out.pcapng');
    const error = await writePcapng([block], missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcapngError);
    expect(error).toMatchObject({ code: 'BAD_SOURCE', message: expect.stringContaining('ENOENT') });
    const writer = createPcapngWriter(join(tmp, 'no-such-dir', 'late.pcapng'));
    await new Promise((resolve) => setTimeout(resolve, 20)); // the open has failed by now
    const late = await writer
      .write(block)
      .then(() => writer.close())
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(PcapngError);
    expect(late).toMatchObject({ code: 'BAD_SOURCE' });
  });

  it('refuses a block it cannot encode with INVALID_BLOCK', () => {
    expect(() =>
      writePcapngSync([
        {
          type: 'EPB',
          interfaceId: 3,
          timestamp: 0n,
          capturedLength: 0,
          originalLength: 0,
          data: new Uint8Array(),
          options: [],
        },
      ]),
    ).toThrow(expect.objectContaining({ code: 'INVALID_BLOCK' }));
    expect(() =>
      writePcapngSync([
        {
          type: 'IDB',
          linkType: 1,
          snapLength: 0,
          options: [{ code: 6, name: 'if_MACaddr', value: 'nope' }],
        },
      ]),
    ).toThrow(expect.objectContaining({ code: 'INVALID_BLOCK' }));
  });
});

/** A block without where it was read (index, offset): what a rewrite keeps. */
function strip(block: PcapngBlock): PcapngBlock {
  const { index: _i, offset: _o, ...rest } = block;
  return rest as PcapngBlock;
}
