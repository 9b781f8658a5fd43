import { readScapSync } from '@sysray/pcapng/scap';
import { describe, expect, it } from 'vitest';
import { Inspector } from '../src/index.js';
import { craftCapture, plThread, T0 } from './helpers.js';

const capture = craftCapture(
  [plThread({ tid: 10 })],
  [
    {
      name: 'openat',
      tid: 10,
      ts: T0 + 5n,
      params: { fd: 3, dirfd: -100, name: '/etc/first', flags: 1, mode: 0o644 },
    },
    {
      name: 'openat',
      tid: 10,
      ts: T0 + 9n,
      params: { fd: 4, dirfd: -100, name: '/etc/second', flags: 1, mode: 0o600 },
    },
  ],
);

describe('the event context', () => {
  it('gives each event its own timestamp, read when asked for', () => {
    const { batch, info } = readScapSync(capture);
    const insp = new Inspector();
    insp.seed(info);
    expect(insp.process(batch, 0)!.ts).toBe(T0 + 5n);
    const ctx = insp.process(batch, 1)!;
    expect(ctx.ts).toBe(T0 + 9n);
    expect(ctx.firstTs).toBe(T0 + 5n);
  });

  it('never serves a value cached before its stamp wrapped around to the same number', () => {
    const { batch, info } = readScapSync(capture);
    const insp = new Inspector();
    insp.seed(info);
    const ctx = insp.ctx;
    ctx.cacheStamp = 4;
    insp.process(batch, 0);
    expect(ctx.int('mode')).toBe(0o644);
    expect(ctx.param('mode')).toBe(0o644);
    expect(ctx.ts).toBe(T0 + 5n);
    // 2^30 events later the stamp is 5 again.
    ctx.cacheStamp = 0x3fffffff;
    ctx.nextEvent();
    expect(ctx.cacheStamp).toBe(0);
    ctx.cacheStamp = 4;
    insp.process(batch, 1);
    expect(ctx.cacheStamp).toBe(5);
    expect(ctx.param('mode')).toBe(0o600);
    expect(ctx.ts).toBe(T0 + 9n);
  });
});
