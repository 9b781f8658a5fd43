import {
  CONTAINER_TYPE_KEY,
  flattenRecordJSON,
  formatIPv4,
  formatOpFlags,
  formatSysFlowCSVHeader,
  formatSysFlowCSVRow,
  formatSysFlowJSON,
  formatSysFlowText,
  formatTimestamp,
  printSysFlow,
  readSysFlowSync,
  recordFromJSON,
  recordToJSON,
  resolveRecords,
  resolveSysFlow,
  SYSFLOW_CSV_COLUMNS,
} from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import { collect } from './helpers/streams.js';
import { constructedRecords, PAIRS_DIR, pythonRead, readBytes } from './helpers/testdata.js';

/** RFC 4180 parser for the tests. */
function parseCSV(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

const clientServer = `${PAIRS_DIR}client-server_tcp-client-server.sf`;

describe('value formatting', () => {
  it('op flags, IPv4, timestamps', () => {
    expect(formatOpFlags(2880)).toBe('CONNECT|READ_RECV|WRITE_SEND|TRUNCATE');
    expect(formatOpFlags(0)).toBe('-');
    expect(formatOpFlags((1 << 20) | (1 << 25))).toBe('RENAME|0x2000000');
    expect(formatIPv4(16777343)).toBe('127.0.0.1');
    expect(formatIPv4(-1)).toBe('255.255.255.255');
    expect(formatTimestamp(1553543280704111050n)).toBe('2019-03-25T19:48:00.704111050Z');
    expect(formatTimestamp(0n)).toBe('1970-01-01T00:00:00.000000000Z');
    expect(formatTimestamp(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
    expect(formatTimestamp((1n << 63n) - 1n)).toBe('2262-04-11T23:47:16.854775807Z');
    expect(formatTimestamp(-(1n << 63n))).toBe('1677-09-21T00:12:43.145224192Z');
  });
});

describe('sysprint-style output', () => {
  it('text: one line per record, with resolved process and file names', async () => {
    const lines = await collect(printSysFlow(resolveSysFlow(clientServer), 'text'));
    expect(lines).toHaveLength(23);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    expect(lines[0]).toBe(
      '- H version=5 exporter=tests ip= filename=/usr/local/sysflow/tests/client-server/tcp-client-server.sf',
    );
    const nf = lines.filter((l) => / NF /.test(l));
    expect(nf).toHaveLength(2);
    expect(nf[0]).toMatch(
      /^2019-03-25T19:48:02\.832225890Z NF CONNECT\|READ_RECV\|WRITE_SEND\|TRUNCATE 13824:13824 \S+.* tcp 127\.0\.0\.1:40556 -> 127\.0\.0\.1:8080 fd=3 r=80B\/1 w=80B\/1 end=2019-03-25T19:48:12\.823002683Z$/,
    );
    const ff = lines.find((l) => / FF /.test(l))!;
    expect(ff).toContain('/etc/ld.so.cache');
    expect(
      lines.some((l) => / P REUP 1 \/usr\/lib\/systemd\/systemd --system --deserialize 23 /.test(l)),
    ).toBe(true);
  });

  it('text for every branch, also unresolved', () => {
    const records = constructedRecords();
    const resolved = [...resolveRecords(records)].map(formatSysFlowText);
    const bare = records.map(formatSysFlowText);
    expect(resolved).toHaveLength(records.length);
    expect(bare.find((l) => / FF /.test(l))).toMatch(/ \? /); // process unknown without tables
    expect(resolved.find((l) => / FE /.test(l))).toMatch(/ -> \/x\/ÿ ret=0/);
    expect(resolved.find((l) => / KE /.test(l))).toContain('K8S_UNKNOWN K8S_COMPONENT_ADDED');
    expect(resolved.find((l) => / POD /.test(l))).toContain('pod-1 name=web namespace=default');
  });

  it('json: NDJSON lines equal python3-avro`s reading of the file', async () => {
    const lines = await collect(printSysFlow(resolveSysFlow(clientServer), 'json'));
    expect(lines.map((l) => JSON.parse(l))).toEqual(pythonRead(clientServer).map(flattenRecordJSON));
    expect(formatSysFlowJSON(readSysFlowSync(readBytes(clientServer))[0]!)).toBe(lines[0]);
    const first = JSON.parse(lines[0]!);
    expect(Object.keys(first)[0]).toBe('type');
    expect(first.type).toBe('SFHeader');
    expect(first.version).toBe('5');
    const nf = lines.map((l) => JSON.parse(l)).find((r) => r.type === 'NetworkFlow');
    expect(Object.keys(nf).slice(0, 3)).toEqual(['type', 'procOID', 'ts']);
  });

  it('json: a Container keeps its own type under containerType, and every line reads back', () => {
    const records = constructedRecords();
    const container = records.find((r) => r.type === 'Container')!;
    const flat = JSON.parse(formatSysFlowJSON(container));
    expect(flat.type).toBe('Container');
    expect(flat[CONTAINER_TYPE_KEY]).toBe((recordToJSON(container).rec as { type: string }).type);
    for (const r of records) {
      const line = JSON.parse(formatSysFlowJSON(r));
      expect(recordToJSON(recordFromJSON(line))).toEqual(recordToJSON(r));
    }
  });

  it('csv: header plus one row per record, same columns, quoting round-trips', async () => {
    const lines = await collect(printSysFlow(resolveSysFlow(clientServer), 'csv'));
    expect(lines[0]).toBe(formatSysFlowCSVHeader());
    expect(lines).toHaveLength(24);
    const rows = parseCSV(`${lines.join('\n')}\n`);
    expect(rows[0]).toEqual([...SYSFLOW_CSV_COLUMNS]);
    for (const row of rows) expect(row).toHaveLength(SYSFLOW_CSV_COLUMNS.length);
    const nf = rows.find((r) => r[0] === 'NF')!;
    expect(nf[SYSFLOW_CSV_COLUMNS.indexOf('resource')]).toBe('127.0.0.1:40556-127.0.0.1:8080/tcp');
    expect(nf[SYSFLOW_CSV_COLUMNS.indexOf('flow.wbytes')]).toBe('80');
    expect(nf[SYSFLOW_CSV_COLUMNS.indexOf('proc.pid')]).toBe('13824');

    const records = constructedRecords();
    const csv = [...resolveRecords(records)].map(formatSysFlowCSVRow);
    const parsed = parseCSV(`${csv.join('\n')}\n`);
    expect(parsed).toHaveLength(records.length);
    const ke = parsed.filter((r) => r[0] === 'KE')[1]!;
    expect(ke[SYSFLOW_CSV_COLUMNS.indexOf('resource')]).toBe(
      'K8S_NODES K8S_COMPONENT_UNKNOWN pod "x" ✓ \n\t"quoted"',
    );
  });

  it('recordToJSON shape: longs as strings, FOIDs as hex, nulls kept', () => {
    const json = constructedRecords().map(recordToJSON);
    const fe = json.find((r) => r.type === 'FileEvent' && r.rec.newFileOID === null)!;
    expect(typeof fe.rec.ts).toBe('string');
    expect(fe.rec.fileOID).toMatch(/^[0-9a-f]{40}$/);
    const p = json.find((r) => r.type === 'Process')!;
    expect(p.rec.ts).toBe('9223372036854775807');
    expect(p.rec.poid).toBeNull();
  });
});
