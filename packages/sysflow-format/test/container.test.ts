import {
  readSysFlow,
  readSysFlowBatchesSync,
  readSysFlowHeader,
  SYSFLOW_SCHEMA,
  type SysFlowFileHeader,
  writeSysFlowSync,
} from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import { chunked, collect } from './helpers/streams.js';
import { constructedRecords, PAIRS_DIR, readBytes } from './helpers/testdata.js';

describe('file headers', () => {
  it('the writer schema is parsed once per distinct schema: frozen, one object shared by those files', () => {
    const a = readSysFlowHeader(readBytes(`${PAIRS_DIR}setuid_setuid.sf`));
    const b = readSysFlowHeader(readBytes(`${PAIRS_DIR}rename_rename.sf`));
    expect(a.schema).toBe(b.schema);
    expect(Object.isFrozen(a.schema)).toBe(true);
    const fields = (a.schema as { fields: { type: unknown[] }[] }).fields;
    expect(Object.isFrozen(fields[0]!.type)).toBe(true);
    expect(() => {
      (a.schema as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    // A file with another schema gets its own object.
    const ours = readSysFlowHeader(writeSysFlowSync(constructedRecords()));
    expect(ours.schema).toEqual(JSON.parse(JSON.stringify(SYSFLOW_SCHEMA)));
  });

  it('synchronous readers give metadata and sync marker as plain views of the input, streams as copies', async () => {
    const bytes = writeSysFlowSync(constructedRecords(), { codec: 'null' });
    const sync = readSysFlowHeader(bytes);
    const codec = sync.metadata.get('avro.codec')!;
    expect(codec.constructor).toBe(Uint8Array);
    expect(codec.buffer).toBe(bytes.buffer);
    expect(sync.sync.buffer).toBe(bytes.buffer);
    let streamed: SysFlowFileHeader | undefined;
    await collect(readSysFlow(chunked(bytes, 100), { onHeader: (h) => (streamed = h) }));
    expect(streamed!.metadata.get('avro.codec')!.buffer).not.toBe(bytes.buffer);
    expect([...streamed!.sync]).toEqual([...sync.sync]);
    expect(new TextDecoder().decode(streamed!.metadata.get('avro.codec'))).toBe('null');
  });

  it('a file whose schema was seen before reads the same records as the first time', () => {
    const bytes = readBytes(`${PAIRS_DIR}namespaces_setns.sf`);
    const first = [...readSysFlowBatchesSync(bytes)].flatMap((b) => b.records);
    const again = [...readSysFlowBatchesSync(bytes)].flatMap((b) => b.records);
    expect(again).toEqual(first);
    expect(again.length).toBe(548);
  });
});
