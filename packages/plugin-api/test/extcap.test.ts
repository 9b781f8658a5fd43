import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { jsonLinesSource, runExtcap } from '@sysray/plugin-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureAddon, scratch, testPlugin } from './helpers/native.js';

const TSHARK = '/usr/bin/tshark';
let so: string;
beforeAll(() => {
  if (!existsSync(TSHARK)) throw new Error('tshark is required (scripts/install-tools.sh installs it)');
  ensureAddon();
  so = testPlugin();
});

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function extcap(argv: string[], plugins = [so]): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await runExtcap(argv, { plugins, stdout: out.stream, stderr: err.stream });
  return { code, out: out.text(), err: err.text() };
}

describe('extcap', () => {
  it('lists one interface per source plugin', async () => {
    const jsonl = { plugin: jsonLinesSource() };
    const out = sink();
    const code = await runExtcap(['--extcap-interfaces'], {
      plugins: [so, jsonl],
      stdout: out.stream,
      stderr: sink().stream,
    });
    expect(code).toBe(0);
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toMatch(/^extcap \{version=[\d.]+\}/);
    expect(lines.slice(1).map((l) => /\{value=([^}]*)\}/.exec(l)?.[1])).toEqual(['test', 'jsonl']);
  });

  it('answers --extcap-dlts for an interface', async () => {
    const r = await extcap(['--extcap-dlts', '--extcap-interface', 'test']);
    expect(r).toMatchObject({ code: 0, out: 'dlt {number=147}{name=test}{display=Falco plugin events}\n' });
  });

  it('builds --extcap-config from the init schema', async () => {
    const r = await extcap(['--extcap-config', '--extcap-interface', 'test']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe(
      'arg {number=0}{call=--count}{display=count}{type=unsigned}{tooltip=events to emit}{range=0,100000000}{group=Plugin config}',
    );
    expect(lines[1]).toContain('{call=--prefix}{display=prefix}{type=string}');
    expect(lines[2]).toContain('{call=--mode}{display=mode}{type=selector}');
    expect(lines.filter((l) => l.startsWith('value {arg=2}'))).toHaveLength(15);
    expect(lines.at(-1)).toContain('{call=--open-params}');
  });

  it('fails with a message and exit code 1 for an unknown interface', async () => {
    const r = await extcap(['--extcap-dlts', '--extcap-interface', 'nope']);
    expect(r).toMatchObject({ code: 1, err: "no source plugin called 'nope'\n" });
  });

  it('captures into a fifo that tshark reads, event for event', async () => {
    const fifo = join(scratch, 'extcap.fifo');
    execFileSync('mkfifo', [fifo]);
    const tshark = spawn(TSHARK, ['-r', fifo, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'data.data'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    tshark.stdout.on('data', (c: Buffer) => out.push(c));
    const exited = new Promise<number | null>((resolve) => tshark.on('close', resolve));
    const r = await extcap([
      '--capture',
      '--extcap-interface',
      'test',
      '--fifo',
      fifo,
      '--count',
      '150',
      '--prefix',
      'wire',
    ]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(await exited).toBe(0);
    const rows = Buffer.concat(out).toString('utf8').trim().split('\n');
    expect(rows).toHaveLength(150);
    const [time, data] = rows[149]!.split('\t');
    expect(time).toBe('1700000000.000149000');
    // Wireshark 4.0 shows the plugin event's parameters as data: lengths, plugin id 999, payload.
    expect(Buffer.from(data!, 'hex').subarray(12).toString('utf8')).toBe('wire 149');
    expect(Buffer.from(data!, 'hex').readUInt32LE(8)).toBe(999);
  });
});
