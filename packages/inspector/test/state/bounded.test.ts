import { readScapSync } from '@sysray/pcapng/scap';
import { describe, expect, it } from 'vitest';
import { Inspector } from '../../src/index.js';
import { craftCapture, plThread } from '../helpers.js';

describe('bounded memory on endless streams', () => {
  it('forgets enter events whose exit has not come after many batches (no batch stays pinned)', () => {
    const insp = new Inspector();
    const first = readScapSync(
      craftCapture(
        [plThread({ tid: 10 }), plThread({ tid: 20 })],
        [{ name: 'read', dir: '>', tid: 10, params: { fd: 3, size: 1 } }],
      ),
    );
    insp.seed(first.info);
    insp.process(first.batch, 0);
    expect(insp.threads.get(10)?.enterBatch).toBe(first.batch);
    for (let b = 0; b < 40; b++) {
      const { batch } = readScapSync(
        craftCapture([], [{ name: 'close', tid: 20, params: { res: 0, fd: 9 } }]),
      );
      insp.process(batch, 0);
    }
    expect(insp.threads.get(10)?.enterBatch).toBeUndefined();
  });

  it('keeps the thread table within maxThreads however many threads a stream creates', () => {
    const insp = new Inspector({ maxThreads: 50 });
    const events = Array.from({ length: 500 }, (_, i) => ({
      name: 'close',
      tid: 1000 + i,
      params: { res: 0, fd: 3 },
    }));
    const { batch } = readScapSync(craftCapture([], events));
    for (let i = 0; i < batch.count; i++) insp.process(batch, i);
    expect(insp.threads.size).toBeLessThanOrEqual(50);
    expect(insp.threads.get(1499)).toBeDefined();
  });
});
