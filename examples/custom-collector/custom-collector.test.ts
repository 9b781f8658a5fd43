import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeUnavailable } from '@sysray/probe-native';
import {
  fileOID,
  ipv4ToInt,
  type ProcessEvent,
  readSysFlowSync,
  recordToJSON,
  resolveRecords,
  SysFlowOpFlags,
  type SysFlowRecord,
  type SysFlowRecordJSON,
  toHex,
} from '@sysray/sysflow-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorResult, runCollector } from './collector.js';
import { fileStamp, RotatingSysFlowFiles } from './rotating-files.js';

const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'sysray-custom-collector-')));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HEADER: SysFlowRecord = {
  type: 'SFHeader',
  rec: { version: 5n, exporter: 'test', ip: '', filename: '' },
};
const EVENT: SysFlowRecord = {
  type: 'ProcessEvent',
  rec: { procOID: { createTS: 1n, hpid: 2n }, ts: 3n, tid: 2n, opFlags: 1, args: [], ret: 0 },
};

describe('RotatingSysFlowFiles (the rotation policy)', () => {
  it('names files by time and sequence, and renames each from .part to .sf when complete', async () => {
    const dir = join(tmp, 'names');
    const files = new RotatingSysFlowFiles({ dir, prefix: 'node1' });
    const at = Date.UTC(2026, 10, 23, 17, 15, 10, 123);
    const path = files.open(at);
    expect(basename(path)).toBe('node1-20261123T171510.123Z-0000.sf');
    await files.write([HEADER]);
    const closed = await files.close(at + 5, 'end');
    expect(closed).toMatchObject({ path, records: 1, openedAt: at, closedAt: at + 5, reason: 'end' });
    expect(readdirSync(dir)).toEqual([basename(path)]);
    expect(readSysFlowSync(readFileSync(path))).toEqual([HEADER]);
    expect(basename(files.open(at))).toBe('node1-20261123T171510.123Z-0001.sf');
    await files.close(at, 'end');
    expect(fileStamp(0)).toBe('19700101T000000.000Z');
  });

  it('is due by seconds, records (pending ones counted) and bytes, and not before', async () => {
    const bySeconds = new RotatingSysFlowFiles({ dir: join(tmp, 'seconds'), seconds: 2 });
    expect(bySeconds.due(0)).toBeUndefined(); // nothing open
    bySeconds.open(1000);
    expect(bySeconds.due(2999)).toBeUndefined();
    expect(bySeconds.due(3000)).toBe('seconds');
    await bySeconds.close(3000, 'seconds');

    const byRecords = new RotatingSysFlowFiles({ dir: join(tmp, 'records'), records: 3 });
    byRecords.open(0);
    await byRecords.write([HEADER, EVENT]);
    expect(byRecords.due(0)).toBeUndefined();
    expect(byRecords.due(0, 1)).toBe('records');
    await byRecords.write([EVENT]);
    expect(byRecords.due(0)).toBe('records');
    await byRecords.close(0, 'records');

    // The Avro file header (the schema) is written at once; records go out in blocks of at most a quarter
    // of the limit (uncompressed), so the file passes the limit by at most one block.
    const limit = 64 * 1024;
    const byBytes = new RotatingSysFlowFiles({ dir: join(tmp, 'bytes'), bytes: limit });
    byBytes.open(0);
    await byBytes.write([HEADER]);
    expect(byBytes.due(0)).toBeUndefined();
    // Records of random text, so that deflate cannot shrink them much.
    const noisy = (): SysFlowRecord => ({
      type: 'ProcessEvent',
      rec: { ...(EVENT.rec as ProcessEvent), args: [randomBytes(96).toString('base64')] },
    });
    while (!byBytes.due(0)) await byBytes.write(Array.from({ length: 16 }, noisy));
    const f = await byBytes.close(0, 'bytes');
    expect(f.bytes).toBeGreaterThanOrEqual(limit);
    expect(f.bytes).toBeLessThan(limit + limit / 4);
    expect(readSysFlowSync(readFileSync(f.path))).toHaveLength(f.records);
  });

  it('rejects limits that are not positive numbers', () => {
    expect(() => new RotatingSysFlowFiles({ dir: join(tmp, 'bad'), seconds: 0 })).toThrow(
      /seconds must be a positive/,
    );
    expect(() => new RotatingSysFlowFiles({ dir: join(tmp, 'bad'), bytes: Number.NaN })).toThrow(/bytes/);
    expect(() => new RotatingSysFlowFiles({ dir: join(tmp, 'bad'), records: -1 })).toThrow(/records/);
  });
});

// The live run needs the probe: root (or CAP_BPF + CAP_PERFMON). Under CI it must run.
const unavailable = probeUnavailable();
if (unavailable && process.env.CI)
  throw new Error(
    `custom-collector: the live test cannot run under CI: ${unavailable.message} (CI runs as root)`,
  );
if (unavailable) console.warn(`custom-collector: skipping the live collector test: ${unavailable.message}`);

/**
 * The scripted workload: writes a file, renames it, connects to a loopback listener and sends 4 bytes,
 * pausing longer than the rotation interval between the steps so that they land in different files.
 */
const WORKLOAD = `
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
const [port, dir, pause] = process.argv.slice(2);
const fd = openSync(dir + '/collector-a.txt', 'w');
writeSync(fd, 'sysray collector data');
closeSync(fd);
await sleep(Number(pause));
renameSync(dir + '/collector-a.txt', dir + '/collector-b.txt');
await sleep(Number(pause));
await new Promise((resolve, reject) => {
  const s = connect(Number(port), '127.0.0.1', () => s.end('ping'));
  s.on('close', resolve);
  s.on('error', reject);
});
`;
const DATA_BYTES = 'sysray collector data'.length;
const ROTATE_SECONDS = 1;
const PAUSE_MS = 1300;

/** Debian's python3-avro (Apache's Avro implementation), as the sysflow-format tests use it. */
const PYTHON = '/usr/bin/python3';
const READ_AVRO = fileURLToPath(
  new URL('../../packages/sysflow-format/test/oracle/read_avro.py', import.meta.url),
);

describe.skipIf(unavailable !== undefined)('custom collector, live (root)', () => {
  let work: string;
  let server: Server;
  let port: number;
  let result: CollectorResult;
  let files: { path: string; records: SysFlowRecord[] }[];

  beforeAll(async () => {
    work = join(tmp, 'work');
    rmSync(work, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', work]);
    writeFileSync(join(work, 'workload.mjs'), WORKLOAD);
    server = createServer((s) => s.resume());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    result = await runCollector({
      outDir: join(tmp, 'out'),
      prefix: 'test',
      exporter: 'custom-collector-test',
      rotate: { seconds: ROTATE_SECONDS },
      command: [process.execPath, join(work, 'workload.mjs'), String(port), work, String(PAUSE_MS)],
      commandStdio: 'ignore',
      durationSeconds: 60,
    });
    files = result.files.map((f) => ({ path: f.path, records: readSysFlowSync(readFileSync(f.path)) }));
  });
  afterAll(() => server?.close());

  it('runs the command to its end and rotates on time into several complete files', () => {
    expect(result.command).toMatchObject({ code: 0, signal: null });
    expect(result.files.length).toBeGreaterThanOrEqual(3);
    expect(result.files.filter((f) => f.reason === 'seconds').length).toBeGreaterThanOrEqual(2);
    expect(result.files.at(-1)?.reason).toBe('end');
    expect(readdirSync(join(tmp, 'out')).sort()).toEqual(result.files.map((f) => basename(f.path)).sort());
    for (const [i, f] of result.files.entries()) {
      expect(files[i]!.records).toHaveLength(f.records);
      expect(readFileSync(f.path).length).toBe(f.bytes);
    }
  });

  it('each file is a standalone SysFlow file: its own SFHeader first, every flow and event resolvable in it', () => {
    for (const { path, records } of files) {
      expect(records[0]).toMatchObject({
        type: 'SFHeader',
        rec: { version: 5n, exporter: 'custom-collector-test', filename: basename(path) },
      });
      expect(records.filter((r) => r.type === 'SFHeader')).toHaveLength(1);
      for (const r of resolveRecords(records, { entities: false })) {
        const missing = r.unresolved.filter((u) => u === 'process' || u === 'file' || u === 'newFile');
        expect({ path: basename(path), record: recordToJSON(r.record), missing }).toMatchObject({
          missing: [],
        });
      }
    }
  });

  it("together the files hold the workload's process events, file flow, rename and network flow", () => {
    const pid = BigInt(result.command!.pid);
    const where = (match: (r: SysFlowRecord) => boolean) => files.findIndex((f) => f.records.some(match));
    const mine = (r: SysFlowRecord) =>
      r.type !== 'SFHeader' && 'procOID' in r.rec && r.rec.procOID.hpid === pid;
    const a = fileOID('', join(work, 'collector-a.txt'));
    const b = fileOID('', join(work, 'collector-b.txt'));

    const exec = where(
      (r) => mine(r) && r.type === 'ProcessEvent' && r.rec.opFlags === SysFlowOpFlags.OP_EXEC,
    );
    const exit = where(
      (r) => mine(r) && r.type === 'ProcessEvent' && r.rec.opFlags === SysFlowOpFlags.OP_EXIT,
    );
    const written = where(
      (r) =>
        mine(r) &&
        r.type === 'FileFlow' &&
        toHex(r.rec.fileOID) === toHex(a) &&
        (r.rec.opFlags & SysFlowOpFlags.OP_WRITE_SEND) !== 0 &&
        r.rec.numWSendBytes === BigInt(DATA_BYTES),
    );
    const renamed = where(
      (r) =>
        mine(r) &&
        r.type === 'FileEvent' &&
        r.rec.opFlags === SysFlowOpFlags.OP_RENAME &&
        toHex(r.rec.fileOID) === toHex(a) &&
        r.rec.newFileOID !== null &&
        toHex(r.rec.newFileOID) === toHex(b),
    );
    const connected = where(
      (r) =>
        mine(r) &&
        r.type === 'NetworkFlow' &&
        r.rec.dport === port &&
        r.rec.dip === ipv4ToInt('127.0.0.1') &&
        (r.rec.opFlags & SysFlowOpFlags.OP_CONNECT) !== 0 &&
        r.rec.numWSendBytes === 4n,
    );
    // (Events the probe dropped, if any, would explain a missing record.)
    expect(
      { exec, exit, written, renamed, connected },
      `probe stats ${JSON.stringify(result.stats)}`,
    ).toEqual({
      exec: expect.any(Number),
      exit: expect.any(Number),
      written: expect.any(Number),
      renamed: expect.any(Number),
      connected: expect.any(Number),
    });
    for (const i of [exec, exit, written, renamed, connected]) expect(i).toBeGreaterThanOrEqual(0);
    // The steps were further apart than the rotation interval: they are in successive files, and each of
    // those files writes the workload's process (and its files) again.
    expect(written).toBeLessThan(renamed);
    expect(renamed).toBeLessThan(connected);
    for (const i of [written, renamed, connected]) {
      const procs = files[i]!.records.filter((r) => r.type === 'Process' && r.rec.oid.hpid === pid);
      expect(procs.length).toBeGreaterThan(0);
      expect(procs.at(-1)).toMatchObject({ rec: { exe: process.execPath } });
    }
  });

  it("an output file reads the same with Apache's Avro implementation (python3-avro)", () => {
    const probe = spawnSync(PYTHON, ['-c', 'import avro.datafile, avro.io'], { encoding: 'utf8' });
    if (probe.status !== 0)
      throw new Error(
        `python3-avro is required (apt-get install python3-avro): ${probe.stderr || probe.error}`,
      );
    const { path, records } = files[1]!;
    const out = execFileSync(PYTHON, [READ_AVRO, path], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const python = out
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as SysFlowRecordJSON);
    expect(python).toEqual(records.map(recordToJSON));
  });
});
