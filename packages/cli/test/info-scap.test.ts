import { basename } from 'node:path';
import { EVENT_TABLE } from '@sysray/pcapng/scap';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaptureSummary } from '../src/index.js';
import {
  DEMO,
  epochString,
  pool,
  scapFiles,
  sysray,
  TESTDATA,
  type TsharkEvent,
  tsharkEvents,
} from './helpers.js';

async function infoJson(path: string): Promise<CaptureSummary> {
  const { code, stdout, stderr } = await sysray(['info', path, '--json']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as CaptureSummary;
}

const files = scapFiles();
let tsharkOf: Map<string, TsharkEvent[]>;
beforeAll(async () => {
  tsharkOf = await pool(files, 2, tsharkEvents);
});

describe('sysray info on a Falco capture', () => {
  it.each(files.map((f) => [basename(f), f] as const))(
    '%s: counts the events by type id as tshark dissects them, with their first and last time',
    async (_, file) => {
      const summary = await infoJson(file);
      const scap = summary.scap!;
      const theirs = tsharkOf.get(file)!;
      expect(scap.events).toBe(theirs.length);
      const byType = new Map<number, number>();
      for (const t of theirs) byType.set(t.type, (byType.get(t.type) ?? 0) + 1);
      expect(new Map(scap.eventTypes.map((t) => [t.type, t.count]))).toEqual(byType);
      for (const t of scap.eventTypes) {
        expect(t.name).toBe(EVENT_TABLE[t.type]!.name);
        expect(t.dir).toBe(t.type % 2 === 0 ? '>' : '<');
      }
      expect(Object.values(scap.eventNames).reduce((a, b) => a + b, 0)).toBe(scap.events);
      const times = theirs
        .map((t) => t.time)
        .sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
      expect(epochString(scap.firstEventTime!)).toBe(times[0]);
      expect(epochString(scap.lastEventTime!)).toBe(times[times.length - 1]);
      expect(BigInt(scap.eventTimeSpan!)).toBe(BigInt(scap.lastEventTime!) - BigInt(scap.firstEventTime!));
      expect(scap.problemEvents).toBe(0);
    },
  );

  it('reports the machine info and the process, fd, interface and user lists of a v1.2 capture', async () => {
    const scap = (await infoJson(`${TESTDATA}sysflow-pairs/setuid_setuid.scap`)).scap!;
    expect(scap.machine).toEqual({
      hostname: 'canaris',
      numCpus: 1,
      memorySizeBytes: expect.any(String),
      maxPid: expect.any(String),
    });
    expect(scap.threads).toBeGreaterThan(0);
    expect(scap.processes).toBeGreaterThan(0);
    expect(scap.processes).toBeLessThanOrEqual(scap.threads);
    expect(scap.fds).toBeGreaterThan(0);
    expect(scap.interfaces).toBeGreaterThan(0);
    expect(scap.users).toBeGreaterThan(0);
  });

  it('keeps the pcapng summary fields of a Falco capture (blocks counted, no packets)', async () => {
    const summary = await infoJson(`${TESTDATA}scap/single_ipv6_conn.scap`);
    expect(summary.gzip).toBe(true);
    expect(summary.packets).toBe(0);
    expect(summary.blocks).toBeGreaterThan(summary.scap!.events);
    expect(summary.sections.length).toBeGreaterThan(0);
  });

  it('adds no scap field for a capture without sysdig blocks', async () => {
    const summary = await infoJson(DEMO);
    expect(summary).not.toHaveProperty('scap');
  });

  it('prints the machine, lists and events by name in the text summary', async () => {
    const file = `${TESTDATA}sysflow-pairs/setuid_setuid.scap`;
    const { code, stdout } = await sysray(['info', file]);
    expect(code).toBe(0);
    const scap = (await infoJson(file)).scap!;
    expect(stdout).toMatch(/^Machine: +"canaris", 1 CPU, /m);
    expect(stdout).toMatch(
      new RegExp(`^Events: +${scap.events}, ${Object.keys(scap.eventNames).length} types$`, 'm'),
    );
    expect(stdout).toMatch(
      new RegExp(`^Process list: +${scap.threads} threads, ${scap.processes} processes$`, 'm'),
    );
    for (const [name, count] of Object.entries(scap.eventNames))
      expect(stdout).toMatch(new RegExp(`^  ${name}: +${count} \\(`, 'm'));
  });
});
