import { createReadStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  readSysFlow,
  readSysFlowBatches,
  readSysFlowBatchesSync,
  readSysFlowHeader,
  readSysFlowSync,
  recordToJSON,
  type SysFlowFileHeader,
  type SysFlowRecordJSON,
} from '@sysray/sysflow-format';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunked, collect, nodeStream, randomChunks, webStream } from './helpers/streams.js';
import { pythonMeta, pythonRead, readBytes, requirePythonAvro, sampleFiles } from './helpers/testdata.js';

/** What the reader fills in for v5 fields an older writer schema lacks. */
const V5_DEFAULTS: Record<string, Record<string, unknown>> = {
  SFHeader: { ip: 'NA', filename: '' },
  Container: { podId: null },
  Process: { entry: false, cwd: '', env: [] },
};

const samples = sampleFiles();

beforeAll(() => requirePythonAvro());

describe('reading every sample .sf file agrees with python3-avro (Apache)', () => {
  it('finds the 9 sample files (7 collector outputs, 2 older traces)', () => {
    expect(samples.map(([n]) => n)).toEqual([
      'alpine_alpine.sf',
      'client-server_tcp-client-server.sf',
      'files_files.sf',
      'namespaces_setns.sf',
      'objectstore_ls.sf',
      'rename_rename.sf',
      'setuid_setuid.sf',
      'httpd.sf',
      'shellshock.sf',
    ]);
  });

  for (const [name, path] of samples) {
    it(`${name}: same records, same order`, () => {
      const python = pythonRead(path);
      const ours = readSysFlowSync(readBytes(path)).map(recordToJSON);
      expect(ours.length).toBe(python.length);
      expect(python.length).toBeGreaterThan(0);
      const version = Number(ours[0]!.rec.version);
      const meta = pythonMeta(path);
      expect(meta.codec).toBe('deflate');
      if (version === 5) {
        expect(ours).toEqual(python);
        return;
      }
      // Older writer schema: python reads with it; compare the fields both have, check our defaults.
      for (let i = 0; i < python.length; i++) {
        const theirs = python[i] as SysFlowRecordJSON;
        const mine = ours[i]!;
        expect(mine.type).toBe(theirs.type);
        for (const [field, value] of Object.entries(mine.rec)) {
          if (field in theirs.rec) expect(value, `${mine.type}.${field} #${i}`).toEqual(theirs.rec[field]);
          else expect(value, `default of ${mine.type}.${field}`).toEqual(V5_DEFAULTS[mine.type]?.[field]);
        }
        for (const field of Object.keys(theirs.rec)) expect(field in mine.rec).toBe(true);
      }
    });
  }

  it('the sample set covers writer schemas v2, v4 and v5', () => {
    const versions = samples.map(([, path]) => {
      const first = readSysFlowSync(readBytes(path))[0]!;
      return first.type === 'SFHeader' ? String(first.rec.version) : 'no header';
    });
    expect(new Set(versions)).toEqual(new Set(['2', '4', '5']));
  });
});

describe('streaming reader', () => {
  const [, path] = samples.find(([n]) => n === 'namespaces_setns.sf')!;
  const bytes = readBytes(path);
  const expected = readSysFlowSync(bytes);

  it('reads a path, a file: URL, a Node Readable, a Web stream, async iterables and bytes alike', async () => {
    expect(await collect(readSysFlow(path))).toEqual(expected);
    expect(await collect(readSysFlow(pathToFileURL(path)))).toEqual(expected);
    expect(await collect(readSysFlow(createReadStream(path, { highWaterMark: 100 })))).toEqual(expected);
    expect(await collect(readSysFlow(nodeStream(chunked(bytes, 333))))).toEqual(expected);
    expect(await collect(readSysFlow(webStream(chunked(bytes, 1000))))).toEqual(expected);
    expect(await collect(readSysFlow(randomChunks(bytes, 7)))).toEqual(expected);
    expect(await collect(readSysFlow(chunked(bytes, 1)))).toEqual(expected);
    expect(await collect(readSysFlow(bytes))).toEqual(expected);
  });

  it('yields one batch per Avro block, same as the sync batch reader', async () => {
    const batches = await collect(readSysFlowBatches(randomChunks(bytes, 3)));
    const syncBatches = [...readSysFlowBatchesSync(bytes)];
    expect(batches).toEqual(syncBatches);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.map((b) => b.blockIndex)).toEqual(batches.map((_, i) => i));
    expect(batches.flatMap((b) => b.records)).toEqual(expected);
    expect(batches[0]!.offset).toBe(readSysFlowHeader(bytes).size);
  });

  it('reports the header (writer schema, codec, sync) through onHeader', async () => {
    let header: SysFlowFileHeader | undefined;
    await collect(readSysFlow(path, { onHeader: (h) => (header = h) }));
    expect(header?.codec).toBe('deflate');
    expect(header?.sync).toHaveLength(16);
    expect(header?.schema).toEqual(pythonMeta(path).schema);
    expect(readSysFlowHeader(bytes).size).toBe(header?.size);
  });

  it('stops early without reading the rest (return() closes the source)', async () => {
    let n = 0;
    for await (const _ of readSysFlow(path)) if (++n === 3) break;
    expect(n).toBe(3);
  });

  it('gives typed records: bigint longs, Uint8Array FOIDs, null unions', () => {
    const flow = expected.find((r) => r.type === 'FileFlow');
    expect(flow?.type).toBe('FileFlow');
    if (flow?.type !== 'FileFlow') return;
    expect(typeof flow.rec.ts).toBe('bigint');
    expect(flow.rec.fileOID).toBeInstanceOf(Uint8Array);
    expect(flow.rec.fileOID).toHaveLength(20);
    const proc = expected.find((r) => r.type === 'Process');
    if (proc?.type !== 'Process') throw new Error('no process');
    expect(proc.rec.poid === null || typeof proc.rec.poid.hpid === 'bigint').toBe(true);
  });
});
