import { readScap } from '@sysray/pcapng/scap';
import { describe, expect, it } from 'vitest';
import { Inspector, type ThreadInfo } from '../../src/index.js';
import { PAIRS, sfProcesses, testdata } from '../helpers.js';

interface SfProcess {
  oid: { hpid: number; createTS: number };
  ts: number;
  exe: string;
  exeArgs: string;
  uid: number;
  containerId: string | null;
  state: string;
  _index: number;
}

interface Seen {
  pid: number;
  exe: string;
  exeArgs: string;
  uid: number;
  containerId: string | null;
}

function view(t: ThreadInfo): Seen {
  return {
    pid: t.pid,
    exe: t.exepath,
    exeArgs: t.args.join(' '),
    uid: t.uid | 0, // 0xffffffff (unknown) is -1 in SysFlow
    containerId: t.containerId === '' ? null : t.containerId,
  };
}

function expected(r: SfProcess): Seen {
  return { pid: r.oid.hpid, exe: r.exe, exeArgs: r.exeArgs, uid: r.uid, containerId: r.containerId };
}

/**
 * Walks the capture and, at the timestamp of each SysFlow Process record, compares the record with the
 * inspector's view of that process (pid, exe, args, uid, container).
 */
async function compare(pair: string): Promise<{ checked: number; mismatches: string[] }> {
  // The avro timestamps go through JSON as doubles: compare at microsecond precision.
  const records = (sfProcesses(testdata(`sysflow-pairs/${pair}.sf`)) as unknown as SfProcess[]).sort(
    (a, b) => a.ts - b.ts,
  );
  const reader = readScap(testdata(`sysflow-pairs/${pair}.scap`));
  const insp = new Inspector({ showAllEvents: true });
  const mismatches: string[] = [];
  let next = 0;
  let last: Map<number, Seen | undefined> = new Map();
  const settle = (ts: number) => {
    // Records at or before `ts` whose event has passed: judge them by the last view taken at their time.
    while (next < records.length && records[next]!.ts < ts) {
      const r = records[next]!;
      const got = last.get(r._index);
      const want = expected(r);
      if (JSON.stringify(got) !== JSON.stringify(want))
        mismatches.push(
          `#${r._index} ${r.state} pid ${r.oid.hpid}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`,
        );
      next++;
    }
  };
  for await (const batch of reader) {
    insp.seed(reader.info);
    for (let i = 0; i < batch.count; i++) {
      const ctx = insp.process(batch, i)!;
      const ts = Number(ctx.ts);
      settle(ts - 1000);
      for (let k = next; k < records.length && records[k]!.ts <= ts + 1000; k++) {
        const r = records[k]!;
        if (Math.abs(r.ts - ts) > 1000) continue;
        const t = insp.threads.get(r.oid.hpid);
        const seen = t ? view(insp.threads.mainThread(t)) : undefined;
        // Keep the first view that matches; otherwise the latest.
        const prev = last.get(r._index);
        if (prev === undefined || JSON.stringify(prev) !== JSON.stringify(expected(r)))
          last.set(r._index, seen);
      }
    }
  }
  settle(Number.POSITIVE_INFINITY);
  last = new Map();
  return { checked: records.length, mismatches };
}

describe('state matches the SysFlow collector Process records', () => {
  for (const pair of PAIRS) {
    it(`every Process record of ${pair}.sf matches a process in the state at that time`, async () => {
      const { checked, mismatches } = await compare(pair);
      expect(checked).toBeGreaterThan(0);
      expect(mismatches).toEqual([]);
    });
  }
});
