import { readPcapng } from '@sysray/pcapng';
import { PcapngError, type PcapngErrorCode, readPcapngSync } from '@sysray/pcapng/sync';
import { describe, expect, it } from 'vitest';
import { asyncChunks, collect, randomChunks } from './helpers/streams.js';
import {
  GENERATOR_DIR,
  generatorFiles,
  libpcapErrors,
  MALFORMED_DIR,
  malformedFiles,
  readBytes,
} from './helpers/testdata.js';

interface Expected {
  code: PcapngErrorCode;
  /** Byte offset of the offending block (or, for option errors, option; for versions and tsresol, the field). */
  offset: number;
  blockIndex: number;
  /** The fact libpcap's message states, as our message must state it too. */
  fact: RegExp;
  /** A regex on libpcap's own message, so the table cannot drift from EXPECTED_ERRORS.tsv. */
  libpcap: RegExp;
}

// Every file: SHB of 28 bytes at 0, then the block at 28 (IDB options start at 28 + 16 = 44).
const table: Record<string, Expected> = {
  'pcapng-block-len-not-mult4.pcapng': {
    code: 'BAD_BLOCK_LENGTH',
    offset: 28,
    blockIndex: 1,
    fact: /length of 21 that is not a multiple of 4/,
    libpcap: /length of 21 that is not a multiple of 4/,
  },
  'pcapng-block-len-too-small.pcapng': {
    code: 'BAD_BLOCK_LENGTH',
    offset: 28,
    blockIndex: 1,
    fact: /length of 4 < 12/,
    libpcap: /length of 4 < 12/,
  },
  'pcapng-idb-endofopt-badlen.pcapng': {
    code: 'BAD_OPTION',
    offset: 44,
    blockIndex: 1,
    fact: /Interface Description Block .*opt_endofopt .*length 1 != 0/,
    libpcap: /opt_endofopt option with length 1 != 0/,
  },
  'pcapng-idb-tsoffset-badlen.pcapng': {
    code: 'BAD_OPTION',
    offset: 44,
    blockIndex: 1,
    fact: /if_tsoffset option with length 3 != 8/,
    libpcap: /if_tsoffset option with length 3 != 8/,
  },
  'pcapng-idb-tsoffset-dup.pcapng': {
    // The second if_tsoffset: after the first one's 4-byte header and 8-byte value.
    code: 'DUPLICATE_OPTION',
    offset: 56,
    blockIndex: 1,
    fact: /more than one if_tsoffset option/,
    libpcap: /more than one if_tsoffset option/,
  },
  'pcapng-idb-tsresol-badlen.pcapng': {
    code: 'BAD_OPTION',
    offset: 44,
    blockIndex: 1,
    fact: /if_tsresol option with length 2 != 1/,
    libpcap: /if_tsresol option with length 2 != 1/,
  },
  'pcapng-idb-tsresol-bin-high.pcapng': {
    // The offending value byte, after the option's 4-byte header.
    code: 'BAD_TIMESTAMP_RESOLUTION',
    offset: 48,
    blockIndex: 1,
    fact: /resolution 2\^-72 is too high/,
    libpcap: /resolution 2\^-72 is too high/,
  },
  'pcapng-idb-tsresol-dec-high.pcapng': {
    code: 'BAD_TIMESTAMP_RESOLUTION',
    offset: 48,
    blockIndex: 1,
    fact: /resolution 10\^-100 is too high/,
    libpcap: /resolution 10\^-100 is too high/,
  },
  'pcapng-idb-tsresol-dup.pcapng': {
    // The second if_tsresol: after the first one's header and value padded to 4.
    code: 'DUPLICATE_OPTION',
    offset: 52,
    blockIndex: 1,
    fact: /more than one if_tsresol option/,
    libpcap: /more than one if_tsresol option/,
  },
  'pcapng-invalid-vers-1.pcapng': {
    // The version field of the SHB, after type, length and magic.
    code: 'UNSUPPORTED_VERSION',
    offset: 12,
    blockIndex: 0,
    fact: /unsupported pcapng savefile version 0\.1/,
    libpcap: /unsupported pcapng savefile version 0\.1/,
  },
  'pcapng-invalid-vers-2.pcapng': {
    code: 'UNSUPPORTED_VERSION',
    offset: 12,
    blockIndex: 0,
    fact: /unsupported pcapng savefile version 1\.1/,
    libpcap: /unsupported pcapng savefile version 1\.1/,
  },
  'pcapng-packet-before-idb.pcapng': {
    code: 'UNKNOWN_INTERFACE',
    offset: 28,
    blockIndex: 1,
    fact: /packet|EPB/,
    libpcap: /packet block before any Interface Description Blocks/,
  },
  'pcapng-shb-len-insane.pcapng': {
    code: 'BAD_BLOCK_LENGTH',
    offset: 0,
    blockIndex: 0,
    fact: /Section Header Block has invalid length 2097152 .*1048576/,
    libpcap: /invalid length 28 < _2097152_ < 1048576/,
  },
  'pcapng-shb-len-too-small.pcapng': {
    code: 'BAD_BLOCK_LENGTH',
    offset: 0,
    blockIndex: 0,
    fact: /Section Header Block has invalid length 20 \(must be 28 /,
    libpcap: /invalid length 28 < _20_ < 1048576/,
  },
  'pcapng-truncated-shb.pcapng': {
    // 16 bytes of a 28-byte SHB.
    code: 'TRUNCATED',
    offset: 0,
    blockIndex: 0,
    fact: /truncated .*only 16 left/,
    libpcap: /truncated pcapng dump file/,
  },
  'shb-option-too-long.pcapng': {
    // The SHB says 52 bytes (0x34), but its trailer at 48 is "0000" (808464432): we stop there.
    // libpcap does not check the SHB's trailer; it reports the next block instead (an IDB at 52 whose
    // header says 32 and whose trailer is "0000" too). Same fact (trailer 808464432 does not match the
    // header), one block earlier, which is where the draft's framing first breaks.
    code: 'LENGTH_MISMATCH',
    offset: 0,
    blockIndex: 0,
    fact: /header 52 and trailer 808464432 don't match/,
    libpcap: /trailer 808464432 don\\?'t match/,
  },
  'pcapng-no-idb.pcapng': {
    // Only raised with requireInterface (libpcap's rule): at the end of the input, where an IDB was due.
    code: 'NO_INTERFACES',
    offset: 28,
    blockIndex: 1,
    fact: /no Interface Description Blocks/,
    libpcap: /has no Interface Description Blocks/,
  },
};

function syncError(bytes: Uint8Array, requireInterface = true): unknown {
  try {
    for (const _ of readPcapngSync(bytes, { requireInterface })) {
      // walk
    }
  } catch (error) {
    return error;
  }
  return undefined;
}

async function streamError(
  source: Parameters<typeof readPcapng>[0],
  requireInterface = true,
): Promise<unknown> {
  return collect(readPcapng(source, { requireInterface })).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('malformed files from libpcap', () => {
  const libpcap = libpcapErrors();

  it('the table covers every malformed file and EXPECTED_ERRORS.tsv', () => {
    const files = malformedFiles().filter((f) => f !== 'rarp_req_reply.pcapng');
    expect(Object.keys(table).sort()).toEqual(files);
    expect([...libpcap.keys()].sort()).toEqual(files);
    for (const [file, e] of Object.entries(table)) expect(libpcap.get(file), file).toMatch(e.libpcap);
  });

  it.each(Object.entries(table))(
    '%s gives the pinned PcapngError (sync, stream, 1-byte chunks)',
    async (file, e) => {
      const bytes = readBytes(`${MALFORMED_DIR}${file}`);
      const path = `${MALFORMED_DIR}${file}`;
      for (const error of [
        syncError(bytes),
        await streamError(path),
        await streamError(asyncChunks(randomChunks(bytes, 1, 1, 1))),
      ]) {
        expect(error).toBeInstanceOf(PcapngError);
        const pe = error as PcapngError;
        expect({ code: pe.code, offset: pe.offset, blockIndex: pe.blockIndex }).toEqual({
          code: e.code,
          offset: e.offset,
          blockIndex: e.blockIndex,
        });
        expect(pe.message).toMatch(e.fact);
      }
    },
  );

  it('pcapng-no-idb (only an SHB) is valid per the draft: it reads without requireInterface', async () => {
    const bytes = readBytes(`${MALFORMED_DIR}pcapng-no-idb.pcapng`);
    expect([...readPcapngSync(bytes)].map((b) => b.type)).toEqual(['SHB']);
    expect(await streamError(bytes, false)).toBeUndefined();
    // Same as the generator's basic/test002.
    const test002 = readBytes(`${GENERATOR_DIR}output_le/basic/test002.pcapng`);
    expect(syncError(test002)).toMatchObject({ code: 'NO_INTERFACES' });
    expect(syncError(test002, false)).toBeUndefined();
  });

  it('rarp_req_reply.pcapng, the valid one, reads with requireInterface', async () => {
    const bytes = readBytes(`${MALFORMED_DIR}rarp_req_reply.pcapng`);
    const blocks = [...readPcapngSync(bytes, { requireInterface: true })];
    expect(blocks.map((b) => b.type)).toEqual(['SHB', 'IDB', 'EPB', 'EPB']);
    expect(await streamError(bytes)).toBeUndefined();
  });

  it('empty input is NOT_PCAPNG at offset 0', async () => {
    expect(syncError(new Uint8Array(0), false)).toMatchObject({ code: 'NOT_PCAPNG', offset: 0 });
    expect(await streamError(asyncChunks([]), false)).toMatchObject({ code: 'NOT_PCAPNG', offset: 0 });
  });
});

describe('truncated input', () => {
  const samples = [
    ...generatorFiles().map((f) => [f.name, f.path] as const),
    ['malformed/rarp_req_reply', `${MALFORMED_DIR}rarp_req_reply.pcapng`] as const,
  ];

  it.each(samples)(
    '%s cut at every length: TRUNCATED at the partial block, or the whole prefix',
    async (_n, path) => {
      const bytes = readBytes(path);
      const blocks = [...readPcapngSync(bytes)];
      const starts = blocks.map((b) => b.offset!);
      for (let cut = 1; cut < bytes.length; cut++) {
        const prefix = bytes.subarray(0, cut);
        const complete = starts.filter((s, i) => (starts[i + 1] ?? bytes.length) <= cut && s < cut).length;
        const boundary = complete === blocks.length || starts[complete] === cut;
        const expected = boundary
          ? undefined
          : { code: 'TRUNCATED', offset: starts[complete], blockIndex: complete };
        const sync = syncError(prefix, false);
        if (expected) {
          expect(sync, `cut at ${cut}`).toBeInstanceOf(PcapngError);
          expect(sync, `cut at ${cut}`).toMatchObject(expected);
        } else {
          expect(sync, `cut at ${cut}`).toBeUndefined();
          expect([...readPcapngSync(prefix)]).toEqual(blocks.slice(0, complete));
        }
        // Streamed (random 1..64-byte chunks) at every 7th cut and next to every block boundary.
        if (cut % 7 === 0 || starts.includes(cut - 1) || starts.includes(cut + 1) || boundary) {
          const streamed = await streamError(asyncChunks(randomChunks(prefix, cut, 1, 64)), false);
          if (expected) {
            expect(streamed, `stream cut at ${cut}`).toBeInstanceOf(PcapngError);
            expect(streamed, `stream cut at ${cut}`).toMatchObject(expected);
          } else expect(streamed, `stream cut at ${cut}`).toBeUndefined();
        }
      }
    },
  );

  it('the streaming reader delivers every complete block before reporting the truncation', async () => {
    const bytes = readBytes(`${GENERATOR_DIR}output_be/difficult/test202.pcapng`);
    const blocks = [...readPcapngSync(bytes)];
    const cut = blocks[10]!.offset! + 5;
    const seen: string[] = [];
    const error = await (async () => {
      for await (const b of readPcapng(asyncChunks(randomChunks(bytes.subarray(0, cut), 99))))
        seen.push(b.type);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(blocks.slice(0, 10).map((b) => b.type));
    expect(error).toMatchObject({ code: 'TRUNCATED', offset: blocks[10]!.offset, blockIndex: 10 });
  });
});
