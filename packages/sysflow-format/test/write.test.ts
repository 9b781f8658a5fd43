import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  createSysFlowWriter,
  readSysFlow,
  readSysFlowBatches,
  readSysFlowHeader,
  readSysFlowSync,
  recordFromJSON,
  recordToJSON,
  SysFlowError,
  type SysFlowRecord,
  writeSysFlow,
  writeSysFlowSync,
} from '@sysray/sysflow-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from './helpers/streams.js';
import {
  constructedRecords,
  pythonMeta,
  pythonRead,
  readBytes,
  requirePythonAvro,
  sampleFiles,
} from './helpers/testdata.js';

const tmp = mkdtempSync(join(tmpdir(), 'sysray-sysflow-write-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => requirePythonAvro());

const constructed = constructedRecords();
const sampleRecords = sampleFiles().map(([name, path]) => [name, readSysFlowSync(readBytes(path))] as const);

describe('python3-avro reads every file we write', () => {
  const cases: [string, SysFlowRecord[]][] = [
    ['constructed (all 12 branches, edge values)', constructed],
    ...sampleRecords.map(([name, records]) => [name, records] as [string, SysFlowRecord[]]),
  ];
  for (const codec of ['deflate', 'null'] as const) {
    for (const [name, records] of cases) {
      it(`${codec}: ${name}`, () => {
        const file = join(tmp, `${codec}-${name}.sf`);
        writeFileSync(file, writeSysFlowSync(records, { codec, recordsPerBlock: 7 }));
        expect(pythonMeta(file).codec).toBe(codec);
        expect(pythonRead(file)).toEqual(records.map(recordToJSON));
      });
    }
  }

  it('constructed records cover all 12 branches', () => {
    expect(new Set(constructed.map((r) => r.type)).size).toBe(12);
  });

  it('an empty file (header only) is valid for python and for us', () => {
    const file = join(tmp, 'empty.sf');
    writeFileSync(file, writeSysFlowSync([]));
    expect(pythonRead(file)).toEqual([]);
    expect(readSysFlowSync(readFileSync(file))).toEqual([]);
  });
});

describe('round trip ours → ours', () => {
  for (const [name, records] of [['constructed', constructed] as const, ...sampleRecords]) {
    it(name, () => {
      for (const options of [
        {},
        { codec: 'null' as const },
        { recordsPerBlock: 1 },
        { blockBytes: 100, compressionLevel: 9 },
      ]) {
        const bytes = writeSysFlowSync(records, options);
        expect(readSysFlowSync(bytes).map(recordToJSON)).toEqual(records.map(recordToJSON));
      }
    });
  }

  it('recordToJSON ∘ recordFromJSON is the identity', () => {
    for (const r of constructed)
      expect(recordToJSON(recordFromJSON(recordToJSON(r)))).toEqual(recordToJSON(r));
    const again = constructed.map((r) => recordFromJSON(JSON.parse(JSON.stringify(recordToJSON(r)))));
    expect(readSysFlowSync(writeSysFlowSync(again))).toEqual(readSysFlowSync(writeSysFlowSync(constructed)));
  });

  it('accepts plain Uint8Array FOIDs (not only Buffers)', () => {
    const plain = constructed.map((r) =>
      r.type === 'FileFlow' ? { ...r, rec: { ...r.rec, fileOID: new Uint8Array(r.rec.fileOID) } } : r,
    );
    expect(readSysFlowSync(writeSysFlowSync(plain)).map(recordToJSON)).toEqual(constructed.map(recordToJSON));
  });

  it('a fixed sync marker gives byte-identical output; blocks follow recordsPerBlock', () => {
    const syncMarker = new Uint8Array(16).fill(7);
    const a = writeSysFlowSync(constructed, { syncMarker, recordsPerBlock: 5 });
    const b = writeSysFlowSync(constructed, { syncMarker, recordsPerBlock: 5 });
    expect(Buffer.compare(a, b)).toBe(0);
    expect([...readSysFlowHeader(a).sync]).toEqual([...syncMarker]);
    expect(readSysFlowHeader(a).metadata.get('avro.codec')).toEqual(new TextEncoder().encode('deflate'));
  });
});

describe('writer sinks', () => {
  const [, path] = sampleFiles().find(([n]) => n === 'shellshock.sf')!;
  const expected = readSysFlowSync(readBytes(path));

  it('writeSysFlow takes what readSysFlow yields and writes a path', async () => {
    const out = join(tmp, 'copy.sf');
    const result = await writeSysFlow(readSysFlow(path), out);
    expect(result.records).toBe(expected.length);
    expect(result.bytes).toBe(readFileSync(out).length);
    expect(await collect(readSysFlow(out))).toEqual(expected);
    expect(pythonRead(out)).toEqual(expected.map(recordToJSON));
  });

  it('takes batches too', async () => {
    const out = join(tmp, 'batches.sf');
    await writeSysFlow(readSysFlowBatches(path), out, { codec: 'null' });
    expect(readSysFlowSync(readFileSync(out))).toEqual(expected);
  });

  it('writes to a Node Writable and a Web WritableStream', async () => {
    const parts: Buffer[] = [];
    const node = new Writable({
      write(chunk, _enc, cb) {
        parts.push(chunk);
        cb();
      },
    });
    const writer = createSysFlowWriter(node);
    for (const r of expected) await writer.write(r);
    await writer.close();
    expect(readSysFlowSync(Buffer.concat(parts))).toEqual(expected);

    const webParts: Uint8Array[] = [];
    const web = new WritableStream<Uint8Array>({ write: (c) => void webParts.push(c) });
    await writeSysFlow(expected, web, { recordsPerBlock: 3 });
    expect(readSysFlowSync(Buffer.concat(webParts))).toEqual(expected);
  });

  it('rejects invalid records with INVALID_RECORD and the record index', async () => {
    const bad = [
      constructed[0]!,
      { type: 'Process', rec: { ...(constructed[3]!.rec as object), uid: 2 ** 31 } },
    ] as SysFlowRecord[];
    expect(() => writeSysFlowSync(bad)).toThrow(SysFlowError);
    try {
      writeSysFlowSync(bad);
    } catch (e) {
      expect((e as SysFlowError).code).toBe('INVALID_RECORD');
      expect((e as SysFlowError).recordIndex).toBe(1);
      expect((e as SysFlowError).message).toMatch(/uid/);
    }
    const notRecords = [
      { type: 'Nope', rec: {} },
      { type: 'File', rec: { ...(constructed[5]!.rec as object), oid: new Uint8Array(3) } },
      { type: 'NetworkFlow', rec: { ...(constructed[9]!.rec as object), ts: 1 } },
      { type: 'NetworkFlow', rec: { ...(constructed[9]!.rec as object), ts: 1n << 63n } },
      { type: 'Container', rec: { ...(constructed[1]!.rec as object), type: 'CT_NOPE' } },
      null,
    ];
    for (const r of notRecords) {
      expect(() => writeSysFlowSync([r as unknown as SysFlowRecord])).toThrow(SysFlowError);
    }
    const writer = createSysFlowWriter(new Writable({ write: (_c, _e, cb) => cb() }));
    await expect(writer.write(bad[1]!)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    await writer.close();
    await expect(writer.write(constructed[0]!)).rejects.toMatchObject({ code: 'WRITER_CLOSED' });
  });

  it('after a rejected first record the file is still complete (header written once)', async () => {
    const parts: Buffer[] = [];
    const writer = createSysFlowWriter(
      new Writable({
        write(chunk, _enc, cb) {
          parts.push(chunk);
          cb();
        },
      }),
    );
    await expect(writer.write({ type: 'SFHeader', rec: {} } as SysFlowRecord)).rejects.toMatchObject({
      code: 'INVALID_RECORD',
      recordIndex: 0,
    });
    await writer.write(constructed[0]!);
    await writer.close();
    expect(readSysFlowSync(Buffer.concat(parts))).toEqual([constructed[0]]);
  });

  it('a destination that cannot be opened → BAD_SOURCE', async () => {
    const bad = join(tmp, 'no-such-dir', 'x.sf');
    await expect(writeSysFlow(constructed, bad)).rejects.toMatchObject({ code: 'BAD_SOURCE', file: bad });
  });

  it('rejects unsupported codecs and bad options', () => {
    expect(() => writeSysFlowSync([], { codec: 'snappy' as 'null' })).toThrow(SysFlowError);
    expect(() => writeSysFlowSync([], { syncMarker: new Uint8Array(3) })).toThrow(SysFlowError);
    expect(() => writeSysFlowSync([], { metadata: { 'avro.codec': 'x' } })).toThrow(SysFlowError);
    const bytes = writeSysFlowSync([], { metadata: { 'sysray.note': 'hi' } });
    expect(new TextDecoder().decode(readSysFlowHeader(bytes).metadata.get('sysray.note'))).toBe('hi');
  });
});
