import { join } from 'node:path';
import { loadAndInit, parsePluginArg, runRulesOnPlugin } from '@sysray/plugin-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from './helpers/events.js';
import { ensureAddon, testPlugin } from './helpers/native.js';

const rules = join(import.meta.dirname, 'fixtures/test-rules.yaml');
let so: string;
beforeAll(() => {
  ensureAddon();
  so = testPlugin();
});

describe('runRulesOnPlugin', () => {
  it('runs rules on the events of a LIB.so:CONFIG plugin and yields Falco JSON alerts', async () => {
    const alerts = await collect(
      runRulesOnPlugin({ plugins: [`${so}:{"count":8}`], rules: [rules], hostname: 'h' }),
    );
    expect(alerts.map((a) => a.output.slice(a.output.indexOf(' ') + 1))).toEqual([
      'Notice even event msg 4 (num=4 word=msg ip=10.0.0.4)',
      'Notice even event msg 6 (num=6 word=msg ip=10.0.0.6)',
    ]);
    expect(alerts[0]).toEqual({
      time: '2023-11-14T22:13:20.000004000Z',
      rule: 'Even test event',
      priority: 'Notice',
      output: '2023-11-14T22:13:20.000004000Z: Notice even event msg 4 (num=4 word=msg ip=10.0.0.4)',
      output_fields: { 'test.msg': 'msg 4', 'test.num': 4, 'test.word[0]': 'msg', 'test.ip': '10.0.0.4' },
      source: 'test',
      tags: ['test'],
      hostname: 'h',
    });
  });

  it('evaluates every rule with ruleMatching all', async () => {
    const alerts = await collect(
      runRulesOnPlugin({
        plugins: [`${so}:{"count":3}`],
        rules: [rules],
        openParams: '',
        ruleMatching: 'all',
      }),
    );
    expect(alerts).toEqual([]);
    const big = await collect(
      runRulesOnPlugin({ plugins: [`${so}:{"count":102}`], rules: [rules], ruleMatching: 'all' }),
    );
    expect(big.filter((a) => a.rule === 'Big test event').map((a) => a.output_fields['test.msg'])).toEqual([
      'msg 100',
      'msg 101',
    ]);
    expect(big.filter((a) => a.rule === 'Even test event')).toHaveLength(49);
  });

  it('rejects rules that need a newer plugin version than the one loaded', async () => {
    const p = await loadAndInit(so);
    const yaml = `
- required_plugin_versions:
    - name: test
      version: 0.2.0
`;
    await expect(
      collect(runRulesOnPlugin({ plugins: [p], rules: [{ name: 'r.yaml', content: yaml }] })),
    ).rejects.toThrow(/Plugin 'test' version '0.2.0'/);
    p.destroy();
  });

  it('parses LIB.so[:CONFIG] arguments', () => {
    expect(parsePluginArg('/x/libtest.so')).toEqual({ plugin: '/x/libtest.so' });
    expect(parsePluginArg('/x/libtest.so:{"a":"b:c"}')).toEqual({
      plugin: '/x/libtest.so',
      config: '{"a":"b:c"}',
    });
    expect(parsePluginArg('lib:cfg')).toEqual({ plugin: 'lib', config: 'cfg' });
  });
});
