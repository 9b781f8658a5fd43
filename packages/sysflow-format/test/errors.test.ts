import {
  readSysFlow,
  readSysFlowBatchesSync,
  readSysFlowHeader,
  readSysFlowSync,
  SYSFLOW_SCHEMA,
  SysFlowError,
  type SysFlowErrorCode,
} from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import { block, blocksOf, concat, header, NULL_HEADER, SYNC, varint, writeFixed } from './helpers/craft.js';
import { collect, randomChunks } from './helpers/streams.js';
import { constructedRecords, readBytes, TRACES_DIR } from './helpers/testdata.js';

function syncError(bytes: Uint8Array): SysFlowError {
  try {
    readSysFlowSync(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(SysFlowError);
    return e as SysFlowError;
  }
  throw new Error('expected a SysFlowError');
}

async function streamError(source: Parameters<typeof readSysFlow>[0]): Promise<SysFlowError> {
  try {
    await collect(readSysFlow(source));
  } catch (e) {
    expect(e).toBeInstanceOf(SysFlowError);
    return e as SysFlowError;
  }
  throw new Error('expected a SysFlowError');
}

/** Both readers fail the same way. */
async function expectError(bytes: Uint8Array, code: SysFlowErrorCode, where: Partial<SysFlowError> = {}) {
  const a = syncError(bytes);
  const b = await streamError(randomChunks(bytes, 5));
  for (const e of [a, b]) {
    expect(e.code, e.message).toBe(code);
    expect(e).toMatchObject(where);
  }
  expect(b.describe()).toBe(a.describe());
  return a;
}

const httpd = readBytes(`${TRACES_DIR}httpd.sf`);
const records = constructedRecords();
const nullFile = writeFixed(records, { codec: 'null', recordsPerBlock: 4 });
const deflateFile = writeFixed(records, { recordsPerBlock: 4 });

describe('malformed input: one typed error, never a hang or a crash', () => {
  it('empty input and short magic → TRUNCATED; wrong magic → BAD_MAGIC', async () => {
    await expectError(new Uint8Array(0), 'TRUNCATED', { offset: 0 });
    await expectError(Uint8Array.of(0x4f, 0x62), 'TRUNCATED');
    await expectError(new TextEncoder().encode('PK\x03\x04 not avro'), 'BAD_MAGIC', { offset: 0 });
    await expectError(Uint8Array.of(0x4f, 0x62, 0x6a, 0x02, 0), 'BAD_MAGIC', { offset: 3 });
    // A pcapng / gzip file is not SysFlow.
    await expectError(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a), 'BAD_MAGIC');
    await expectError(Uint8Array.of(0x1f, 0x8b, 8, 0), 'BAD_MAGIC');
  });

  it('every truncation of a real file fails with TRUNCATED (or ends cleanly at a block boundary)', () => {
    const full = readSysFlowSync(httpd);
    const boundaries = new Set<number>();
    for (const b of readSysFlowBatchesSync(httpd)) boundaries.add(b.offset);
    let truncated = 0;
    for (let n = 0; n < httpd.length; n++) {
      const cut = httpd.subarray(0, n);
      if (boundaries.has(n)) {
        const got = readSysFlowSync(cut);
        expect(got).toEqual(full.slice(0, got.length));
        continue;
      }
      const e = syncError(cut);
      expect(e.code).toBe('TRUNCATED');
      truncated++;
    }
    expect(truncated).toBeGreaterThan(httpd.length - 10);
  });

  it('truncation through the streaming reader too', async () => {
    for (const n of [3, 100, 3000, httpd.length - 1]) {
      expect((await streamError(randomChunks(httpd.subarray(0, n), n))).code).toBe('TRUNCATED');
    }
  });

  it('a corrupt sync marker → BAD_SYNC with block index and offset', async () => {
    const batches = [...readSysFlowBatchesSync(nullFile)];
    expect(batches.length).toBeGreaterThan(2);
    const third = batches[2]!;
    const markerAt = third.offset - 16;
    const bad = Uint8Array.from(nullFile);
    bad[markerAt + 5]! ^= 0xff;
    await expectError(bad, 'BAD_SYNC', { blockIndex: 1, offset: markerAt });
  });

  it('bad codec names → UNSUPPORTED_CODEC', async () => {
    for (const codec of ['snappy', 'zstandard', 'bzip2', 'xz', 'DEFLATE', '']) {
      const file = concat(header({ 'avro.schema': JSON.stringify(SYSFLOW_SCHEMA), 'avro.codec': codec }));
      await expectError(file, 'UNSUPPORTED_CODEC');
    }
  });

  it('corrupt deflate data → BAD_COMPRESSION', async () => {
    const hdr = deflateFile.subarray(0, deflateFile.length - blocksOf(deflateFile).length);
    await expectError(concat(hdr, block(3, new Uint8Array(40).fill(0xff))), 'BAD_COMPRESSION', {
      blockIndex: 0,
      offset: hdr.length,
    });
    // Deflate data cut short inside the block.
    const ok = blocksOf(writeFixed(records.slice(0, 4)));
    const [count, size] = [4, ok.length - 16 - 2];
    const data = ok.subarray(2, 2 + Math.floor(size / 2));
    await expectError(concat(hdr, block(count, data)), 'BAD_COMPRESSION');
  });

  it('bad headers and schemas', async () => {
    await expectError(header({ 'avro.codec': 'null' }), 'BAD_HEADER');
    await expectError(header({ 'avro.schema': '{not json' }), 'BAD_SCHEMA');
    await expectError(header({ 'avro.schema': '"int"' }), 'BAD_SCHEMA');
    await expectError(header({ 'avro.schema': '{"type":"record","name":"X","fields":[]}' }), 'BAD_SCHEMA');
    // Incompatible field type: Process.uid as a string cannot resolve to int.
    const changed = JSON.parse(
      JSON.stringify(SYSFLOW_SCHEMA).replace('"name":"uid","type":"int"', '"name":"uid","type":"string"'),
    );
    await expectError(header({ 'avro.schema': JSON.stringify(changed) }), 'BAD_SCHEMA');
    // Metadata map with a negative key length.
    await expectError(Uint8Array.of(0x4f, 0x62, 0x6a, 0x01, 2, 1), 'BAD_HEADER');
    // Header over the limit.
    const big = header({ 'avro.schema': JSON.stringify(SYSFLOW_SCHEMA), pad: 'x'.repeat(5000) });
    expect(readSysFlowSync(big)).toEqual([]);
    expect(() => readSysFlowSync(big, { maxHeaderBytes: 1000 })).toThrow(/exceeds/);
    await expect(collect(readSysFlow(big, { maxHeaderBytes: 1000 }))).rejects.toMatchObject({
      code: 'BAD_HEADER',
    });
  });

  it('block framing: negative count/size, over the limit, count vs data disagreement → BAD_BLOCK', async () => {
    const rec = [8, ...varint(1), ...varint(2), ...varint(3), ...varint(4), ...varint(0), 0, ...varint(0)];
    // A ProcessEvent: branch 4, procOID {1, 2}, ts 3, tid 4, opFlags 0, args [], ret 0.
    expect(readSysFlowSync(concat(NULL_HEADER, block(1, rec)))).toEqual([
      {
        type: 'ProcessEvent',
        rec: { procOID: { createTS: 1n, hpid: 2n }, ts: 3n, tid: 4n, opFlags: 0, args: [], ret: 0 },
      },
    ]);
    // Bytes left over after the records.
    await expectError(concat(NULL_HEADER, block(1, [...rec, 0])), 'BAD_BLOCK', { blockIndex: 0 });
    const neg = concat(NULL_HEADER, Uint8Array.from([...varint(-1), ...varint(0), ...SYNC]));
    await expectError(neg, 'BAD_BLOCK', { blockIndex: 0, offset: NULL_HEADER.length });
    const negSize = concat(NULL_HEADER, Uint8Array.from([...varint(1), ...varint(-5), ...SYNC]));
    await expectError(negSize, 'BAD_BLOCK');
    const huge = concat(NULL_HEADER, Uint8Array.from([...varint(1), ...varint(2 ** 40), 0, 0]));
    await expectError(huge, 'BAD_BLOCK');
    expect(() => readSysFlowSync(nullFile, { maxBlockBytes: 10 })).toThrow(SysFlowError);
    // More records claimed than there are.
    await expectError(concat(NULL_HEADER, block(2, rec)), 'BAD_RECORD', { recordIndex: 1 });
    await expectError(concat(NULL_HEADER, block(5000, rec)), 'BAD_BLOCK');
  });

  it('bad record data → BAD_RECORD with the record index (no huge allocations, no hang)', async () => {
    const oid = [...varint(1), ...varint(2)];
    // Union index 12 is past the 12 branches.
    await expectError(concat(NULL_HEADER, block(1, [24, 0])), 'BAD_RECORD', {
      recordIndex: 0,
      blockIndex: 0,
    });
    await expectError(concat(NULL_HEADER, block(1, [...varint(-1), 0])), 'BAD_RECORD');
    // ProcessEvent whose args array claims 10^9 items.
    const bomb = [8, ...oid, ...varint(3), ...varint(4), ...varint(0), ...varint(1e9), 0, 0];
    const started = Date.now();
    await expectError(concat(NULL_HEADER, block(1, bomb)), 'BAD_RECORD');
    expect(Date.now() - started).toBeLessThan(1000);
    // A string longer than the block.
    await expectError(concat(NULL_HEADER, block(1, [0, 10, ...varint(1000), 1, 2])), 'BAD_RECORD');
    // Enum index out of range (Process.state = 7).
    await expectError(concat(NULL_HEADER, block(1, [4, ...varint(7), 0])), 'BAD_RECORD');
    // Boolean byte 2 (Container.privileged).
    const container = [2, 0, 0, 0, 0, 0, 2, 0];
    await expectError(concat(NULL_HEADER, block(1, container)), 'BAD_RECORD');
    // Varint longer than 10 bytes.
    await expectError(concat(NULL_HEADER, block(1, [10, ...new Array(11).fill(0xff), 0])), 'BAD_RECORD');
  });

  it('an inflated block over maxBlockBytes → BAD_COMPRESSION (no zip bomb)', () => {
    const zeros = writeFixed(
      Array.from({ length: 50 }, () => ({
        type: 'ProcessEvent' as const,
        rec: {
          procOID: { createTS: 0n, hpid: 0n },
          ts: 0n,
          tid: 0n,
          opFlags: 0,
          args: ['a'.repeat(1000)],
          ret: 0,
        },
      })),
      { recordsPerBlock: 50 },
    );
    const stored = readSysFlowHeader(zeros);
    expect(zeros.length - stored.size).toBeLessThan(2000);
    expect(() => readSysFlowSync(zeros, { maxBlockBytes: 10_000 })).toThrow(
      expect.objectContaining({ code: 'BAD_COMPRESSION', blockIndex: 0 }),
    );
    expect(readSysFlowSync(zeros, { maxBlockBytes: 100_000 })).toHaveLength(50);
  });

  it('a writer schema with a branch v5 does not know: its records fail, the others read', async () => {
    const schema = JSON.parse(JSON.stringify(SYSFLOW_SCHEMA));
    schema.fields[0].type.push({
      type: 'record',
      name: 'FutureThing',
      namespace: 'sysflow.x',
      fields: [{ name: 'n', type: 'int' }],
    });
    const hdr = header({ 'avro.schema': JSON.stringify(schema), 'avro.codec': 'null' });
    const knownRecord = [
      8,
      ...varint(1),
      ...varint(2),
      ...varint(3),
      ...varint(4),
      ...varint(0),
      0,
      ...varint(0),
    ];
    expect(readSysFlowSync(concat(hdr, block(1, knownRecord)))).toHaveLength(1);
    const e = await expectError(
      concat(hdr, block(1, knownRecord), block(2, [...knownRecord, 24, 2])),
      'BAD_RECORD',
      {
        blockIndex: 1,
        recordIndex: 1,
      },
    );
    expect(e.message).toContain('FutureThing');
  });

  it('bad sources → BAD_SOURCE; a path is named in the error', async () => {
    await expect(collect(readSysFlow(42 as never))).rejects.toMatchObject({ code: 'BAD_SOURCE' });
    await expect(collect(readSysFlow(['text' as never]))).rejects.toMatchObject({ code: 'BAD_SOURCE' });
    const missing = `${TRACES_DIR}does-not-exist.sf`;
    await expect(collect(readSysFlow(missing))).rejects.toMatchObject({ code: 'BAD_SOURCE', file: missing });
    const e = await streamError(`${TRACES_DIR}LICENSE.md`);
    expect(e.code).toBe('BAD_MAGIC');
    expect(e.file).toBe(`${TRACES_DIR}LICENSE.md`);
    expect(e.describe()).toMatch(/^BAD_MAGIC: .*LICENSE\.md, offset 0\)$/);
  });
});
