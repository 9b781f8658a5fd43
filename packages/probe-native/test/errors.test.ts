import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ProbeError, startCapture } from '../src/index.js';
import { canRunLive } from './live-gate.js';

const SRC = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const NATIVE = fileURLToPath(new URL('../src/native.ts', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');

describe('startCapture option checks', () => {
  it('rejects unknown event names, naming them and the supported ones', () => {
    try {
      startCapture({ events: ['openat', 'frobnicate'] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ProbeError);
      expect((e as ProbeError).code).toBe('BAD_OPTIONS');
      expect((e as ProbeError).message).toMatch(/^unknown event name frobnicate; supported: open, openat, /);
    }
  });

  it('rejects a ring buffer size that is not a power of two', () => {
    expect(() => startCapture({ ringBufferBytes: 3 << 20 })).toThrow(
      'ringBufferBytes must be a power of two, got 3145728',
    );
  });

  it('rejects a snaplen beyond 4096', () => {
    expect(() => startCapture({ snaplen: 5000 })).toThrow(
      'snaplen must be an integer in [0, 4096], got 5000',
    );
  });
});

/**
 * Runs `code` (an ES module body) with tsx in a process stripped of every capability (util-linux `setpriv`:
 * still uid 0, so it reads the checkout wherever it is, but no CAP_BPF, CAP_PERFMON or CAP_SYS_ADMIN),
 * returning its last stdout line as JSON.
 */
function withoutCapabilities(dir: string, code: string): unknown {
  const file = join(dir, `nocaps-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(file, code);
  const r = spawnSync(
    'setpriv',
    ['--bounding-set=-all', '--inh-caps=-all', process.execPath, '--import', TSX, file],
    {
      encoding: 'utf8',
      cwd: dir,
      // no shared transform cache: several of these children may run at once
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe.skipIf(!canRunLive)('without privileges (capabilities dropped by root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysray-nocaps-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('startCapture throws NOT_PERMITTED saying root or CAP_BPF + CAP_PERFMON is needed', () => {
    const out = withoutCapabilities(
      dir,
      `import { startCapture } from ${JSON.stringify(SRC)};
try { startCapture(); console.log(JSON.stringify({ ok: true })); }
catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }`,
    ) as { name: string; code: string; message: string };
    expect(out.name).toBe('ProbeError');
    expect(out.code).toBe('NOT_PERMITTED');
    expect(out.message).toMatch(/^capturing needs root, or the capabilities CAP_BPF and CAP_PERFMON/);
  });

  it('the kernel refusal itself (preflight bypassed) comes back as NOT_PERMITTED with EPERM, not a crash', () => {
    const out = withoutCapabilities(
      dir,
      `import { addonError, loadAddon } from ${JSON.stringify(NATIVE)};
const addon = loadAddon();
try { addon.open({ snaplen: 0, wakeBytes: 1 << 20, pollMs: 20, chunkBytes: 1 << 20, procEvents: 0 }, new Uint8Array(512 * addon.recipeSize), new Uint32Array(0), () => {}); console.log(JSON.stringify({ ok: true })); }
catch (raw) { const e = addonError(raw); console.log(JSON.stringify({ name: e.name, code: e.code, errno: e.errno, message: e.message })); }`,
    ) as { name: string; code: string; errno: number; message: string };
    expect(out).toEqual({
      name: 'ProbeError',
      code: 'NOT_PERMITTED',
      errno: 1,
      message: 'the kernel refused to load the eBPF probe: Operation not permitted (errno 1)',
    });
  });
});
