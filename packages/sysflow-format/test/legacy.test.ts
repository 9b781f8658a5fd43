import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSysFlowSync, recordToJSON, type SysFlowRecordJSON } from '@sysray/sysflow-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  constructedRecords,
  EMBEDDED_DIR,
  PAIRS_DIR,
  pythonRead,
  pythonWrite,
  readBytes,
  requirePythonAvro,
} from './helpers/testdata.js';

const tmp = mkdtempSync(join(tmpdir(), 'sysray-sysflow-legacy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => requirePythonAvro());

const DEFAULTS: Record<string, Record<string, unknown>> = {
  SFHeader: { ip: 'NA', filename: '' },
  Container: { podId: null },
  Process: { entry: false, cwd: '', env: [] },
};

/**
 * Files with the older writer schemas found in SysFlow files (legacy "1000" ×2, v2, v4, and v5), written
 * by Apache's python implementation from sample and constructed records: our reader resolves each to v5.
 */
describe('schema resolution of older writer schemas (files written by python3-avro)', () => {
  const records = [
    ...readSysFlowSync(readBytes(`${PAIRS_DIR}namespaces_setns.sf`)),
    ...constructedRecords(),
  ].map(recordToJSON);
  const schemas: [string, number][] = [
    ['SysFlow.embedded.hdr1000.3950de67.avsc', 9],
    ['SysFlow.embedded.hdr1000.4ab92298.avsc', 9],
    ['SysFlow.embedded.v2.969c7a7a.avsc', 10],
    ['SysFlow.embedded.v4.e684212d.avsc', 12],
    ['SysFlow.embedded.v5.5c7cdd7c.avsc', 12],
  ];
  for (const [schemaName, branches] of schemas) {
    for (const codec of ['deflate', 'null']) {
      it(`${schemaName} (${branches} branches), ${codec}`, () => {
        const schema = JSON.parse(readFileSync(`${EMBEDDED_DIR}${schemaName}`, 'utf8'));
        const names = new Set(schema.fields[0].type.map((b: { name: string }) => b.name));
        const container = schema.fields[0].type.find((b: { name: string }) => b.name === 'Container');
        const ctypes = new Set(
          container.fields.find((f: { name: string }) => f.name === 'type').type.symbols,
        );
        // Legacy ContainerType enums lack the newer symbols (CT_BPM, …): such records cannot be written.
        const input = records.filter(
          (r) => names.has(r.type) && (r.type !== 'Container' || ctypes.has(r.rec.type as string)),
        );
        expect(input.length).toBeGreaterThan(500);
        const file = join(tmp, `${schemaName}.${codec}.sf`);
        pythonWrite(`${EMBEDDED_DIR}${schemaName}`, codec, file, input);
        const python = pythonRead(file);
        const ours = readSysFlowSync(readBytes(file)).map(recordToJSON);
        expect(ours).toHaveLength(input.length);
        for (let i = 0; i < ours.length; i++) {
          const mine = ours[i]!;
          const theirs = python[i] as SysFlowRecordJSON;
          const original = input[i]!;
          expect(mine.type).toBe(original.type);
          for (const [field, value] of Object.entries(mine.rec)) {
            if (field in theirs.rec) {
              expect(value, `${mine.type}.${field}`).toEqual(theirs.rec[field]);
              expect(value, `${mine.type}.${field}`).toEqual(original.rec[field]);
            } else {
              expect(value, `default ${mine.type}.${field}`).toEqual(DEFAULTS[mine.type]?.[field]);
            }
          }
        }
      });
    }
  }
});
