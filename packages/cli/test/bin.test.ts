import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PcapngBlock, writePcapngSync } from '@sysray/pcapng';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO, MALFORMED_DIR, REPO } from './helpers.js';

/** The `sysray` binary from source, run as `npx tsx packages/cli/src/cli.ts` runs it (tsx is a root devDependency). */
const TSX = join(REPO, 'node_modules/.bin/tsx');
const CLI = join(REPO, 'packages/cli/src/cli.ts');

function start(args: string[]): ChildProcess {
  return spawn(TSX, [CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = start(args);
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  const { code, stderr } = await finished(child);
  return { code, stdout, stderr };
}

let big: string;
beforeAll(() => {
  // ~20 MB of packets: far more output than a pipe buffers, so the reader is mid-file when its reader leaves.
  const blocks: PcapngBlock[] = [
    { type: 'SHB', littleEndian: true, majorVersion: 1, minorVersion: 0, sectionLength: -1n, options: [] },
    { type: 'IDB', linkType: 1, snapLength: 0, options: [] },
  ];
  const data = new Uint8Array(128).fill(0x42);
  for (let i = 0; i < 120_000; i++)
    blocks.push({
      type: 'EPB',
      interfaceId: 0,
      timestamp: 1_700_000_000_000_000_000n + BigInt(i) * 1000n,
      capturedLength: data.length,
      originalLength: data.length,
      data,
      options: [],
    });
  big = join(mkdtempSync(join(tmpdir(), 'sysray-bin-')), 'big.pcapng');
  writeFileSync(big, writePcapngSync(blocks));
});

describe('the sysray binary', () => {
  it('exits 0 and prints the demo summary', async () => {
    const result = await run(['info', DEMO]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Packets: +\d+$/m);
    expect(result.stderr).toBe('');
  });

  it('exits 1 with one line on stderr for a malformed file, and 2 for a usage error', async () => {
    const bad = await run(['dump', `${MALFORMED_DIR}pcapng-block-len-too-small.pcapng`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^sysray: BAD_BLOCK_LENGTH: .*offset 28\)\n$/);
    const usage = await run(['dump']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^sysray dump: missing FILE argument\n/);
  });

  it.each([[['dump']], [['dump', '--json']]])(
    'stops quietly with exit 0 when its reader closes the pipe (sysray %j big.pcapng | head -1)',
    async (args) => {
      const child = start([...args, big]);
      const done = finished(child);
      const first = await new Promise<string>((resolve) => {
        let text = '';
        const onData = (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('\n')) {
            child.stdout!.off('data', onData);
            child.stdout!.destroy(); // what `head -1` does after its line: close the read end
            resolve(text.slice(0, text.indexOf('\n')));
          }
        };
        child.stdout!.on('data', onData);
      });
      expect(first).toMatch(/SHB/);
      const { code, signal, stderr } = await done;
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    },
  );

  it('draws no progress bar when stderr is not a terminal', async () => {
    const result = await run(['info', big]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});
