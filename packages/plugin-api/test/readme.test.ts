import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as scap from '@sysray/pcapng/scap';
import * as api from '@sysray/plugin-api';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureAddon, scratch, testPlugin } from './helpers/native.js';

const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...a: unknown[]) => Promise<void>;

/** Runs a README snippet with its imports bound to the real modules and `console.log` captured. */
async function run(block: string, replace: [string, string][] = []): Promise<unknown[][]> {
  let body = block.replace(/^import .*$/gm, '');
  for (const [a, b] of replace) body = body.split(a).join(b);
  const log = vi.fn();
  const names = [...new Set([...Object.keys(api), ...Object.keys(scap)])];
  const bind = `const { ${names.join(', ')} } = { ...scap, ...api };\n`;
  await new AsyncFunction('api', 'scap', 'console', 'process', bind + body)(api, scap, { log }, { argv: [] });
  return log.mock.calls;
}

describe('README examples', () => {
  beforeAll(() => ensureAddon());

  it('the ten-line TypeScript source writes a scap file with its two events', async () => {
    const out = join(scratch, 'hello.scap');
    const logs = await run(blocks[0]!, [["'hello.scap'", JSON.stringify(out)]]);
    expect(logs).toEqual([[2]]);
    expect(existsSync(out)).toBe(true);
  });

  it('loading a .so prints the metadata and the extracted field of each event', async () => {
    const logs = await run(blocks[1]!, [["'./libtest.so'", JSON.stringify(testPlugin())]]);
    expect(logs[0]![0]).toBe('test');
    expect(logs[0]![1]).toMatchObject({ sourcing: true, extraction: true });
    expect(logs.slice(1)).toEqual([['msg 0'], ['msg 1'], ['msg 2']]);
  });

  it('the rules example prints Falco JSON alerts', async () => {
    const logs = await run(blocks[2]!, [
      ["'./libtest.so:", `'${testPlugin()}:`],
      ["'test-rules.yaml'", JSON.stringify(join(import.meta.dirname, 'fixtures/test-rules.yaml'))],
    ]);
    expect(logs.map((l) => JSON.parse(l[0] as string).rule)).toEqual(['Even test event', 'Even test event']);
  });

  it('the state-table example reads a TypeScript table from the plugin and the plugin table from TypeScript', async () => {
    const logs = await run(blocks[3]!, [["'./libtest.so'", JSON.stringify(testPlugin())]]);
    expect(logs).toEqual([['root'], [undefined], [{ count: 1n, label: '' }]]);
  });

  it('the API 3.12 example prints the capture, the metrics after capture_open/close and two async events', async () => {
    const logs = await run(blocks[6]!, [["'./libtest.so'", JSON.stringify(testPlugin())]]);
    expect(logs).toEqual([[3], [3n, 1, 1], ['test.tick'], ['test.tick']]);
  });

  it('the isolation example survives a crashing plugin and prints CRASHED', async () => {
    const logs = await run(blocks[5]!, [["'./libtest.so'", JSON.stringify(testPlugin())]]);
    expect(logs).toEqual([['CRASHED']]);
  });
});
