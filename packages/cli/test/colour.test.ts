import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paletteFor, styleAlertLine, wantsColour } from '../src/colour.js';
import { runCli } from '../src/run.js';
import { collector, TESTDATA } from './helpers.js';

const ESC = '\x1b[';
const SETUID = `${TESTDATA}sysflow-pairs/setuid_setuid.scap`;
const dir = mkdtempSync(join(tmpdir(), 'sysray-colour-'));
const RULES = join(dir, 'warn.yaml');
writeFileSync(
  RULES,
  [
    '- rule: Setuid called',
    '  desc: a process called setuid',
    '  condition: evt.type = setuid',
    '  output: setuid by %proc.name',
    '  priority: WARNING',
    '',
  ].join('\n'),
);

async function run(argv: string[], tty: boolean, env: NodeJS.ProcessEnv = {}) {
  const stdout = collector({ isTTY: tty });
  const stderr = collector({ isTTY: tty });
  const code = await runCli(argv, { stdout, stderr }, { env, progress: false });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('colour only on a terminal', () => {
  it('follows isTTY, NO_COLOR, TERM=dumb and FORCE_COLOR', () => {
    expect(wantsColour({ write() {}, isTTY: true }, {})).toBe(true);
    expect(wantsColour({ write() {} }, {})).toBe(false);
    expect(wantsColour({ write() {}, isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour({ write() {}, isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wantsColour({ write() {}, isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(wantsColour({ write() {} }, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColour({ write() {} }, { FORCE_COLOR: '0' })).toBe(false);
  });

  it('styles the priority of an alert line and nothing else', () => {
    const on = paletteFor({ write() {}, isTTY: true }, {});
    const line = '12:00:00.000000000: Warning setuid by x';
    const styled = styleAlertLine(line, 'Warning', on);
    expect(styled).toBe(`12:00:00.000000000: ${ESC}33mWarning${ESC}39m setuid by x`);
    expect(styleAlertLine(line, 'Warning', paletteFor({ write() {} }, {}))).toBe(line);
  });

  it('rules run: coloured alert priorities on a terminal, plain text in a pipe and with --json', async () => {
    const tty = await run(['rules', 'run', '-r', RULES, SETUID], true);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain(`${ESC}33mWarning${ESC}39m setuid by setuid`);
    const piped = await run(['rules', 'run', '-r', RULES, SETUID], false);
    expect(piped.stdout).not.toContain(ESC);
    expect(piped.stdout.replace(/\s+$/, '').split('\n').length).toBe(
      tty.stdout.replace(/\s+$/, '').split('\n').length,
    );
    const json = await run(['rules', 'run', '-r', RULES, SETUID, '--json'], true);
    expect(json.stdout).not.toContain(ESC);
    const noColour = await run(['rules', 'run', '-r', RULES, SETUID], true, { NO_COLOR: '1' });
    expect(noColour.stdout).toBe(piped.stdout);
  });

  it('errors are red on a terminal only', async () => {
    const tty = await run(['rules', 'run', SETUID], true);
    expect(tty.code).toBe(2);
    expect(tty.stderr.startsWith(`${ESC}31msysray rules run: missing --rules FILE`)).toBe(true);
    const piped = await run(['rules', 'run', SETUID], false);
    expect(piped.stderr.startsWith('sysray rules run: missing --rules FILE')).toBe(true);
  });
});
