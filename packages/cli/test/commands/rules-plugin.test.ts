import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRulesOnPlugin } from '@sysray/plugin-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestPlugin, REPO, sysray } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sysray-rules-plugin-'));
const RULES = `${REPO}packages/plugin-api/test/fixtures/test-rules.yaml`;
let so: string;

beforeAll(() => {
  so = buildTestPlugin(dir);
});

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

describe('sysray rules run --plugin', () => {
  it('prints the Falco JSON alerts of rules with source: test on the C plugin’s events, as the host library yields them', async () => {
    const { code, stdout, stderr } = await sysray([
      'rules',
      'run',
      '--plugin',
      `${so}:{"count":8}`,
      '-r',
      RULES,
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const alerts = lines(stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    // Events "msg 0" … "msg 7": the rule wants even numbers ≥ 4.
    expect(alerts.map((a) => (a.output_fields as Record<string, unknown>)['test.num'])).toEqual([4, 6]);
    expect(alerts[0]).toMatchObject({
      rule: 'Even test event',
      priority: 'Notice',
      source: 'test',
      tags: ['test'],
    });
    const library: unknown[] = [];
    for await (const a of runRulesOnPlugin({ plugins: [`${so}:{"count":8}`], rules: [RULES] }))
      library.push(a);
    expect(alerts).toEqual(JSON.parse(JSON.stringify(library)));
  });

  it('prints Falco’s output lines without --json, every matching rule with --all, and passes --open-params', async () => {
    const text = await sysray(['rules', 'run', '--plugin', `${so}:{"count":8}`, '-r', RULES]);
    expect(text.code).toBe(0);
    expect(lines(text.stdout).map((l) => l.slice(l.indexOf(' ') + 1))).toEqual([
      'Notice even event msg 4 (num=4 word=msg ip=10.0.0.4)',
      'Notice even event msg 6 (num=6 word=msg ip=10.0.0.6)',
    ]);
    const all = await sysray([
      'rules',
      'run',
      `--plugin=${so}:{"count":102}`,
      '-r',
      RULES,
      '--all',
      '--json',
    ]);
    const rules = lines(all.stdout).map(
      (l) => JSON.parse(l) as { rule: string; output_fields: Record<string, unknown> },
    );
    expect(rules.filter((a) => a.rule === 'Big test event').map((a) => a.output_fields['test.msg'])).toEqual([
      'msg 100',
      'msg 101',
    ]);
    expect(rules.filter((a) => a.rule === 'Even test event')).toHaveLength(49);
    // The C plugin takes its event count as open parameters: 7 events → msg 4 and msg 6.
    const open = await sysray([
      'rules',
      'run',
      '--plugin',
      `${so}:{"count":100}`,
      '--open-params',
      '7',
      '-r',
      RULES,
    ]);
    expect(lines(open.stdout)).toHaveLength(2);
  });

  it('runs a JavaScript module whose default export is a TypeScript plugin definition', async () => {
    const mod = write(
      'words.mjs',
      [
        'const words = ["alpha", "beta", "gamma", "delta"];',
        'export default {',
        '  name: "words", id: 999, eventSource: "words", version: "0.1.0",',
        '  open: () => words.map((w, i) => ({ data: w, ts: 1700000000000000000n + BigInt(i) })),',
        '  parse: (data) => new TextDecoder().decode(data),',
        '  fields: [{ name: "words.word", type: "string", desc: "the word", extract: (w) => w }],',
        '};',
        '',
      ].join('\n'),
    );
    const rules = write(
      'words.yaml',
      [
        '- rule: Greek a',
        '  desc: a word ending in a',
        '  condition: words.word endswith a',
        '  output: word %words.word',
        '  priority: INFO',
        '  source: words',
        '',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await sysray(['rules', 'run', '--plugin', mod, '-r', rules, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(
      lines(stdout).map(
        (l) => (JSON.parse(l) as { output_fields: Record<string, string> }).output_fields['words.word'],
      ),
    ).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    const notPlugin = write('not-plugin.mjs', 'export default 42;\n');
    const bad = await sysray(['rules', 'run', '--plugin', notPlugin, '-r', rules]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('BAD_METADATA: the module’s default export is not a plugin definition');
  });

  it('exits 1 with the host’s error for a library that does not load, a config the schema refuses, rules that do not load', async () => {
    const missing = await sysray(['rules', 'run', '--plugin', join(dir, 'missing.so'), '-r', RULES]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^sysray: LOAD_FAILED: .*missing\.so/);
    const config = await sysray(['rules', 'run', '--plugin', `${so}:{"count":-1}`, '-r', RULES]);
    expect(config.code).toBe(1);
    expect(config.stderr).toMatch(/^sysray: BAD_CONFIG: /);
    const broken = write(
      'broken.yaml',
      [
        '- rule: Typo',
        '  desc: x',
        '  condition: test.nmu = 1',
        '  output: x',
        '  priority: INFO',
        '  source: test',
        '',
      ].join('\n'),
    );
    const rules = await sysray(['rules', 'run', '--plugin', so, '-r', broken]);
    expect(rules.code).toBe(1);
    expect(rules.stderr).toMatch(
      new RegExp(`^sysray: RULES_LOAD: ${broken}:3:\\d+: error: LOAD_ERR_COMPILE_CONDITION: .*test\\.nmu`),
    );
  });

  it('--min-priority disables the less severe rules first: the WARNING rule then wins the events the NOTICE one took', async () => {
    const run = async (extra: string[]) =>
      lines(
        (await sysray(['rules', 'run', '--plugin', `${so}:{"count":102}`, '-r', RULES, '--json', ...extra]))
          .stdout,
      ).map((l) => {
        const a = JSON.parse(l) as { rule: string; output_fields: Record<string, unknown> };
        return `${a.rule} ${a.output_fields['test.msg']}`;
      });
    // Falco's default (first match): "msg 100" is even, so the NOTICE rule listed first takes it.
    const all = await run([]);
    expect(all.filter((a) => a.endsWith('msg 100') || a.endsWith('msg 101'))).toEqual([
      'Even test event msg 100',
      'Big test event msg 101',
    ]);
    expect(await run(['--min-priority', 'warning'])).toEqual([
      'Big test event msg 100',
      'Big test event msg 101',
    ]);
    expect(await run(['--min-priority', 'error'])).toEqual([]);
  });

  it('refuses a CAPTURE with --plugin and --open-params without it (exit 2)', async () => {
    const both = await sysray(['rules', 'run', '--plugin', so, '-r', RULES, 'x.scap']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--plugin and CAPTURE exclude each other');
    const open = await sysray(['rules', 'run', '-r', RULES, '--open-params', '3', 'x.scap']);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('--open-params needs --plugin');
    const none = await sysray(['rules', 'run', '-r', RULES]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing CAPTURE argument (or --plugin)');
  });
});
