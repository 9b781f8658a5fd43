import { readFileSync } from 'node:fs';
import {
  bigintLongType,
  buildSysFlowSchema,
  parseSchema,
  SYSFLOW_SCHEMA,
  SYSFLOW_SCHEMA_VERSION,
  SYSFLOW_TYPES,
} from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import { AVSC_DIR, EMBEDDED_DIR } from './helpers/testdata.js';

const upstream = JSON.parse(readFileSync(`${AVSC_DIR}SysFlow.avsc`, 'utf8'));
const embeddedV5 = JSON.parse(readFileSync(`${EMBEDDED_DIR}SysFlow.embedded.v5.5c7cdd7c.avsc`, 'utf8'));

describe('SysFlow schema v5', () => {
  it('equals sf-apis SysFlow.avsc and the schema embedded in v5 sample files (canonical form)', () => {
    const ours = parseSchema(SYSFLOW_SCHEMA);
    expect(ours.equals(parseSchema(upstream))).toBe(true);
    expect(ours.equals(parseSchema(embeddedV5))).toBe(true);
    // Same defaults as upstream too (the writer schema is written into every file we make).
    expect(JSON.parse(JSON.stringify(SYSFLOW_SCHEMA))).toEqual(upstream);
  });

  it('has the 12 union branches in upstream order', () => {
    const names = upstream.fields[0].type.map((b: { name: string }) => b.name);
    expect([...SYSFLOW_TYPES]).toEqual(names);
    expect(SYSFLOW_TYPES).toHaveLength(12);
    expect(SYSFLOW_SCHEMA_VERSION).toBe(5);
  });

  it('read schema only adds defaults (same canonical form)', () => {
    expect(parseSchema(buildSysFlowSchema(true)).equals(parseSchema(SYSFLOW_SCHEMA))).toBe(true);
  });

  it('parses every schema found in sample files', () => {
    for (const name of [
      'SysFlow.embedded.hdr1000.3950de67.avsc',
      'SysFlow.embedded.hdr1000.4ab92298.avsc',
      'SysFlow.embedded.v2.969c7a7a.avsc',
      'SysFlow.embedded.v4.e684212d.avsc',
    ]) {
      expect(() => parseSchema(JSON.parse(readFileSync(`${EMBEDDED_DIR}${name}`, 'utf8')))).not.toThrow();
    }
  });
});

describe('bigint long type', () => {
  const type = parseSchema('long');
  it('round-trips int64 edge values exactly', () => {
    for (const v of [0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n), 1553543280704111050n, 2n ** 53n + 1n]) {
      expect(type.fromBuffer(type.toBuffer(v))).toBe(v);
    }
  });
  it('rejects values outside int64 and non-bigints', () => {
    expect(type.isValid(1n << 63n)).toBe(false);
    expect(type.isValid(-(1n << 63n) - 1n)).toBe(false);
    expect(type.isValid(5)).toBe(false);
    expect(bigintLongType.isValid(5n)).toBe(true);
  });
  it('encodes as Avro zigzag varints', () => {
    expect([...type.toBuffer(-1n)]).toEqual([1]);
    expect([...type.toBuffer(64n)]).toEqual([0x80, 0x01]);
    expect(type.toBuffer((1n << 63n) - 1n)).toHaveLength(10);
  });
});
