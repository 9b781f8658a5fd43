import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Diagnostic,
  diagnosticToError,
  diagnosticToJson,
  formatDiagnostic,
  formatRuleList,
  type LoadResult,
  listRuleFiles,
  listRules,
  loadRuleFiles,
  loadRules,
  RuleError,
  validateRuleFiles,
} from '../../src/index.js';
import { sinspFieldSet, type TestEvent } from '../helpers.js';

const fieldSets = [sinspFieldSet()];

function load(yaml: string): LoadResult<TestEvent> {
  return loadRules([{ name: 'r.yaml', content: yaml }], { fieldSets });
}

function only(r: LoadResult<TestEvent>, code: string): Diagnostic {
  const ds = r.diagnostics.filter((d) => d.code === code);
  expect(ds.length, `${code} in ${JSON.stringify(r.diagnostics)}`).toBe(1);
  return ds[0]!;
}

const rule = (name: string, cond: string, extra = '') =>
  `- rule: ${name}\n  desc: d\n  condition: ${cond}\n  output: o %proc.name\n  priority: WARNING\n${extra}`;

describe('errors with positions', () => {
  it('points an unknown field at its place in the condition, and names the rule', () => {
    const r = load(rule('r1', 'evt.type = open and proc.nme = x'));
    const d = only(r, 'LOAD_ERR_COMPILE_CONDITION');
    expect(d).toMatchObject({ level: 'error', file: 'r.yaml', line: 3, col: 34, rule: 'r1' });
    expect(d.message).toContain('nonexistent field proc.nme');
    expect(d.offset).toBe(20);
    const err = diagnosticToError(d);
    expect(err).toBeInstanceOf(RuleError);
    expect(err).toMatchObject({
      code: 'LOAD_ERR_COMPILE_CONDITION',
      file: 'r.yaml',
      line: 3,
      col: 34,
      rule: 'r1',
      offset: 20,
    });
  });

  it('points a syntax error in a folded block condition at the right line', () => {
    const r = load(
      `- rule: r1\n  desc: d\n  condition: >\n    evt.type = open and\n    proc.name === x\n  output: o\n  priority: INFO\n`,
    );
    const d = only(r, 'LOAD_ERR_COMPILE_CONDITION');
    expect([d.line, d.col]).toEqual([5, 17]);
  });

  it('points an error in an appended condition at the appending item', () => {
    const r = load(
      `${rule('r1', 'evt.type = open')}- rule: r1\n  condition: and proc.nme = x\n  override:\n    condition: append\n`,
    );
    const d = only(r, 'LOAD_ERR_COMPILE_CONDITION');
    expect([d.line, d.col, d.offset]).toEqual([7, 18, 4]);
  });

  it('points an error inside a macro at the macro text', () => {
    const r = load(`- macro: m\n  condition: proc.pid contains 1\n${rule('r1', 'evt.type = open and m')}`);
    const d = only(r, 'LOAD_ERR_COMPILE_CONDITION');
    expect([d.line, d.col]).toEqual([2, 14]);
    expect(d.message).toContain("operator 'contains' is not supported");
  });

  it('reports undefined macros, and macros that use a macro defined after them', () => {
    const undef = load(rule('r1', 'evt.type = open and nope'));
    expect(only(undef, 'LOAD_ERR_VALIDATE').message).toBe("Undefined macro 'nope' used in filter.");
    const order = load(
      `- macro: a\n  condition: b\n- macro: b\n  condition: proc.name = x\n${rule('r1', 'evt.type = open and a')}`,
    );
    const d = only(order, 'LOAD_ERR_VALIDATE');
    expect(d.message).toBe("Undefined macro 'b' used in filter.");
    expect([d.line, d.col]).toEqual([2, 14]);
    const ok = load(
      `- macro: b\n  condition: proc.name = x\n- macro: a\n  condition: b\n${rule('r1', 'evt.type = open and a')}`,
    );
    expect(ok.ok).toBe(true);
  });

  it.each([
    [
      'missing condition',
      '- rule: r\n  desc: d\n  output: o\n  priority: INFO\n',
      "Item has no mapping for key 'condition'",
      1,
    ],
    ['invalid priority', rule('r', 'evt.type = open').replace('WARNING', 'LOUD'), 'Invalid priority', 5],
    ['non-map item', '- just a string\n', 'Unexpected element type', 1],
    ['not a sequence', 'rule: x\n', 'Rules content is not yaml array of objects', 1],
    ['empty key', '- macro: m\n  condition:\n', "Mapping for key 'condition' is empty", 1],
  ])('reports %s as a YAML validation error', (_, yaml, msg, line) => {
    const d = only(load(yaml), 'LOAD_ERR_YAML_VALIDATE');
    expect(d.message).toContain(msg);
    expect(d.line).toBe(line);
  });

  it('reports YAML syntax errors with their position', () => {
    const d = only(load('- rule: x\n  desc: [unclosed\n'), 'LOAD_ERR_YAML_PARSE');
    expect(d.line).toBeGreaterThanOrEqual(2);
  });

  it('reports a bad output field as an output error', () => {
    const r = load(rule('r1', 'evt.type = open').replace('o %proc.name', 'o %proc.nope'));
    expect(only(r, 'LOAD_ERR_COMPILE_OUTPUT').message).toContain('invalid formatting token %proc.nope');
  });

  it('validates exception fields and comps', () => {
    const bad = (ex: string) => load(rule('r1', 'evt.type = open', `  exceptions:\n${ex}`));
    expect(
      only(bad('    - name: e\n      fields: [proc.nope]\n      values: [[x]]\n'), 'LOAD_ERR_VALIDATE')
        .message,
    ).toBe("'proc.nope' is not a supported filter field");
    expect(
      only(
        bad('    - name: e\n      fields: [proc.name]\n      comps: [like]\n      values: [[x]]\n'),
        'LOAD_ERR_VALIDATE',
      ).message,
    ).toBe("'like' is not a supported comparison operator");
    expect(
      only(
        bad('    - name: e\n      fields: proc.name\n      comps: "="\n      values: [x]\n'),
        'LOAD_ERR_VALIDATE',
      ).message,
    ).toContain('When fields is a single value');
    const dup = bad(
      '    - name: e\n      fields: [proc.name]\n      values: [[x]]\n    - name: e\n      fields: [proc.name]\n      values: [[y]]\n',
    );
    expect(dup.ok).toBe(true);
    expect(only(dup, 'LOAD_EXCEPTION_NAME_NOT_UNIQUE').message).toBe(
      "Multiple definitions of exception 'e' in the same rule",
    );
  });
});

describe('warnings', () => {
  it('warns about unused macros and lists, at their definitions', () => {
    const r = load(
      `- list: l\n  items: [a]\n- macro: m\n  condition: proc.name = x\n${rule('r1', 'evt.type = open')}`,
    );
    expect(r.ok).toBe(true);
    expect(only(r, 'LOAD_UNUSED_LIST')).toMatchObject({ level: 'warning', line: 1, col: 3 });
    expect(only(r, 'LOAD_UNUSED_MACRO')).toMatchObject({ level: 'warning', line: 3, col: 3 });
  });

  it('counts a list used by another list, or only by a macro, as used', () => {
    const r = load(
      `- list: a\n  items: [x]\n- list: b\n  items: [a, y]\n- macro: m\n  condition: proc.name in (b)\n${rule('r1', 'evt.type = open and m')}`,
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.ruleset!.rule('r1')!.compiledCondition).toBe('(evt.type = open and proc.name in (x, y))');
  });

  it('warns when a rule matches every event type, unless warn_evttypes is false', () => {
    expect(only(load(rule('r1', 'proc.name = x')), 'LOAD_NO_EVTTYPE').message).toBe(
      'Rule matches too many evt.type values. This has a significant performance penalty.',
    );
    expect(load(rule('r1', 'proc.name = x', '  warn_evttypes: false\n')).diagnostics).toEqual([]);
  });

  it('turns unknown fields into warnings with skip-if-unknown-filter and drops the rule', () => {
    const r = load(rule('r1', 'evt.type = open and proc.nope = x', '  skip-if-unknown-filter: true\n'));
    expect(r.ok).toBe(true);
    expect(only(r, 'LOAD_UNKNOWN_FILTER').message).toContain('proc.nope');
    expect(r.ruleset!.rules.length).toBe(0);
  });

  it('skips rules of an unknown source with a warning', () => {
    const r = load(rule('r1', 'ka.verb = get', '  source: k8s_audit\n'));
    expect(r.ok).toBe(true);
    expect(only(r, 'LOAD_UNKNOWN_SOURCE').message).toBe('Unknown source k8s_audit, skipping');
  });

  it('warns about unknown top-level items and unknown keys', () => {
    const r = load(`- rulez: x\n${rule('r1', 'evt.type = open', '  descr: typo\n')}`);
    expect(only(r, 'LOAD_UNKNOWN_ITEM').line).toBe(1);
    const k = only(r, 'LOAD_UNKNOWN_KEY');
    expect(k).toMatchObject({ line: 7, col: 3, rule: 'r1' });
  });

  it('warns about <NA> comparisons, %container.info and deprecated output fields', () => {
    const r = load(
      rule('r1', 'evt.type = open and proc.pname != <NA>').replace(
        'o %proc.name',
        'o %proc.name %container.info %evt.dir',
      ),
    );
    expect(only(r, 'LOAD_UNSAFE_NA_CHECK').col).toBe(34);
    const deprecated = r.diagnostics.filter((d) => d.code === 'LOAD_DEPRECATED_ITEM').map((d) => d.message);
    expect(deprecated.some((m) => m.includes('%container.info is deprecated'))).toBe(true);
    expect(deprecated.some((m) => m.includes("deprecated field 'evt.dir'"))).toBe(true);
    expect(r.ruleset!.rule('r1')!.output.format).toBe('o %proc.name  %evt.dir');
  });

  it('warns about invalid macro and list names', () => {
    const r = load(
      `- macro: bad-name\n  condition: proc.name = x\n- list: "bad name"\n  items: [a]\n${rule('r1', 'evt.type = open')}`,
    );
    expect(only(r, 'LOAD_INVALID_MACRO_NAME').line).toBe(1);
    expect(only(r, 'LOAD_INVALID_LIST_NAME').line).toBe(3);
  });
});

describe('validateRuleFiles and listing (for the CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'falco-rules-'));
  const base = join(dir, 'base.yaml');
  const local = join(dir, 'local.yaml');
  writeFileSync(
    base,
    `- list: shells\n  items: [bash]\n${rule('r1', 'evt.type = execve and proc.name in (shells)')}`,
  );
  writeFileSync(
    local,
    `- list: shells\n  items: [zsh]\n  override:\n    items: append\n${rule('r2', 'evt.type = open', '  tags: [b, a]\n')}`,
  );

  it('loads several files in order, later files overriding earlier ones', () => {
    const r = loadRuleFiles([base, local], { fieldSets });
    expect(r.ok).toBe(true);
    expect(r.ruleset!.rule('r1')!.compiledCondition).toBe('(evt.type = execve and proc.name in (bash, zsh))');
    expect(validateRuleFiles([local, base], { fieldSets }).ok).toBe(false);
  });

  it('formats diagnostics as file:line:col: level: code: message and as JSON objects', () => {
    const v = validateRuleFiles([local, base], { fieldSets });
    const d = v.diagnostics.find((x) => x.level === 'error')!;
    expect(formatDiagnostic(d)).toBe(`${local}:1:3: error: LOAD_ERR_VALIDATE: ${d.message}`);
    expect(diagnosticToJson(d)).toEqual({
      level: 'error',
      code: 'LOAD_ERR_VALIDATE',
      file: local,
      line: 1,
      col: 3,
      message: d.message,
    });
    const withRule = validateRuleFiles([base], { fieldSets: [sinspFieldSet()] });
    expect(withRule.ok).toBe(true);
  });

  it('reports an unreadable file as LOAD_ERR_FILE_READ', () => {
    const v = validateRuleFiles([join(dir, 'missing.yaml')], { fieldSets });
    expect(v.ok).toBe(false);
    expect(v.diagnostics[0]!.code).toBe('LOAD_ERR_FILE_READ');
  });

  it('lists rules with priority, source, tags (sorted) and place', () => {
    const rules = listRules(loadRuleFiles([base, local], { fieldSets }));
    expect(rules.map((r) => [r.name, r.priority, r.source, r.tags.join(','), r.file, r.line])).toEqual([
      ['r1', 'Warning', 'syscall', '', base, 3],
      ['r2', 'Warning', 'syscall', 'a,b', local, 5],
    ]);
    const table = formatRuleList(rules).split('\n');
    expect(table[0]).toMatch(/^RULE\s+PRIORITY\s+SOURCE\s+ENABLED\s+TAGS$/);
    expect(table[2]).toMatch(/^r2\s+Warning\s+syscall\s+yes\s+a,b$/);
  });

  it('lists rules without compiling them, across sources, with append/override applied', () => {
    const other = join(dir, 'other.yaml');
    writeFileSync(
      other,
      `${rule('k', 'ka.verb = get', '  source: k8s_audit\n')}- rule: r1\n  enabled: false\n`,
    );
    const listing = listRuleFiles([base, other]);
    expect(listing.ok).toBe(true);
    expect(listing.rules.map((r) => [r.name, r.source, r.enabled])).toEqual([
      ['r1', 'syscall', false],
      ['k', 'k8s_audit', true],
    ]);
    expect(listing.diagnostics.map((d) => d.code)).toEqual(['LOAD_DEPRECATED_ITEM']);
    const broken = listRuleFiles([join(dir, 'missing.yaml')]);
    expect(broken.ok).toBe(false);
    expect(broken.diagnostics[0]!.code).toBe('LOAD_ERR_FILE_READ');
  });
});
