import { join } from 'node:path';
import { readScap, ScapEvent, writeScap } from '@sysray/pcapng/scap';
import { jsonLinesSource, loadPlugin, runRulesOnPlugin } from '@sysray/plugin-api';
import { describe, expect, it } from 'vitest';
import { collect, plain } from './helpers/events.js';
import { scratch } from './helpers/native.js';

const file = join(import.meta.dirname, 'fixtures/cloudtrail.jsonl');
const rules = join(import.meta.dirname, 'fixtures/jsonl-rules.yaml');

describe('the JSON-lines source', () => {
  it('emits one event per non-blank line, stamped with the record time', async () => {
    const p = loadPlugin(jsonLinesSource());
    await p.init({ batchSize: 2 });
    const c = await p.open(file);
    const events = plain(await collect(c));
    expect(events).toHaveLength(5);
    expect(events[0]!.ts).toBe(BigInt(Date.parse('2024-03-01T10:00:00Z')) * 1_000_000n);
    expect(JSON.parse(events[1]!.data).eventName).toBe('CreateUser');
    expect(events.every((e) => e.pluginId === 999)).toBe(true);
    expect(c.progress()?.percent).toBe(100);
  });

  it('extracts CloudTrail-like fields and any JSON path', async () => {
    const p = loadPlugin(jsonLinesSource());
    await p.init();
    const [batch] = await collect(await p.open(file));
    const ev = new ScapEvent().load(batch!, 2);
    expect(p.extract(ev, 'jsonl.name')).toBe('ConsoleLogin');
    expect(p.extract(ev, 'jsonl.user')).toBe('arn:aws:iam::123456789012:root');
    expect(p.extract(ev, 'jsonl.error')).toBe('AccessDenied');
    expect(p.extract(ev, 'jsonl.value', 'userIdentity.type')).toBe('Root');
    expect(p.extract(ev, 'jsonl.value', 'no.such.path')).toBeUndefined();
    expect(p.extract(ev, 'jsonl.time')).toBe(BigInt(Date.parse('2024-03-01T10:01:00Z')) * 1_000_000n);
    expect(p.eventToString(ev)).toBe('signin.amazonaws.com ConsoleLogin by arn:aws:iam::123456789012:root');
    expect(() => p.extract(ev, 'jsonl.nope')).toThrow(expect.objectContaining({ code: 'UNKNOWN_FIELD' }));
  });

  it('round-trips through a scap file identical, and fields still extract from the file', async () => {
    const p = loadPlugin(jsonLinesSource());
    await p.init();
    const batches = await collect(await p.open(file));
    const out = join(scratch, 'cloudtrail.scap');
    await writeScap(batches, out);
    const back = await collect(readScap(out));
    expect(plain(back)).toEqual(plain(batches));
    expect(p.extract(new ScapEvent().load(back[0]!, 1), 'jsonl.user')).toBe('mallory');
  });

  it('fires rules with source jsonl on extracted fields', async () => {
    const alerts = await collect(
      runRulesOnPlugin({ plugins: [{ plugin: jsonLinesSource(), config: { path: file } }], rules: [rules] }),
    );
    expect(alerts.map((a) => [a.rule, a.output.slice(a.output.indexOf(' ') + 1)])).toEqual([
      ['IAM user created', 'Warning user mallory created backdoor from 198.51.100.7'],
      [
        'Console login failed',
        'Error failed login by arn:aws:iam::123456789012:root (AccessDenied) in eu-west-1',
      ],
      ['Bucket policy changed', 'Warning policy of reports changed by mallory'],
    ]);
    expect(alerts[0]).toMatchObject({
      source: 'jsonl',
      time: '2024-03-01T10:00:05.000000000Z',
      priority: 'Warning',
    });
  });

  it('fails open with OPEN_FAILED when there is no file', async () => {
    const p = loadPlugin(jsonLinesSource());
    await p.init();
    const c = await p.open(join(scratch, 'missing.jsonl'));
    await expect(c.next()).rejects.toMatchObject({ code: 'NEXT_FAILED' });
  });
});
