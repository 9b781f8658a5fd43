import { resolveRecords } from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, periodicity, processTraffic, trafficByProcess } from '../src/index.js';
import { netFlow, OP, oid, proc, SEC, T0 } from './helpers/records.js';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function beacon(n: number, period: number, jitter: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => i * period + (r() * 2 - 1) * jitter * period);
}

function poisson(n: number, mean: number, seed: number): number[] {
  const r = rng(seed);
  let t = 0;
  return Array.from({ length: n }, () => (t += -Math.log(1 - r()) * mean));
}

describe('periodicity', () => {
  it('flags a 10 s beacon with 2% jitter, with its period', () => {
    const p = periodicity(beacon(60, 10, 0.02, 1));
    expect(p.beaconing).toBe(true);
    expect(p.score).toBeGreaterThan(0.8);
    expect(p.cv).toBeLessThan(0.05);
    expect(p.period).toBeGreaterThan(9);
    expect(p.period).toBeLessThan(11);
  });

  it('does not flag random (Poisson) arrivals with the same mean rate', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const p = periodicity(poisson(60, 10, seed));
      expect(p.beaconing, `seed ${seed}`).toBe(false);
      expect(p.score, `seed ${seed}`).toBeLessThan(0.45);
    }
  });

  it('scores a beacon above random traffic even with 15% jitter', () => {
    const jittery = periodicity(beacon(60, 30, 0.15, 7)).score;
    const random = periodicity(poisson(60, 30, 7)).score;
    expect(jittery).toBeGreaterThan(random + 0.3);
  });

  it('gives 0 with fewer than minEvents events, whatever their order', () => {
    expect(periodicity([3, 1, 2])).toMatchObject({ score: 0, events: 3, beaconing: false });
    expect(periodicity([0, 10, 20, 30, 40, 50].reverse()).beaconing).toBe(true);
  });
});

describe('processTraffic', () => {
  function graph() {
    const p = oid(10);
    const records = [proc(10, '/usr/bin/implant', ''), proc(11, '/bin/idle', '', { createTS: T0 + 1n })];
    for (let i = 0; i < 20; i++) {
      const ts = T0 + BigInt(i) * 60n * SEC;
      records.push(
        netFlow(
          p,
          ts,
          ts + SEC,
          OP.CONNECT | OP.READ | OP.WRITE,
          ['10.0.0.9', 40000 + i],
          ['203.0.113.7', 443],
          100,
          2000,
        ),
      );
    }
    const b = new GraphBuilder();
    for (const r of resolveRecords(records)) b.add(r);
    return b.result;
  }

  it('bins ingress and egress bytes over time, conserving totals, and flags the beacon', () => {
    const pg = graph();
    const t = processTraffic(pg, 10, { bins: 40 });
    expect(t.flows).toHaveLength(20);
    expect(t.totalIn).toBe(2000);
    expect(t.totalOut).toBe(40000);
    expect(t.ingress.reduce((s, x) => s + x, 0)).toBeCloseTo(2000, 6);
    expect(t.egress.reduce((s, x) => s + x, 0)).toBeCloseTo(40000, 6);
    expect(t.binStart).toBe(T0);
    expect(t.ingress.length).toBeGreaterThanOrEqual(40);
    expect(t.periodicity.beaconing).toBe(true);
    expect(t.periodicity.period).toBeCloseTo(60, 0);
  });

  it('spreads a flow over the bins it spans', () => {
    const pg = graph();
    const t = processTraffic(pg, pg.processImage(`${T0}:10`)!, { binWidth: SEC / 2n });
    expect(t.egress[0]).toBeCloseTo(1000, 6);
    expect(t.egress[1]).toBeCloseTo(1000, 6);
    expect(t.egress[2]).toBe(0);
  });

  it('lists only processes with network flows, and rejects unknown processes', () => {
    const pg = graph();
    expect(trafficByProcess(pg).map((t) => t.label)).toEqual(['implant [10]']);
    expect(processTraffic(pg, 11).flows).toEqual([]);
    expect(() => processTraffic(pg, 999)).toThrow(/no process 999/);
  });
});
