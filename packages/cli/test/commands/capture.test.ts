import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeUnavailable } from '@sysray/probe-native';
import { afterAll, describe, expect, it } from 'vitest';
import { sysray } from '../helpers.js';

const why = probeUnavailable();
if (why && process.env.CI) throw new Error(`sysray capture tests cannot run under CI: ${why.message}`);
if (why) console.warn(`skipping live sysray capture tests: ${why.message}`);

describe('sysray capture (usage)', () => {
  it('needs -o', async () => {
    const r = await sysray(['capture', '--', '/bin/true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('capture needs -o OUT.scap');
  });

  it('rejects an unknown event name before loading anything', async () => {
    const r = await sysray(['capture', '-o', '/dev/null', '-e', 'openat,nosuchcall', '--', '/bin/true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown event name nosuchcall');
  });

  it('rejects a bad duration', async () => {
    const r = await sysray(['capture', '-o', '/dev/null', '-d', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--duration must be a positive number, got 'soon'");
  });
});

describe.skipIf(why !== undefined)('sysray capture (live, root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysray-capture-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('captures a command until it exits; the file reads back with sysray events and opens in tshark', async () => {
    const out = join(dir, 'cat.scap');
    const r = await sysray(['capture', '-o', out, '--json', '--', '/bin/cat', '/etc/hostname']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.output).toBe(out);
    expect(summary.dropped).toBe(0);
    expect(summary.delivered).toBe(summary.emitted);
    expect(summary.command).toBe('exited with 0');

    const ev = await sysray(['events', out, '--json', '--filter', 'proc.name = cat']);
    expect(ev.code, ev.stderr).toBe(0);
    const lines = ev.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const exec = lines.find((l) => l.type === 'execve');
    expect(exec.params.exe).toBe('/bin/cat');
    expect(exec.params.res).toBe(0);
    const open = lines.find((l) => l.type === 'openat' && l.params.name === '/etc/hostname');
    expect(open.params.fd).toBeGreaterThanOrEqual(0);
    const read = lines.find((l) => l.type === 'read' && l.num > open.num && l.params.fd === open.params.fd);
    expect(read.params.res).toBe(readFileSync('/etc/hostname').length);
    expect(lines.some((l) => l.type === 'procexit')).toBe(true);

    // tshark reads every block of the file (Wireshark's sysdig event support)
    const count = execFileSync('tshark', ['-r', out, '-T', 'fields', '-e', 'frame.number'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n').length;
    expect(count, JSON.stringify(summary)).toBe(summary.delivered);
  }, 60_000);

  it('without CAP_BPF/CAP_PERFMON: exit 1 with the typed reason, no file left half-written', () => {
    const script = join(dir, 'nocaps.mts');
    const cli = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
    writeFileSync(
      script,
      `import { runCli } from ${JSON.stringify(cli)};
process.exitCode = await runCli(['capture', '-o', ${JSON.stringify(join(dir, 'never.scap'))}, '--', '/bin/true'], { stdout: process.stdout, stderr: process.stderr });`,
    );
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const r = spawnSync(
      'setpriv',
      ['--bounding-set=-all', '--inh-caps=-all', process.execPath, '--import', tsx, script],
      // no shared transform cache: several such children may run at once
      { encoding: 'utf8', env: { ...process.env, TSX_DISABLE_CACHE: '1' } },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('capturing needs root, or the capabilities CAP_BPF and CAP_PERFMON');
    expect(existsSync(join(dir, 'never.scap'))).toBe(false);
  });

  it('captures only the named events for a duration', async () => {
    const out = join(dir, 'few.scap');
    const r = await sysray(['capture', '-o', out, '-d', '0.5', '-e', 'openat,close', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ev = await sysray(['events', out, '--json']);
    const types = new Set(
      ev.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).type),
    );
    for (const t of types) expect(['openat', 'close']).toContain(t);
  }, 30_000);
});
