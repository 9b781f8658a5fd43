import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonAvroRecords, sysray, TESTDATA } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sysray-convert-'));
const PAIRS = ['setuid_setuid', 'rename_rename', 'objectstore_ls'];

describe('sysray convert', () => {
  it.each(PAIRS)(
    '%s: writes the records SysFlow’s collector (exporter id "tests") wrote for the same capture',
    async (pair) => {
      const capture = `${TESTDATA}sysflow-pairs/${pair}.scap`;
      const out = join(dir, `${pair}.sf`);
      const { code, stdout, stderr } = await sysray([
        'convert',
        capture,
        '-o',
        out,
        '--json',
        '--exporter',
        'tests',
      ]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const ours = pythonAvroRecords(out);
      const theirs = pythonAvroRecords(`${TESTDATA}sysflow-pairs/${pair}.sf`);
      const withoutFilename = (r: { type: string; rec: Record<string, unknown> }) =>
        r.type === 'SFHeader' ? { ...r, rec: { ...r.rec, filename: '' } } : r;
      expect(ours.map(withoutFilename)).toEqual(theirs.map(withoutFilename));
      const summary = JSON.parse(stdout) as Record<string, unknown>;
      expect(summary.records).toBe(theirs.length);
      expect(summary.sysflowBytes).toBe(statSync(out).size);
      expect(summary.captureBytes).toBe(statSync(capture).size);
      expect(summary.ratio).toBeCloseTo(statSync(out).size / statSync(capture).size, 12);
    },
  );

  it('prints records written and the .sf/.scap size ratio as one line', async () => {
    const capture = `${TESTDATA}sysflow-pairs/setuid_setuid.scap`;
    const out = join(dir, 'line.sf');
    const { code, stdout } = await sysray(['convert', capture, '-o', out]);
    expect(code).toBe(0);
    const size = statSync(out).size;
    const percent = ((100 * size) / statSync(capture).size).toFixed(2);
    expect(stdout).toBe(
      `${out}: ${pythonAvroRecords(out).length} records, ${size} bytes = ${percent}% of ${capture} (${statSync(capture).size} bytes)\n`,
    );
  });

  it('exits 2 without -o and 1 for a missing capture', async () => {
    expect((await sysray(['convert', `${TESTDATA}sysflow-pairs/setuid_setuid.scap`])).code).toBe(2);
    const missing = await sysray(['convert', join(dir, 'nope.scap'), '-o', join(dir, 'x.sf')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});
