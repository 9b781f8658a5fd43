import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_TABLE, readScap, readScapSync, ScapEvent, writeScap } from '@sysray/pcapng/scap';
import { describe, expect, test } from 'vitest';
import { capture, eventBlock, sample } from './build.js';
import { captureFiles } from './helpers.js';

// Debian's tshark dissects sysdig event blocks 0x204, 0x216 and 0x221 (not EVF). CI installs it; without it
// this test fails rather than skipping.
const TSHARK = process.env.TSHARK ?? '/usr/bin/tshark';

/** [event type, thread id] per frame as tshark dissects them. */
function tsharkEvents(file: string): [number, number][] {
  const out = execFileSync(
    TSHARK,
    ['-r', file, '-T', 'fields', '-e', 'sysdig.event_type', '-e', 'sysdig.thread_id'],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [type = '', tid = ''] = l.split('\t');
      // tshark prints the tid as an unsigned 64-bit number; an undissected frame has empty fields (NaN).
      return [
        type === '' ? Number.NaN : Number(type),
        tid === '' ? Number.NaN : Number(BigInt.asIntN(64, BigInt(tid))),
      ];
    });
}

function ours(bytes: Uint8Array): [number, number][] {
  const { batch } = readScapSync(bytes);
  const ev = new ScapEvent();
  const out: [number, number][] = [];
  for (let i = 0; i < batch.count; i++) {
    ev.load(batch, i);
    out.push([ev.type, ev.tid]);
  }
  return out;
}

describe('tshark oracle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scap-tshark-'));

  for (const file of captureFiles()) {
    const name = file.split('/').pop()!;
    test(`${name}: tshark opens our rewrite with the same event count, types and tids`, async () => {
      const out = join(dir, name);
      const written = await writeScap(readScap(file), out, 'encode');
      const theirs = tsharkEvents(out);
      expect(theirs.length).toBe(written.events);
      expect(theirs).toEqual(ours(new Uint8Array(readFileSync(out))));
    });
  }

  test('tshark reads an encoder-made capture holding one event of every type with our types and tids', () => {
    const blocks = EVENT_TABLE.map((e) =>
      eventBlock({
        type: e.type,
        ts: 1_000 + e.type,
        tid: 100 + e.type,
        params: e.params.map((p, i) => sample(p.type, i).input),
      }),
    );
    const bytes = capture(...blocks);
    const file = join(dir, 'every-type.scap');
    writeFileSync(file, bytes);
    const theirs = tsharkEvents(file);
    const mine = ours(bytes);
    expect(theirs.length).toBe(mine.length);
    // tshark 4.0 leaves a frame undissected when its own (older) table cannot parse the event; every frame it
    // does dissect must agree with us, and those must be nearly all of them.
    const dissected = theirs.map((t, i) => [t, mine[i]!] as const).filter(([t]) => !Number.isNaN(t[0]));
    for (const [t, m] of dissected) expect(t).toEqual(m);
    expect(dissected.length).toBeGreaterThan(mine.length * 0.98);
  });
});
