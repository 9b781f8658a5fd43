import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import * as api from '../src/index.js';

describe('README example', () => {
  it('runs and prints a Falco JSON alert', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const body = block
      .replace(/^import .*$/m, '')
      .replace(/^type Ev = .*$/m, '')
      .replace(/<Ev>/g, '')
      .replace(/result\.ruleset\?\./g, 'result.ruleset.');
    const log = vi.fn();
    const err = vi.fn();
    new Function(
      'api',
      'console',
      `const { createAlert, createObjectFieldSet, loadRules, formatDiagnostic } = api;\n${body}`,
    )(api, {
      log,
      error: err,
    });
    expect(err).not.toHaveBeenCalled();
    const alert = JSON.parse(log.mock.calls[0]![0] as string);
    expect(alert).toMatchObject({
      rule: 'Read sensitive file',
      priority: 'Warning',
      output_fields: { 'proc.name': 'cat', 'fd.name': '/etc/shadow' },
      hostname: 'host-1',
    });
    expect(alert.output).toMatch(/: Warning cat read \/etc\/shadow$/);
  });
});
