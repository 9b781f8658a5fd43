import { resolveField } from '@sysray/falco-rules';
import { describe, expect, it } from 'vitest';
import { craftCapture, filterEvents, syscallFieldSets } from '../../src/index.js';

async function rows(capture: Uint8Array, fields: string, showAllEvents: boolean): Promise<string[]> {
  // `evt.num` and the fields through a filter that reads them (fields are extracted as a rule would).
  const out: string[] = [];
  const names = fields.split(' ');
  const ex = names.map((n) => {
    const r = resolveField(syscallFieldSets(), n, undefined)!;
    return r.fieldSet.extractor(r.def, r.arg);
  });
  for await (const c of filterEvents(capture, '', { showAllEvents }))
    out.push(`${c.num} ${c.ev.name} ${ex.map((e) => String(e(c))).join(' ')}`);
  return out;
}

describe('thread.cpu* from procinfo events', () => {
  const capture = craftCapture({
    threads: [
      { tid: 100, comm: 'busy' },
      { tid: 200, comm: 'idle' },
    ],
    events: [
      { type: 'procinfo', dir: '>', tid: 100, params: { cpu_usr: 1000, cpu_sys: 500 } },
      { type: 'procinfo', dir: '>', tid: 200, params: { cpu_usr: 7, cpu_sys: 1 } },
      { type: 'close', tid: 100, params: { res: 0 } },
      { type: 'procinfo', dir: '>', tid: 100, params: { cpu_usr: 1060, cpu_sys: 520 } },
      { type: 'procinfo', dir: '>', tid: 200, params: { cpu_usr: 7, cpu_sys: 2 } },
      { type: 'procinfo', dir: '>', tid: 100, params: { cpu_usr: 1160, cpu_sys: 600 } },
    ],
  });

  it('are the ticks used since the thread’s previous procinfo (0 on its first, capped at 100), on procinfo events only', async () => {
    expect(await rows(capture, 'thread.cpu thread.cpu.user thread.cpu.system', true)).toEqual([
      '1 procinfo 0 0 0',
      '2 procinfo 0 0 0',
      '3 close undefined undefined undefined',
      '4 procinfo 80 60 20',
      '5 procinfo 1 0 1',
      '6 procinfo 100 100 80',
    ]);
  });

  it('leave procinfo events hidden from rules, as libsinsp’s internal events are', async () => {
    expect(await rows(capture, 'thread.cpu', false)).toEqual(['3 close undefined']);
  });
});

describe('thread.exectime and thread.totexectime from switch events', () => {
  const T = 1_704_067_200_000_000_000n;
  const sw = (tid: number, ts: bigint, next: number) => ({
    type: 'switch',
    dir: '>' as const,
    tid,
    ts,
    params: { next },
  });
  const capture = craftCapture({
    threads: [
      { tid: 100, comm: 'a' },
      { tid: 200, comm: 'b' },
    ],
    events: [
      sw(100, T + 1000n, 200),
      sw(200, T + 4000n, 100),
      { type: 'close', tid: 100, ts: T + 5000n, params: { res: 0 } },
      sw(100, T + 9000n, 200),
      sw(200, T + 9500n, 100),
    ],
  });

  it('give the time since the CPU’s previous switch, summed per switched-out thread, on switch events only', async () => {
    expect(await rows(capture, 'thread.tid thread.exectime thread.totexectime', false)).toEqual([
      '1 switch 100 0 0',
      '2 switch 200 3000 3000',
      '3 close 100 undefined undefined',
      '4 switch 100 5000 5000',
      '5 switch 200 500 3500',
    ]);
  });
});
