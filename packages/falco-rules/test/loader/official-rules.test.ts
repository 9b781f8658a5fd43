import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadRules } from '../../src/index.js';
import { sinspFieldSet } from '../helpers.js';
import { readTestdata } from '../testdata.js';

const content = readTestdata('falco-rules/falco_rules.yaml');

describe("Falco's official default ruleset", () => {
  const result = loadRules([{ name: 'falco_rules.yaml', content }], { fieldSets: [sinspFieldSet()] });

  it('loads unmodified with no error', () => {
    const errors = result.diagnostics.filter((d) => d.level === 'error').map(formatDiagnostic);
    expect(errors).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('compiles every one of its 25 rules', () => {
    expect(result.ruleset?.rules.length).toBe(25);
  });

  it('records the required engine and plugin versions', () => {
    expect(result.requiredEngineVersion).toBe('0.57.0');
    expect(result.requiredPlugins.map((p) => `${p.name}@${p.version}`)).toEqual(['container@0.4.0']);
  });

  it('reports warnings with positions inside the file', () => {
    const lines = content.split('\n').length;
    for (const d of result.diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.line).toBeLessThanOrEqual(lines);
    }
  });
});
