import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestPlugin, sysray, tool } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sysray-extcap-'));
let so: string;

beforeAll(() => {
  so = buildTestPlugin(dir);
});

describe('sysray extcap', () => {
  it('lists one interface per source plugin for --extcap-interfaces', async () => {
    const { code, stdout, stderr } = await sysray(['extcap', '--plugin', so, '--extcap-interfaces']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^extcap \{version=[\d.]+\}/);
    expect(lines.slice(1).map((l) => /\{value=([^}]*)\}/.exec(l)?.[1])).toEqual(['test']);
  });

  it('--json answers as NDJSON, one object per protocol line, with the same content', async () => {
    const plain = await sysray(['extcap', '--plugin', so, '--extcap-config', '--extcap-interface', 'test']);
    const json = await sysray([
      'extcap',
      '--plugin',
      so,
      '--json',
      '--extcap-config',
      '--extcap-interface',
      'test',
    ]);
    expect(json.code).toBe(0);
    const objects = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    const lines = plain.stdout.trim().split('\n');
    expect(objects).toHaveLength(lines.length);
    objects.forEach((o, i) => {
      expect(lines[i]!.startsWith(`${o.kind} `)).toBe(true);
      for (const [k, v] of Object.entries(o)) if (k !== 'kind') expect(lines[i]).toContain(`{${k}=${v}}`);
    });
    expect(objects.some((o) => o.kind === 'arg' && o.call === '--mode')).toBe(true);
    const dlts = await sysray([
      'extcap',
      '--plugin',
      so,
      '--json',
      '--extcap-dlts',
      '--extcap-interface',
      'test',
    ]);
    expect(JSON.parse(dlts.stdout)).toEqual({
      kind: 'dlt',
      number: '147',
      name: 'test',
      display: 'Falco plugin events',
    });
  });

  it('passes Wireshark’s arguments through: --extcap-version=4.0 and --extcap-dlts for an interface', async () => {
    const { code, stdout } = await sysray([
      'extcap',
      `--plugin=${so}`,
      '--extcap-dlts',
      '--extcap-interface',
      'test',
      '--extcap-version=4.0',
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe('dlt {number=147}{name=test}{display=Falco plugin events}\n');
  });

  it('captures into a fifo that tshark reads, one frame per plugin event', async () => {
    const fifo = join(dir, 'capture.fifo');
    execFileSync('mkfifo', [fifo]);
    const tshark = spawn(tool('tshark'), ['-r', fifo, '-T', 'fields', '-e', 'frame.time_epoch'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const out: Buffer[] = [];
    tshark.stdout.on('data', (c: Buffer) => out.push(c));
    const exited = new Promise<number | null>((resolve) => tshark.on('close', resolve));
    const r = await sysray([
      'extcap',
      '--plugin',
      so,
      '--capture',
      '--extcap-interface',
      'test',
      '--fifo',
      fifo,
      '--count',
      '25',
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(await exited).toBe(0);
    const rows = Buffer.concat(out).toString('utf8').trim().split('\n');
    expect(rows).toHaveLength(25);
  });

  it('exits 1 with the plugin host’s message for an unknown interface or a library that does not load', async () => {
    const unknown = await sysray(['extcap', '--plugin', so, '--extcap-dlts', '--extcap-interface', 'nope']);
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: "no source plugin called 'nope'\n" });
    const missing = await sysray(['extcap', '--plugin', join(dir, 'missing.so'), '--extcap-interfaces']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('missing.so');
  });

  it('needs --plugin and extcap arguments (usage errors, exit 2); --help shows the wrapper script', async () => {
    expect((await sysray(['extcap', '--extcap-interfaces'])).code).toBe(2);
    expect((await sysray(['extcap', '--plugin', so])).code).toBe(2);
    const help = await sysray(['extcap', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('exec sysray extcap --plugin');
  });
});
