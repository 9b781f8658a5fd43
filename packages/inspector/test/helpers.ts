/** Test helpers: test-data paths, captures crafted with the scap encoder, running an inspector. */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { concatBytes } from '@sysray/pcapng';
import {
  EVENT_TABLE,
  type EventBatch,
  encodeEvent,
  encodeEventBlock,
  encodeMachineInfoBlock,
  encodeProcessListBlock,
  encodeUserListBlock,
  eventTypesByName,
  readScapSync,
  type ScapGroupInfo,
  type ScapParamInput,
  type ScapThreadInfo,
  type ScapUserInfo,
  scapSectionHeader,
} from '@sysray/pcapng/scap';
import { type EventContext, Inspector, type InspectorOptions } from '../src/index.js';

/** The repository root (`/work/main`), from this file's location. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `../shared/testdata/<rel>`, next to the repository (as CI lays it out). */
export function testdata(rel: string): string {
  return fileURLToPath(new URL(`../../../../shared/testdata/${rel}`, import.meta.url));
}

/** Names of the SysFlow pairs (`X.scap` + `X.sf`): every `X.scap` of the directory. */
export const PAIRS = readdirSync(testdata('sysflow-pairs'))
  .filter((f) => f.endsWith('.scap'))
  .map((f) => f.slice(0, -'.scap'.length))
  .sort();

/** Process records of a `.sf` file, read by the python oracle. */
export function sfProcesses(sfPath: string): Record<string, unknown>[] {
  const script = fileURLToPath(new URL('./oracle/sf_processes.py', import.meta.url));
  const out = execFileSync('/usr/bin/python3', [script, sfPath], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The current (newest) event type id of an event name and direction. */
export function typeId(name: string, dir: '>' | '<'): number {
  const ids = eventTypesByName(name).filter((t) => (t & 1) === (dir === '>' ? 0 : 1));
  if (ids.length === 0) throw new Error(`no event type ${dir}${name}`);
  return ids[ids.length - 1]!;
}

/** One event of a crafted capture. */
export interface CraftedEvent {
  /** Event name, with `>`/`<` direction (default exit). */
  name: string;
  dir?: '>' | '<';
  tid: number;
  /** Parameters by position, or by name (missing ones empty), of the newest version of the event type. */
  params: ScapParamInput[] | Record<string, ScapParamInput>;
  /** Timestamp; default: 1 µs after the previous event. */
  ts?: bigint;
}

/** A process-list thread with defaults. */
export function plThread(t: Partial<ScapThreadInfo> & { tid: number }): ScapThreadInfo {
  return {
    pid: t.tid,
    ptid: 1,
    comm: 'bash',
    exe: '/bin/bash',
    exepath: '/bin/bash',
    args: [],
    cwd: '/root/',
    fdlimit: 1024,
    flags: 0,
    uid: 0,
    gid: 0,
    sid: t.tid,
    vpgid: t.tid,
    vtid: t.tid,
    vpid: t.pid ?? t.tid,
    env: ['HOME=/root'],
    cgroups: [],
    loginuid: 0,
    exeWritable: false,
    capInheritable: 0n,
    capPermitted: 0n,
    capEffective: 0n,
    ...t,
  };
}

/** Base timestamp of crafted captures (2024-01-01T00:00:00Z). */
export const T0 = 1_704_067_200_000_000_000n;

/** Positional parameters of event type `type` from values by name (missing ones empty). */
export function paramsByName(type: number, byName: Record<string, ScapParamInput>): ScapParamInput[] {
  const info = EVENT_TABLE[type];
  if (!info) throw new Error(`unknown event type ${type}`);
  const out: ScapParamInput[] = [];
  let last = -1;
  info.params.forEach((p, i) => {
    if (p.name in byName) last = i;
  });
  for (const k of Object.keys(byName))
    if (!info.params.some((p) => p.name === k)) throw new Error(`${info.name} has no parameter ${k}`);
  for (let i = 0; i <= last; i++) {
    const v = byName[info.params[i]!.name];
    out.push(v === undefined ? null : v);
  }
  return out;
}

/** NUL-separated strings as a byte buffer (args, env, cgroups of clone/execve events). */
export function nulList(items: string[]): Uint8Array {
  return new TextEncoder().encode(items.map((s) => `${s}\0`).join(''));
}

/** Builds a capture: section header, machine info, process list, user list, then the events. */
export function craftCapture(
  threads: ScapThreadInfo[],
  events: CraftedEvent[],
  users: { users: ScapUserInfo[]; groups: ScapGroupInfo[] } = { users: [], groups: [] },
): Uint8Array {
  const parts: Uint8Array[] = [scapSectionHeader()];
  parts.push(
    encodeMachineInfoBlock({
      numCpus: 1,
      memorySizeBytes: 1 << 30,
      maxPid: 32768,
      hostname: 'test-host',
      extra: [],
    }),
  );
  if (threads.length > 0) parts.push(encodeProcessListBlock(threads));
  if (users.users.length > 0 || users.groups.length > 0)
    parts.push(encodeUserListBlock(users.users, users.groups));
  let ts = T0;
  for (const e of events) {
    ts = e.ts ?? ts + 1000n;
    const type = typeId(e.name, e.dir ?? '<');
    const params = Array.isArray(e.params) ? e.params : paramsByName(type, e.params);
    parts.push(encodeEventBlock(encodeEvent({ type, ts, tid: e.tid, params })));
  }
  return concatBytes(parts);
}

/** Runs a capture through an inspector, calling `each` for every visible event. */
export function inspectSync(
  bytes: Uint8Array,
  each?: (ctx: EventContext) => void,
  options: InspectorOptions = {},
): Inspector {
  const { batch, info } = readScapSync(bytes);
  const insp = new Inspector(options);
  insp.seed(info);
  walk(insp, batch, each);
  return insp;
}

function walk(insp: Inspector, batch: EventBatch, each?: (ctx: EventContext) => void): void {
  for (let i = 0; i < batch.count; i++) {
    const c = insp.process(batch, i);
    if (c && each) each(c);
  }
}
