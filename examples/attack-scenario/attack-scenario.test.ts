import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runScenario, ScenarioError, type ScenarioEvent } from './scenario.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('attack-scenario', () => {
  it('hijacks the server, steals the key-like files, beacons on schedule, uploads once, and cleans up', async () => {
    const events: ScenarioEvent[] = [];
    const result = await runScenario({
      beacons: 3,
      intervalSec: 0.2,
      uploadBytes: 100_000,
      wrap: ['env', 'SYSRAY_SCENARIO_WRAPPED=1'], // what a recorder's launcher would be
      onEvent: (e) => events.push(e),
    });
    expect(events.map((e) => e.event)).toEqual(['started', 'attack', 'done']);
    expect(events[0]).toMatchObject({ victim: { pid: result.victim.pid }, c2: { pid: result.c2.pid } });

    // The injection request was answered (the payload runs in the background).
    expect(result.response.status).toBe(200);
    expect(JSON.parse(result.response.body)).toMatchObject({
      name: expect.stringMatching(/^report\.pdf; \(C2_PORT=\d+ /),
      bytes: 28,
    });

    const { report } = result;
    expect(report.stageDownloads).toBe(1);
    expect(report.beacons.map((b) => [b.seq, b.found])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    expect(new Set(report.beacons.map((b) => b.id)).size).toBe(1);
    const gaps = report.beacons.slice(1).map((b, i) => b.atMs - report.beacons[i]!.atMs);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(150); // `sleep 0.2` between beacons

    // One upload: exactly the key-like files, byte for byte, and the filler.
    expect(report.uploads).toHaveLength(1);
    const upload = report.uploads[0]!;
    expect(upload.malformed).toBeUndefined();
    expect(upload.fillerBytes).toBe(100_000);
    const stolen = upload.files.map((f) => [f.path, f.sha256]).sort();
    const keys = result.planted
      .filter((p) => p.keyLike)
      .map((p) => [p.path, p.sha256])
      .sort();
    expect(stolen).toEqual(keys);
    expect(keys).toHaveLength(4);
    expect(upload.atMs).toBeGreaterThan(report.beacons.at(-1)!.atMs);

    // Torn down: both servers gone, the fake keys removed.
    expect(alive(result.victim.pid)).toBe(false);
    expect(alive(result.c2.pid)).toBe(false);
    expect(existsSync(result.lootDir)).toBe(false);
  });

  it('run.ts --json reports the pids and ports a recorder needs, then the result', async () => {
    const { stdout } = await promisify(execFile)(
      here('node_modules/.bin/tsx'),
      ['run.ts', '--json', '--beacons', '1', '--interval', '0', '--upload-bytes', '1000'],
      { cwd: here('.') },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ScenarioEvent);
    expect(lines.map((l) => l.event)).toEqual(['started', 'attack', 'done']);
    const started = lines[0] as Extract<ScenarioEvent, { event: 'started' }>;
    expect(started.victim).toMatchObject({
      role: 'victim',
      pid: expect.any(Number),
      port: expect.any(Number),
    });
    expect(started.c2).toMatchObject({ role: 'c2', pid: expect.any(Number), port: expect.any(Number) });
    const done = lines[2] as Extract<ScenarioEvent, { event: 'done' }>;
    expect(done.report.beacons).toHaveLength(1);
    expect(done.report.uploads[0]!.files).toHaveLength(4);
    expect(alive(started.victim.pid) || alive(started.c2.pid)).toBe(false);
  });

  it('refuses nonsensical options before starting anything', async () => {
    await expect(runScenario({ beacons: -1 })).rejects.toBeInstanceOf(ScenarioError);
    await expect(runScenario({ intervalSec: Number.NaN })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
