/** Synthetic SysFlow records for tests and the benchmark. */
import type { OID, Process, SysFlowRecord } from '@sysray/sysflow-format';

export const T0 = 1_700_000_000_000_000_000n;
export const SEC = 1_000_000_000n;

/** A 20-byte FOID from a number. */
export function foid(n: number): Uint8Array {
  const b = new Uint8Array(20);
  new DataView(b.buffer).setUint32(0, n);
  b[19] = 0xaa;
  return b;
}

export function oid(pid: number, createTS: bigint = T0): OID {
  return { createTS, hpid: BigInt(pid) };
}

/** A dotted IPv4 address as SysFlow stores it (first octet in the low byte). */
export function ip(dotted: string): number {
  const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
  return a | (b << 8) | (c << 16) | (d << 24) | 0;
}

export function proc(
  pid: number,
  exe: string,
  args: string,
  options: Partial<Process> & { parent?: OID | null; createTS?: bigint } = {},
): SysFlowRecord {
  const { parent = null, createTS = T0, ...rest } = options;
  return {
    type: 'Process',
    rec: {
      state: 'CREATED',
      oid: oid(pid, createTS),
      poid: parent,
      ts: createTS,
      exe,
      exeArgs: args,
      uid: 0,
      userName: 'root',
      gid: 0,
      groupName: 'root',
      tty: false,
      containerId: null,
      entry: false,
      cwd: '/',
      env: [],
      ...rest,
    },
  };
}

export function container(id: string, name: string, podId: string | null = null): SysFlowRecord {
  return {
    type: 'Container',
    rec: { id, name, image: `${name}:latest`, imageid: 'sha', type: 'CT_DOCKER', privileged: false, podId },
  };
}

export function file(n: number, path: string, containerId: string | null = null): SysFlowRecord {
  return { type: 'File', rec: { state: 'CREATED', oid: foid(n), ts: T0, restype: 102, path, containerId } };
}

export const OP = {
  CLONE: 1 << 0,
  EXEC: 1 << 1,
  EXIT: 1 << 2,
  ACCEPT: 1 << 5,
  CONNECT: 1 << 6,
  OPEN: 1 << 7,
  READ: 1 << 8,
  WRITE: 1 << 9,
  CLOSE: 1 << 10,
  UNLINK: 1 << 18,
  RENAME: 1 << 20,
} as const;

export function fileFlow(
  p: OID,
  n: number,
  ts: bigint,
  opFlags: number,
  rbytes = 0,
  wbytes = 0,
  endTs: bigint = ts,
): SysFlowRecord {
  return {
    type: 'FileFlow',
    rec: {
      procOID: p,
      ts,
      tid: p.hpid,
      opFlags,
      openFlags: 0,
      endTs,
      fileOID: foid(n),
      fd: 3,
      numRRecvOps: rbytes ? 1n : 0n,
      numWSendOps: wbytes ? 1n : 0n,
      numRRecvBytes: BigInt(rbytes),
      numWSendBytes: BigInt(wbytes),
    },
  };
}

export function fileEvent(
  p: OID,
  n: number,
  ts: bigint,
  opFlags: number,
  newFile: number | null = null,
): SysFlowRecord {
  return {
    type: 'FileEvent',
    rec: {
      procOID: p,
      ts,
      tid: p.hpid,
      opFlags,
      fileOID: foid(n),
      ret: 0,
      newFileOID: newFile === null ? null : foid(newFile),
    },
  };
}

export function netFlow(
  p: OID,
  ts: bigint,
  endTs: bigint,
  opFlags: number,
  src: [string, number],
  dst: [string, number],
  rbytes: number,
  wbytes: number,
): SysFlowRecord {
  return {
    type: 'NetworkFlow',
    rec: {
      procOID: p,
      ts,
      tid: p.hpid,
      opFlags,
      endTs,
      sip: ip(src[0]),
      sport: src[1],
      dip: ip(dst[0]),
      dport: dst[1],
      proto: 6,
      fd: 4,
      numRRecvOps: 1n,
      numWSendOps: 1n,
      numRRecvBytes: BigInt(rbytes),
      numWSendBytes: BigInt(wbytes),
    },
  };
}

export function procEvent(p: OID, ts: bigint, opFlags: number, ret = 0): SysFlowRecord {
  return { type: 'ProcessEvent', rec: { procOID: p, ts, tid: p.hpid, opFlags, args: [], ret } };
}

/**
 * A trace of `trees` web-server-like process trees, each with `workers` identical children reading
 * files and talking to a peer: deterministic, any size.
 */
export function* generateTrace(
  trees: number,
  workers: number,
  flowsPerWorker: number,
): Generator<SysFlowRecord> {
  let pid = 100;
  let fileId = 1;
  for (let t = 0; t < trees; t++) {
    const root = pid++;
    const createTS = T0 + BigInt(t) * SEC;
    yield proc(root, '/usr/sbin/httpd', '-DFOREGROUND', { createTS });
    const shared = fileId++;
    yield file(shared, `/var/www/index-${t}.html`);
    for (let w = 0; w < workers; w++) {
      const child = pid++;
      const cts = createTS + BigInt(w + 1) * 1000n;
      yield proc(child, '/usr/sbin/httpd', '-DFOREGROUND', { createTS: cts, parent: oid(root, createTS) });
      for (let f = 0; f < flowsPerWorker; f++) {
        const ts = cts + BigInt(f) * 1_000_000n;
        yield fileFlow(oid(child, cts), shared, ts, OP.OPEN | OP.READ | OP.CLOSE, 512, 0, ts + 1000n);
        yield netFlow(
          oid(child, cts),
          ts,
          ts + 5000n,
          OP.ACCEPT | OP.READ | OP.WRITE,
          [`10.0.${t & 255}.${w & 255}`, 40000 + f],
          ['172.17.0.2', 80],
          300,
          1200,
        );
      }
    }
  }
}
