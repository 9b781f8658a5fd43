import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { flattenRecordJSON } from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import { PYTHON, pythonAvroRecords, sysflowFiles, sysray, TESTDATA } from './helpers.js';

/** What the reader fills in for v5 fields an older writer schema lacks (sysflow-format's documented defaults). */
const V5_DEFAULTS: Record<string, Record<string, unknown>> = {
  SFHeader: { ip: 'NA', filename: '' },
  Container: { podId: null },
  Process: { entry: false, cwd: '', env: [] },
};

const TAGS: Record<string, string> = {
  SFHeader: 'H',
  Container: 'C',
  Process: 'P',
  File: 'F',
  ProcessEvent: 'PE',
  NetworkFlow: 'NF',
  FileFlow: 'FF',
  FileEvent: 'FE',
  NetworkEvent: 'NE',
  ProcessFlow: 'PF',
  Pod: 'POD',
  K8sEvent: 'KE',
};

const files = sysflowFiles();
const dir = mkdtempSync(join(tmpdir(), 'sysray-print-'));

async function lines(argv: string[]): Promise<string[]> {
  const { code, stdout, stderr } = await sysray(argv);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout.split('\n').slice(0, -1);
}

describe('sysray print --json', () => {
  it('finds the 9 SysFlow files of the test data (7 schema v5, 2 older)', () => {
    expect(files).toHaveLength(9);
  });

  it.each(files.map((f) => [basename(f), f] as const))(
    '%s: the same records in the same order as python3-avro reads them',
    async (_, file) => {
      // Flat lines: `type` is the record's schema name, then its fields (Container's own type as containerType).
      const ours = (await lines(['print', file, '--json'])).map(
        (l) => JSON.parse(l) as { type: string; [field: string]: unknown },
      );
      const python = pythonAvroRecords(file);
      expect(python.length).toBeGreaterThan(0);
      expect(ours.length).toBe(python.length);
      if (Number(ours[0]!.version) === 5) {
        expect(ours).toEqual(python.map((r) => flattenRecordJSON(r as never)));
        return;
      }
      // An older writer schema: the record is printed in the v5 shape; fields both have agree.
      ours.forEach((mine, i) => {
        const theirs = flattenRecordJSON(python[i]! as never) as Record<string, unknown>;
        expect(mine.type).toBe(theirs.type);
        for (const [field, value] of Object.entries(mine)) {
          if (field === 'type') continue;
          if (field in theirs) expect(value, `${mine.type}.${field} #${i}`).toEqual(theirs[field]);
          else expect(value, `default of ${mine.type}.${field}`).toEqual(V5_DEFAULTS[mine.type]?.[field]);
        }
      });
    },
  );
});

describe('sysray print (text and CSV)', () => {
  it.each(files.map((f) => [basename(f), f] as const))(
    '%s: one text line per record, with the record’s type tag',
    async (_, file) => {
      const text = await lines(['print', file]);
      const python = pythonAvroRecords(file);
      expect(text.length).toBe(python.length);
      text.forEach((line, i) => {
        expect(line.split(' ')[1]).toBe(TAGS[python[i]!.type]);
      });
    },
  );

  it.each(files.map((f) => [basename(f), f] as const))(
    '%s: CSV that python’s csv module reads as a header and one row per record',
    async (_, file) => {
      const { code, stdout } = await sysray(['print', file, '--csv']);
      expect(code).toBe(0);
      const out = join(dir, `${basename(file)}.csv`);
      writeFileSync(out, stdout);
      const rows = JSON.parse(
        execFileSync(
          PYTHON,
          [
            '-c',
            'import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="")))))',
            out,
          ],
          { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
        ),
      ) as string[][];
      const python = pythonAvroRecords(file);
      expect(rows.length).toBe(python.length + 1);
      expect(rows[0]![0]).toBe('type');
      for (const row of rows) expect(row.length).toBe(rows[0]!.length);
      rows.slice(1).forEach((row, i) => {
        expect(row[0]).toBe(TAGS[python[i]!.type]);
      });
    },
  );
});

describe('sysray print errors', () => {
  it('refuses --json with --csv (usage error, exit 2)', async () => {
    const { code, stdout, stderr } = await sysray(['print', files[0]!, '--json', '--csv']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--json and --csv cannot be used together');
  });

  it('reports a truncated file as one line with the error code and exits 1', async () => {
    const bytes = readFileSync(`${TESTDATA}sysflow-traces/shellshock.sf`);
    const cut = join(dir, 'truncated.sf');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const { code, stderr } = await sysray(['print', cut]);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stderr).toMatch(/^sysray: [A-Z_]+: .*truncated\.sf/);
  });

  it('reports a missing file as one line and exits 1', async () => {
    const { code, stderr } = await sysray(['print', join(dir, 'missing.sf')]);
    expect(code).toBe(1);
    expect(stderr).toBe(`sysray: ENOENT: no such file (${join(dir, 'missing.sf')})\n`);
  });

  it('--help shows the formats and examples', async () => {
    const { code, stdout } = await sysray(['print', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: sysray print [options] FILE');
    expect(stdout).toContain('--csv');
    expect(stdout).toContain('Examples:');
  });
});
