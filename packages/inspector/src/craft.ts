import { concatBytes } from '@sysray/pcapng';
/** Crafting captures from event descriptions (for rule tests and examples), with the scap encoder. */
import {
  EVENT_TABLE,
  encodeEvent,
  encodeEventBlock,
  encodeMachineInfoBlock,
  encodeProcessListBlock,
  encodeUserListBlock,
  eventTypesByName,
  PT,
  type ScapGroupInfo,
  type ScapParamInput,
  type ScapThreadInfo,
  type ScapUserInfo,
  scapSectionHeader,
} from '@sysray/pcapng/scap';
import { InspectorError } from './errors.js';
import { symbolicParam } from './symbols.js';

/** One event to write: a name, a direction and parameters by name (of the newest version of the type). */
export interface CraftEvent {
  /** Event name (`openat`, `execve`, …). */
  type: string;
  /** `<` exit (default) or `>` enter. */
  dir?: '>' | '<';
  /** Thread id. */
  tid: number;
  /** Timestamp in ns (number, bigint or decimal string); default: 1 µs after the previous event. */
  ts?: number | bigint | string;
  /**
   * Parameters by name. String lists become NUL-separated buffers (args, env, cgroups); flags may be names
   * (`'O_RDONLY|O_CLOEXEC'` or a list), fds and results `'AT_FDCWD'` or errno names (`'-ENOENT'`), integers
   * octal/hex strings (`'0644'`); other values are taken as the encoder takes them (numbers, strings,
   * `{family, sip, sport, dip, dport}` tuples, …).
   */
  params?: Record<string, unknown>;
}

/** A process-list entry: `tid` and whatever else differs from the defaults (bash, root, `/`). */
export type CraftThread = Partial<ScapThreadInfo> & { tid: number };

/** What {@link craftCapture} writes. */
export interface CraftSpec {
  /** Threads of the process list block. */
  threads?: CraftThread[];
  /** Users and groups of the user list block. */
  users?: (Partial<ScapUserInfo> & { uid: number; name: string })[];
  groups?: ScapGroupInfo[];
  /** Host name of the machine info block. */
  hostname?: string;
  /** Events, in order. */
  events: CraftEvent[];
  /** Events without a timestamp come 1 µs after the previous one, the first 1 µs after this (default 2024-01-01T00:00:00Z). */
  startTs?: bigint;
}

const UTF8 = new TextEncoder();

/** The newest event type id of an event name and direction. */
export function eventTypeId(name: string, dir: '>' | '<' = '<'): number {
  const ids = eventTypesByName(name).filter((t) => (t & 1) === (dir === '>' ? 0 : 1));
  const id = ids[ids.length - 1];
  if (id === undefined) throw new InspectorError('BAD_SPEC', `unknown event ${dir}${name}`);
  return id;
}

function toParam(type: number, v: unknown): ScapParamInput {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v) && (type === PT.BYTEBUF || type === PT.CHARBUFARRAY)) {
    if (type === PT.CHARBUFARRAY) return v.map(String);
    return UTF8.encode(v.map((s) => `${String(s)}\0`).join(''));
  }
  if (typeof v === 'string' && /^-?\d+n$/.test(v)) return BigInt(v.slice(0, -1));
  return v as ScapParamInput;
}

function paramsOf(type: number, byName: Record<string, unknown>): ScapParamInput[] {
  const info = EVENT_TABLE[type]!;
  for (const k of Object.keys(byName))
    if (!info.params.some((p) => p.name === k))
      throw new InspectorError(
        'BAD_SPEC',
        `event ${info.name} has no parameter '${k}' (it has ${info.params.map((p) => p.name).join(', ')})`,
      );
  let last = -1;
  info.params.forEach((p, i) => {
    if (p.name in byName) last = i;
  });
  const out: ScapParamInput[] = [];
  for (let i = 0; i <= last; i++) {
    const p = info.params[i]!;
    out.push(toParam(p.type, symbolicParam(p, byName[p.name])));
  }
  return out;
}

function thread(t: CraftThread): ScapThreadInfo {
  return {
    pid: t.tid,
    ptid: 1,
    comm: 'bash',
    exe: '/bin/bash',
    exepath: '/bin/bash',
    args: [],
    cwd: '/',
    fdlimit: 1024,
    flags: 0,
    uid: 0,
    gid: 0,
    sid: t.tid,
    vpgid: t.tid,
    vtid: t.tid,
    vpid: t.pid ?? t.tid,
    env: [],
    cgroups: [],
    loginuid: -1,
    exeWritable: false,
    capInheritable: 0n,
    capPermitted: 0n,
    capEffective: 0n,
    ...t,
  };
}

function toTs(v: number | bigint | string): bigint {
  return typeof v === 'bigint' ? v : BigInt(typeof v === 'string' ? v.replace(/n$/, '') : Math.trunc(v));
}

/**
 * Writes a Falco capture (uncompressed `.scap` bytes) holding a machine info block, a process list, a user
 * list and the given events, with the scap encoder.
 * @throws InspectorError `BAD_SPEC` for unknown events or parameters, or values the encoder rejects.
 */
export function craftCapture(spec: CraftSpec): Uint8Array {
  const parts: Uint8Array[] = [scapSectionHeader()];
  parts.push(
    encodeMachineInfoBlock({
      numCpus: 1,
      memorySizeBytes: 1 << 30,
      maxPid: 32768,
      hostname: spec.hostname ?? 'test-host',
      extra: [],
    }),
  );
  if (spec.threads && spec.threads.length > 0) parts.push(encodeProcessListBlock(spec.threads.map(thread)));
  if ((spec.users?.length ?? 0) > 0 || (spec.groups?.length ?? 0) > 0) {
    const users = (spec.users ?? []).map((u) => ({ gid: u.uid, homedir: '/', shell: '/bin/sh', ...u }));
    parts.push(encodeUserListBlock(users, spec.groups ?? []));
  }
  let ts = spec.startTs ?? 1_704_067_200_000_000_000n;
  spec.events.forEach((e, i) => {
    try {
      ts = e.ts !== undefined ? toTs(e.ts) : ts + 1000n;
      const type = eventTypeId(e.type, e.dir ?? '<');
      parts.push(
        encodeEventBlock(encodeEvent({ type, ts, tid: e.tid, params: paramsOf(type, e.params ?? {}) })),
      );
    } catch (error) {
      throw new InspectorError('BAD_SPEC', `event ${i + 1} (${e.type}): ${(error as Error).message}`, {
        eventNum: i + 1,
        cause: error,
      });
    }
  });
  return concatBytes(parts);
}
