import { gzipSync } from 'node:zlib';
import { createPcapngWriter, readPcapng, writePcapng } from '@sysray/pcapng';
import { BlockTypeId, readPcapngSync, writePcapngSync } from '@sysray/pcapng/sync';
import { describe, expect, it } from 'vitest';
import { asyncChunks, collect, collectingWritable, plain, randomChunks } from './helpers/streams.js';
import { generatorFiles, readBytes } from './helpers/testdata.js';

const files = generatorFiles();

describe('generator sample files', () => {
  it('are all there: 24 little-endian and 24 big-endian', () => {
    expect(files.filter((f) => f.littleEndian)).toHaveLength(24);
    expect(files.filter((f) => !f.littleEndian)).toHaveLength(24);
  });

  describe.each(files.map((f) => [f.name, f] as const))('%s', (_name, file) => {
    const bytes = readBytes(file.path);

    it('reads the block sequence the generator documents, and writes the same bytes back (sync)', () => {
      const blocks = [...readPcapngSync(bytes)];
      expect(blocks.map((b) => b.type)).toEqual(file.sequence);
      // Block offsets tile the file: each block starts where the previous one ended.
      const offsets = blocks.map((b) => b.offset);
      let at = 0;
      for (const [i, block] of blocks.entries()) {
        expect(offsets[i]).toBe(at);
        expect(block.index).toBe(i);
        at += readLength(bytes, at, blocks, i);
      }
      expect(at).toBe(bytes.length);
      expect(writePcapngSync(blocks)).toEqual(bytes);
    });

    it('streams in random 1..64-byte chunks to the same blocks, and the stream writer gives the same bytes', async () => {
      const expected = [...readPcapngSync(bytes)];
      for (const seed of [1, 2, 3]) {
        const sink = collectingWritable();
        const writer = createPcapngWriter(sink.stream);
        const seen = [];
        for await (const block of readPcapng(asyncChunks(randomChunks(bytes, seed)))) {
          seen.push(block);
          await writer.write(block);
        }
        await writer.close();
        expect(seen).toEqual(expected);
        expect(sink.bytes()).toEqual(bytes);
        expect(writer.bytes).toBe(bytes.length);
        expect(writer.blocks).toBe(expected.length);
      }
    });

    it('reads a gzip-compressed copy (in small chunks) to the same blocks and bytes', async () => {
      const gz = gzipSync(bytes);
      const sink = collectingWritable();
      const result = await writePcapng(readPcapng(asyncChunks(randomChunks(gz, 7, 1, 64))), sink.stream);
      expect(sink.bytes()).toEqual(bytes);
      expect(result.bytes).toBe(bytes.length);
      expect(plain(await collect(readPcapng(gz)))).toEqual([...readPcapngSync(bytes)]);
    });
  });
});

/** Total length of block `i` at `at`, read in its section's byte order (an SHB's from its magic). */
function readLength(bytes: Uint8Array, at: number, blocks: { type: string }[], i: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  for (let j = i; j >= 0; j--) {
    const b = blocks[j] as { type: string; littleEndian?: boolean };
    if (b.type === 'SHB') {
      le = b.littleEndian!;
      break;
    }
  }
  if (view.getUint32(at, true) === BlockTypeId.SHB) le = view.getUint32(at + 8, true) === 0x1a2b3c4d;
  return view.getUint32(at + 4, le);
}
