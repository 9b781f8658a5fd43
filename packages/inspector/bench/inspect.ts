/**
 * Benchmark: events/s through the inspector alone and with the official ruleset, one core.
 *
 *   npx tsx bench/inspect.ts [--events 1000000] [--repeat 20] [--gen-repeat 1]
 *                            [--generated-only] [--rules-only | --inspector-only] [--capture-cache FILE]
 *                            [--testdata DIR]  (default ../shared/testdata next to the repository)
 *
 * `--capture-cache FILE` reads the generated capture from FILE when it exists (else generates it and writes
 * it there), so that repeated runs (and CPU profiles) skip the generation.
 *
 * Inputs: the SysFlow pairs' captures (each read once, then walked `--repeat` times from memory) and a
 * generated capture of `--events` syscall events (open/read/close/execve/connect mixes over 200 threads).
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type EventBatch,
  encodeEvent,
  encodeEventBlock,
  encodeProcessListBlock,
  eventTypesByName,
  readScapSync,
  type ScapCaptureInfo,
  type ScapThreadInfo,
  scapSectionHeader,
} from '@sysray/pcapng/scap';
import { Inspector, loadSyscallRules } from '../src/index.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = opt('events', 1_000_000);
const REPEAT = opt('repeat', 20);

const testdataIdx = args.indexOf('--testdata');
const testdata =
  testdataIdx >= 0
    ? args[testdataIdx + 1]!.replace(/\/?$/, '/')
    : fileURLToPath(new URL('../../../../shared/testdata/', import.meta.url));
const shared = (rel: string) => `${testdata}${rel}`;
/** Names of the SysFlow pairs: every `X.scap` there. */
const PAIRS = readdirSync(shared('sysflow-pairs'))
  .filter((f) => f.endsWith('.scap'))
  .map((f) => f.slice(0, -'.scap'.length))
  .sort();

const ruleset = loadSyscallRules([shared('falco-rules/falco_rules.yaml')]).ruleset!;

function id(name: string, dir: '>' | '<'): number {
  const ids = eventTypesByName(name).filter((t) => (t & 1) === (dir === '>' ? 0 : 1));
  return ids[ids.length - 1]!;
}

/** A generated capture: 200 threads, a realistic mix of file, network and process events. */
function generate(n: number): Uint8Array {
  const threads: ScapThreadInfo[] = [];
  for (let t = 1000; t < 1200; t++)
    threads.push({
      tid: t,
      pid: t,
      ptid: 1,
      comm: 'worker',
      exe: '/usr/bin/worker',
      exepath: '/usr/bin/worker',
      args: ['-x'],
      cwd: '/srv/',
      fdlimit: 1024,
      flags: 0,
      uid: 1000,
      gid: 1000,
      env: [],
      cgroups: [],
    });
  const parts: Uint8Array[] = [scapSectionHeader(), encodeProcessListBlock(threads)];
  const enc = new TextEncoder();
  const kinds = [
    (_tid: number, k: number) => [
      { type: id('openat', '<'), params: [3 + (k % 50), -100, `/srv/data/file${k % 97}.txt`, 1, 0, 0, 1] },
    ],
    (_tid: number, k: number) => [
      { type: id('read', '<'), params: [64, new Uint8Array(16), 3 + (k % 50), 64] },
    ],
    (_tid: number, k: number) => [
      { type: id('write', '<'), params: [64, new Uint8Array(16), 3 + (k % 50), 64] },
    ],
    (_tid: number, k: number) => [{ type: id('close', '<'), params: [0, 3 + (k % 50)] }],
    (_tid: number, k: number) => [
      {
        type: id('openat', '<'),
        params: [3 + (k % 50), -100, k % 11 === 0 ? '/etc/shadow' : '/etc/hosts', 1, 0, 0, 1],
      },
    ],
    (tid: number, _k: number) => [
      {
        type: id('execve', '<'),
        params: [
          0,
          '/bin/ls',
          enc.encode('-l\0'),
          tid,
          tid,
          1,
          '/srv',
          1024,
          0,
          0,
          0,
          0,
          0,
          'ls',
          enc.encode('cpuset=/\0'),
          enc.encode('A=1\0'),
          0,
          tid,
          1000,
        ],
      },
    ],
    (_tid: number, k: number) => [
      {
        type: id('connect', '<'),
        params: [
          0,
          { family: 'inet', sip: '10.0.0.1', sport: 40000 + (k % 1000), dip: '93.184.216.34', dport: 443 },
          3 + (k % 50),
        ],
      },
    ],
  ];
  let ts = 1_704_067_200_000_000_000n;
  for (let i = 0; i < n; i++) {
    const tid = 1000 + (i % 200);
    const mk =
      kinds[
        i % 10 < 3
          ? 1
          : i % 10 < 5
            ? 2
            : i % 10 < 7
              ? 0
              : i % 10 < 8
                ? 3
                : i % 10 < 9
                  ? 4
                  : i % 20 === 9
                    ? 5
                    : 6
      ]!;
    for (const e of mk(tid, i)) {
      ts += 1000n;
      parts.push(encodeEventBlock(encodeEvent({ type: e.type, ts, tid, params: e.params as never })));
    }
  }
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function run(
  batch: EventBatch,
  info: ScapCaptureInfo,
  withRules: boolean,
): { events: number; alerts: number } {
  const insp = new Inspector();
  insp.seed(info);
  let alerts = 0;
  const count = batch.count;
  for (let i = 0; i < count; i++) {
    const ctx = insp.process(batch, i);
    if (ctx && withRules && ruleset.evaluate(ctx)) alerts++;
  }
  return { events: count, alerts };
}

function measure(
  label: string,
  captures: { batch: EventBatch; info: ScapCaptureInfo }[],
  repeat: number,
): void {
  const modes = args.includes('--rules-only')
    ? [true]
    : args.includes('--inspector-only')
      ? [false]
      : [false, true];
  for (const withRules of modes) {
    // warm-up
    for (const c of captures) run(c.batch, c.info, withRules);
    let events = 0;
    let alerts = 0;
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let r = 0; r < repeat; r++)
      for (const c of captures) {
        const x = run(c.batch, c.info, withRules);
        events += x.events;
        alerts += x.alerts;
      }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1e6;
    console.log(
      `${label.padEnd(28)} ${withRules ? 'inspector + official rules' : 'inspector alone           '} ${(events / s / 1e6).toFixed(2)} M events/s wall, ${(events / cpu / 1e6).toFixed(2)} M/s CPU time  (${events} events, ${alerts} alerts, ${s.toFixed(2)} s)`,
    );
  }
}

const ONLY_GEN = args.includes('--generated-only');
const pairs = (ONLY_GEN ? [] : PAIRS).map((p) =>
  readScapSync(new Uint8Array(readFileSync(shared(`sysflow-pairs/${p}.scap`)))),
);
if (pairs.length > 0) measure(`sysflow pairs x${REPEAT}`, pairs, REPEAT);
const cacheIdx = args.indexOf('--capture-cache');
const cache = cacheIdx >= 0 ? args[cacheIdx + 1] : undefined;
let genBytes: Uint8Array;
if (cache && existsSync(cache)) genBytes = new Uint8Array(readFileSync(cache));
else {
  genBytes = generate(N);
  if (cache) writeFileSync(cache, genBytes);
}
const gen = readScapSync(genBytes);
measure(`generated ${N} events`, [gen], opt('gen-repeat', 1));
