import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SysFlowRecord, SysFlowRecordJSON } from '@sysray/sysflow-format';

/** `../shared/testdata/` next to the repository root (CI clones the repo with `shared/` as its sibling). */
export const TESTDATA = fileURLToPath(new URL('../../../../../shared/testdata/', import.meta.url));
export const PAIRS_DIR = `${TESTDATA}sysflow-pairs/`;
export const TRACES_DIR = `${TESTDATA}sysflow-traces/`;
export const AVSC_DIR = `${TESTDATA}reference/sysflow-avsc/`;
export const EMBEDDED_DIR = `${AVSC_DIR}embedded-in-samples/`;

const ORACLE = fileURLToPath(new URL('../oracle/', import.meta.url));
/** Debian's python3-avro lives under /usr/bin/python3 (a python3 earlier on PATH may not see it). */
export const PYTHON = '/usr/bin/python3';

/** Every sample `.sf` file: `[name, path]`. */
export function sampleFiles(): [string, string][] {
  const out: [string, string][] = [];
  for (const dir of [PAIRS_DIR, TRACES_DIR]) {
    for (const name of readdirSync(dir).sort()) if (name.endsWith('.sf')) out.push([name, `${dir}${name}`]);
  }
  return out;
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Fails loudly (never skips) when the oracle is missing. */
export function requirePythonAvro(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import avro, avro.datafile, avro.io'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `python3-avro is required for these tests (apt-get install python3-avro): ${probe.stderr || probe.error}`,
    );
  }
}

/** Records of an Avro file as Apache's python implementation reads them (writer schema, JSON shape). */
export function pythonRead(path: string): SysFlowRecordJSON[] {
  const out = execFileSync(PYTHON, [`${ORACLE}read_avro.py`, path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as SysFlowRecordJSON);
}

/** Header facts python sees: codec and writer schema. */
export function pythonMeta(path: string): { codec: string; schema: unknown } {
  return JSON.parse(execFileSync(PYTHON, [`${ORACLE}read_avro.py`, '--meta', path], { encoding: 'utf8' }));
}

/** Has python write `records` (JSON shape) with a writer schema file and codec. */
export function pythonWrite(
  schemaPath: string,
  codec: string,
  out: string,
  records: SysFlowRecordJSON[],
): void {
  execFileSync(PYTHON, [`${ORACLE}write_avro.py`, schemaPath, codec, out], {
    input: records.map((r) => JSON.stringify(r)).join('\n'),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
}

const foid = (seed: number) => Buffer.from(Array.from({ length: 20 }, (_, i) => (seed * 31 + i * 7) & 0xff));
const MAX = (1n << 63n) - 1n;
const MIN = -(1n << 63n);

/** Constructed records of all 12 branches, with edge values. */
export function constructedRecords(): SysFlowRecord[] {
  const oid = { createTS: MAX - 1n, hpid: 4_294_967_296n };
  return [
    {
      type: 'SFHeader',
      rec: { version: 5n, exporter: 'sysray-test', ip: '', filename: 'ünïcødé/路径/📁.sf' },
    },
    {
      type: 'Container',
      rec: {
        id: '',
        name: 'c',
        image: 'img:latest',
        imageid: '',
        type: 'CT_BPM',
        privileged: true,
        podId: null,
      },
    },
    {
      type: 'Container',
      rec: {
        id: 'c2',
        name: '名前',
        image: '',
        imageid: 'x',
        type: 'CT_DOCKER',
        privileged: false,
        podId: 'pod-1',
      },
    },
    {
      type: 'Process',
      rec: {
        state: 'CREATED',
        oid,
        poid: null,
        ts: MAX,
        exe: '/bin/😀',
        exeArgs: '',
        uid: -1,
        userName: '',
        gid: 2147483647,
        groupName: 'g',
        tty: true,
        containerId: null,
        entry: true,
        cwd: '',
        env: [],
      },
    },
    {
      type: 'Process',
      rec: {
        state: 'MODIFIED',
        oid: { createTS: MIN, hpid: -1n },
        poid: oid,
        ts: MIN,
        exe: 'a',
        exeArgs: 'b c',
        uid: -2147483648,
        userName: 'root',
        gid: 0,
        groupName: '',
        tty: false,
        containerId: 'c2',
        entry: false,
        cwd: '/tmp',
        env: ['A=1', '', 'Ω=ω'],
      },
    },
    {
      type: 'File',
      rec: { state: 'REUP', oid: foid(1), ts: 0n, restype: 102, path: '', containerId: null },
    },
    {
      type: 'File',
      rec: { state: 'CREATED', oid: foid(2), ts: -1n, restype: 0, path: '/x/ÿ', containerId: 'c2' },
    },
    {
      type: 'ProcessEvent',
      rec: { procOID: oid, ts: 1n, tid: MAX, opFlags: 1 << 20, args: [], ret: -2147483648 },
    },
    {
      type: 'ProcessEvent',
      rec: { procOID: oid, ts: 2n, tid: 0n, opFlags: 0, args: ['', 'arg with spaces', '日本'], ret: 0 },
    },
    {
      type: 'NetworkFlow',
      rec: {
        procOID: oid,
        ts: 1553543282832225890n,
        tid: 13824n,
        opFlags: 2880,
        endTs: MAX,
        sip: 16777343,
        sport: 40556,
        dip: -1,
        dport: 65535,
        proto: 6,
        fd: -1,
        numRRecvOps: 0n,
        numWSendOps: MAX,
        numRRecvBytes: MIN,
        numWSendBytes: 80n,
      },
    },
    {
      type: 'FileFlow',
      rec: {
        procOID: oid,
        ts: 3n,
        tid: 3n,
        opFlags: 9600,
        openFlags: 4097,
        endTs: 4n,
        fileOID: foid(1),
        fd: 3,
        numRRecvOps: 1n,
        numWSendOps: 0n,
        numRRecvBytes: 832n,
        numWSendBytes: 0n,
      },
    },
    {
      type: 'FileEvent',
      rec: { procOID: oid, ts: 5n, tid: 5n, opFlags: 1 << 20, fileOID: foid(1), ret: 0, newFileOID: foid(2) },
    },
    {
      type: 'FileEvent',
      rec: { procOID: oid, ts: 6n, tid: 6n, opFlags: 1 << 18, fileOID: foid(2), ret: -2, newFileOID: null },
    },
    {
      type: 'NetworkEvent',
      rec: {
        procOID: oid,
        ts: 7n,
        tid: 7n,
        opFlags: 64,
        sip: 0,
        sport: 0,
        dip: 2147483647,
        dport: 443,
        proto: 17,
        ret: -111,
      },
    },
    {
      type: 'ProcessFlow',
      rec: {
        procOID: oid,
        ts: 8n,
        numThreadsCloned: 0n,
        opFlags: 1,
        endTs: 9n,
        numThreadsExited: MAX,
        numCloneErrors: MIN,
      },
    },
    {
      type: 'Pod',
      rec: {
        ts: 10n,
        id: 'pod-1',
        name: 'web',
        nodeName: 'node-ä',
        hostIP: [],
        internalIP: [3232235777n, MAX, MIN],
        namespace: 'default',
        restartCount: 0n,
        labels: {},
        selectors: { app: 'web', ключ: 'значение', '': '' },
        services: [
          {
            name: 's',
            id: 'sid',
            namespace: 'default',
            portList: [
              { port: 80, targetPort: 8080, nodePort: 0, proto: 'TCP' },
              { port: -1, targetPort: 2147483647, nodePort: -2147483648, proto: '' },
            ],
            clusterIP: [167772161n],
          },
          { name: '', id: '', namespace: '', portList: [], clusterIP: [] },
        ],
      },
    },
    {
      type: 'Pod',
      rec: {
        ts: MIN,
        id: '',
        name: '',
        nodeName: '',
        hostIP: [],
        internalIP: [],
        namespace: '',
        restartCount: MAX,
        labels: { a: '' },
        selectors: {},
        services: [],
      },
    },
    { type: 'K8sEvent', rec: { kind: 'K8S_UNKNOWN', action: 'K8S_COMPONENT_ADDED', ts: MAX, message: '' } },
    {
      type: 'K8sEvent',
      rec: { kind: 'K8S_NODES', action: 'K8S_COMPONENT_UNKNOWN', ts: -5n, message: 'pod "x" ✓ \n\t"quoted"' },
    },
  ];
}
