import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { craftCapture, filterEvents, loadSyscallRules, runRuleTests } from '../src/index.js';
import { syscallName, syscallNumber } from '../src/syscalls.js';

/** Debian's kernel headers (linux-libc-dev, pulled in by the C toolchain the plugin tests need). */
const UNISTD = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';

function collect<T>(it: AsyncIterable<T>, map: (x: T) => unknown): Promise<unknown[]> {
  return (async () => {
    const out: unknown[] = [];
    for await (const x of it) out.push(map(x));
    return out;
  })();
}

describe('the x86_64 syscall table', () => {
  it('agrees with every __NR_ number of the system’s kernel headers', () => {
    if (!existsSync(UNISTD))
      throw new Error(`${UNISTD} is needed as the oracle: apt-get install linux-libc-dev (comes with gcc)`);
    const defs = [...readFileSync(UNISTD, 'utf8').matchAll(/^#define __NR_(\w+) (\d+)$/gm)];
    expect(defs.length).toBeGreaterThan(300);
    const wrong = defs
      .filter(([, name, nr]) => syscallName(Number(nr)) !== name || syscallNumber(name!) !== Number(nr))
      .map(([, name, nr]) => `${nr} ${name} (table: ${syscallName(Number(nr))})`);
    expect(wrong).toEqual([]);
  });
});

describe('generic syscall events', () => {
  const capture = craftCapture({
    threads: [{ tid: 100, comm: 'app' }],
    events: [
      { type: 'syscall', dir: '>', tid: 100, params: { ID: 43, nativeID: 26 } },
      { type: 'syscall', tid: 100, params: { ID: 43, nativeID: 26 } },
      { type: 'syscall', tid: 100, params: { ID: 91, nativeID: 153 } },
      { type: 'syscall', tid: 100, params: { ID: 1, nativeID: 9999 } },
      { type: 'close', tid: 100, params: { res: 0 } },
    ],
  });

  it('are named by their nativeID in evt.type and evt.args, and "syscall" when the number is unknown', async () => {
    const rows = await collect(filterEvents(capture, 'evt.type exists'), (c) => c.num);
    expect(rows).toEqual([2, 3, 4, 5]);
    for (const [cond, nums] of [
      ['evt.type = msync', [2]],
      ['evt.type in (vhangup, close)', [3, 5]],
      ['evt.type = syscall', [4]],
      ['evt.args = "ID=43(msync) nativeID=26"', [2]],
      ['evt.args = "ID=1 nativeID=9999"', [4]],
      ['syscall.type = vhangup', [3]],
      ['evt.type.is[msync] = 1', [2]],
    ] as const)
      expect(await collect(filterEvents(capture, cond), (c) => c.num), cond).toEqual(nums);
  });

  it('are indexed by name for rules: a rule on evt.type = msync fires on the generic msync event only', async () => {
    const rules = {
      name: 'msync.yaml',
      content: [
        '- rule: Msync',
        '  desc: msync called',
        '  condition: evt.type = msync',
        '  output: msync by %proc.name (%evt.type %evt.args)',
        '  priority: INFO',
        '',
      ].join('\n'),
    };
    const ruleset = loadSyscallRules([rules]).ruleset!;
    expect(ruleset.rule('Msync')!.eventTypes?.[1]).toBe(1);
    const report = await runRuleTests(
      {
        tests: [
          {
            name: 'msync',
            threads: [{ tid: 100, comm: 'app' }],
            events: [
              { type: 'syscall', tid: 100, params: { ID: 43, nativeID: 26 }, expect: 'Msync' },
              { type: 'syscall', tid: 100, params: { ID: 91, nativeID: 153 } },
            ],
            no_other_alerts: true,
          },
        ],
      },
      { rules: ruleset },
    );
    expect(report.results[0]!.failures).toEqual([]);
  });
});
