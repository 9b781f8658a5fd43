/**
 * Behaviours checked by Falco's rule-loader unit tests (unit_tests/engine/test_rule_loader.cpp),
 * re-expressed against this loader.
 */
import { describe, expect, it } from 'vitest';
import { type Diagnostic, type LoadResult, loadRules } from '../../src/index.js';
import { sinspFieldSet, type TestEvent } from '../helpers.js';

const fieldSets = [sinspFieldSet()];

function load(yaml: string, name = 'rules.yaml'): LoadResult<TestEvent> {
  return loadRules([{ name, content: yaml }], { fieldSets });
}

function compiled(r: LoadResult<TestEvent>, rule: string): string | undefined {
  return r.ruleset?.rule(rule)?.compiledCondition;
}

function messages(r: LoadResult<TestEvent>, level: Diagnostic['level']): string[] {
  return r.diagnostics.filter((d) => d.level === level).map((d) => d.message);
}

function hasMessage(r: LoadResult<TestEvent>, level: Diagnostic['level'], part: string): boolean {
  return messages(r, level).some((m) => m.includes(part));
}

const RULE = `
- rule: legit_rule
  desc: legit rule description
  condition: evt.type=open
  output: user=%user.name command=%proc.cmdline file=%fd.name
  priority: INFO
`;

describe('rule loader: append and override', () => {
  it('appends list items with override items: append', () => {
    const r = load(`
- list: shell_binaries
  items: [ash, bash, csh, ksh, sh, tcsh, zsh, dash]
- rule: legit_rule
  desc: legit rule description
  condition: evt.type=open and proc.name in (shell_binaries)
  output: user=%user.name command=%proc.cmdline file=%fd.name
  priority: INFO
- list: shell_binaries
  items: [pwsh]
  override:
    items: append
`);
    expect(r.ok).toBe(true);
    expect(compiled(r, 'legit_rule')).toBe(
      '(evt.type = open and proc.name in (ash, bash, csh, ksh, sh, tcsh, zsh, dash, pwsh))',
    );
  });

  it('appends a macro condition with override condition: append', () => {
    const r = load(`
- macro: interactive
  condition: >
    ((proc.aname=sshd and proc.name != sshd) or
    proc.name=systemd-logind or proc.name=login)
- rule: legit_rule
  desc: legit rule description
  condition: evt.type=open and interactive
  output: user=%user.name command=%proc.cmdline file=%fd.name
  priority: INFO
- macro: interactive
  condition: or proc.name = ssh
  override:
    condition: append
`);
    expect(r.ok).toBe(true);
    expect(compiled(r, 'legit_rule')).toBe(
      '(evt.type = open and (((proc.aname = sshd and proc.name != sshd) or proc.name = systemd-logind or proc.name = login) or proc.name = ssh))',
    );
  });

  it('appends condition, output and desc of a rule, without the deprecation warning', () => {
    const r = load(`${RULE}
- rule: legit_rule
  desc: with append
  condition: and proc.name = cat
  output: proc=%proc.name
  override:
    desc: append
    condition: append
    output: append
`);
    expect(r.ok).toBe(true);
    const rule = r.ruleset!.rule('legit_rule')!;
    expect(rule.condition).toBe('evt.type=open and proc.name = cat');
    expect(rule.output.format).toBe('user=%user.name command=%proc.cmdline file=%fd.name proc=%proc.name');
    expect(rule.desc).toBe('legit rule description with append');
    expect(r.diagnostics.some((d) => d.code === 'LOAD_DEPRECATED_ITEM')).toBe(false);
  });

  it('appends with the deprecated append: true and warns about it', () => {
    const r = load(`${RULE}
- rule: legit_rule
  condition: and proc.name = cat
  append: true
`);
    expect(r.ok).toBe(true);
    expect(hasMessage(r, 'warning', "'append' key is deprecated")).toBe(true);
    expect(compiled(r, 'legit_rule')).toBe('(evt.type = open and proc.name = cat)');
  });

  it('replaces desc and condition, keeps the output', () => {
    const r = load(`${RULE}
- rule: legit_rule
  desc: a replaced legit description
  condition: evt.type = close
  override:
    desc: replace
    condition: replace
`);
    const rule = r.ruleset!.rule('legit_rule')!;
    expect(rule.condition).toBe('evt.type = close');
    expect(rule.output.format).toBe('user=%user.name command=%proc.cmdline file=%fd.name');
    expect(rule.desc).toBe('a replaced legit description');
  });

  it('mixes append and replace, and parses the replaced priority', () => {
    const r = load(`${RULE}
- rule: legit_rule
  desc: a replaced legit description
  condition: and proc.name = cat
  priority: WARNING
  override:
    desc: replace
    condition: append
    priority: replace
`);
    const rule = r.ruleset!.rule('legit_rule')!;
    expect(rule.condition).toBe('evt.type=open and proc.name = cat');
    expect(rule.priority).toBe('Warning');
  });

  it('refuses to append to priority, pointing at the override key', () => {
    const r = load(`${RULE}
- rule: legit_rule
  desc: an appended incorrect field
  condition: and proc.name = cat
  priority: WARNING
  override:
    desc: replace
    condition: append
    priority: append
`);
    expect(r.ok).toBe(false);
    expect(hasMessage(r, 'error', "Key 'priority' cannot be appended to, use 'replace' instead")).toBe(true);
    const err = r.diagnostics.find((d) => d.level === 'error')!;
    expect(err.line).toBe(15);
  });

  it('refuses override together with append: true, after warning about append', () => {
    const r = load(`${RULE}
- rule: legit_rule
  desc: an appended incorrect field
  condition: and proc.name = cat
  append: true
  override:
    desc: replace
    condition: append
`);
    expect(r.ok).toBe(false);
    expect(hasMessage(r, 'warning', "'append' key is deprecated")).toBe(true);
    expect(hasMessage(r, 'error', "Keys 'override' and 'append: true' cannot be used together")).toBe(true);
  });

  it.each([
    ['override append', 'override:\n    condition: append'],
    ['append: true', 'append: true'],
  ])('refuses a macro %s before the macro is defined', (_, how) => {
    const r = load(`
- macro: open_simple
  condition: or evt.type = openat2
  ${how}
- macro: open_simple
  condition: evt.type in (open,openat)
- rule: test_rule
  desc: simple rule
  condition: open_simple
  output: command=%proc.cmdline
  priority: INFO
`);
    expect(r.ok).toBe(false);
    expect(
      hasMessage(
        r,
        'error',
        "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists",
      ),
    ).toBe(true);
  });

  it('lets a macro override replace before the definition, the later definition winning', () => {
    const r = load(`
- macro: open_simple
  condition: or evt.type = openat2
  override:
    condition: replace
- macro: open_simple
  condition: evt.type in (open,openat)
- rule: test_rule
  desc: simple rule
  condition: open_simple
  output: command=%proc.cmdline
  priority: INFO
`);
    expect(r.ok).toBe(true);
    expect(compiled(r, 'test_rule')).toBe('evt.type in (open, openat)');
  });

  it.each([
    ['override:\n    condition: append', 'no rule by that name already exists'],
    [
      'override:\n    condition: replace',
      "An 'override.<key>: replace' to a rule was requested but no rule by that name",
    ],
    ['append: true', 'no rule by that name already exists'],
  ])('refuses a rule %s before the rule is defined', (how, msg) => {
    const r = load(`
- rule: test_rule
  condition: and proc.name = cat
  ${how}
- rule: test_rule
  desc: simple rule
  condition: evt.type in (open,openat)
  output: command=%proc.cmdline
  priority: INFO
`);
    expect(r.ok).toBe(false);
    expect(hasMessage(r, 'error', msg)).toBe(true);
  });

  it.each(['override:\n    condition: append', 'append: true'])(
    'appends to a rule defined before (%s)',
    (how) => {
      const r = load(`
- rule: test_rule
  desc: simple rule
  condition: evt.type in (open,openat)
  output: command=%proc.cmdline
  priority: INFO
- rule: test_rule
  condition: and proc.name = cat
  ${how}
`);
      expect(r.ok).toBe(true);
      expect(compiled(r, 'test_rule')).toBe('(evt.type in (open, openat) and proc.name = cat)');
    },
  );

  it('ignores a misspelled override key (with an unknown-key warning): the list is redefined', () => {
    const r = load(`
- list: dev_creation_binaries
  items: ["csi-provisioner", "csi-attacher"]
  overridde:
    items: append
- list: dev_creation_binaries
  items: [blkid]
- rule: test_rule
  desc: simple rule
  condition: evt.type = execve and proc.name in (dev_creation_binaries)
  output: command=%proc.cmdline
  priority: INFO
`);
    expect(r.ok).toBe(true);
    expect(compiled(r, 'test_rule')).toBe('(evt.type = execve and proc.name in (blkid))');
    const w = r.diagnostics.find((d) => d.code === 'LOAD_UNKNOWN_KEY')!;
    expect(w.message).toContain("'overridde'");
    expect([w.line, w.col]).toEqual([4, 3]);
  });

  it.each([
    ['override:\n    items: append', false, '(evt.type = execve and proc.name in (blkid))'],
    ['override:\n    items: replace', true, '(evt.type = execve and proc.name in (blkid))'],
    ['append: true', false, ''],
  ])('list %s before the definition: ok=%s', (how, ok, expected) => {
    const r = load(`
- list: dev_creation_binaries
  items: ["csi-provisioner", "csi-attacher"]
  ${how}
- list: dev_creation_binaries
  items: [blkid]
- rule: test_rule
  desc: simple rule
  condition: evt.type = execve and proc.name in (dev_creation_binaries)
  output: command=%proc.cmdline
  priority: INFO
`);
    expect(r.ok).toBe(ok);
    if (ok) expect(compiled(r, 'test_rule')).toBe(expected);
    else
      expect(
        hasMessage(r, 'error', "List uses 'append' or 'override.items: append' but no list by that name"),
      ).toBe(true);
  });

  it.each(['override:\n    items: append', 'append: true'])(
    'appends list items after the definition (%s)',
    (how) => {
      const r = load(`
- list: dev_creation_binaries
  items: [blkid]
- list: dev_creation_binaries
  items: ["csi-provisioner", "csi-attacher"]
  ${how}
- rule: test_rule
  desc: simple rule
  condition: evt.type = execve and proc.name in (dev_creation_binaries)
  output: command=%proc.cmdline
  priority: INFO
`);
      expect(compiled(r, 'test_rule')).toBe(
        '(evt.type = execve and proc.name in (blkid, csi-provisioner, csi-attacher))',
      );
    },
  );

  it('requires an overridden key to be present, and every present key to be overridden', () => {
    const missing = load(`${RULE}
- rule: legit_rule
  desc: an appended incorrect field
  override:
    desc: replace
    condition: append
`);
    expect(
      hasMessage(
        missing,
        'error',
        "An append override for 'condition' was specified but 'condition' is not defined",
      ),
    ).toBe(true);
    const extra = load(`${RULE}
- rule: legit_rule
  desc: an appended incorrect field
  condition: and proc.name = cat
  priority: WARNING
  override:
    desc: replace
    condition: append
`);
    expect(hasMessage(extra, 'error', "Unexpected key 'priority'")).toBe(true);
    const noEnabled = load(`${RULE}  enabled: false
- rule: legit_rule
  desc: missing enabled key
  condition: and proc.name = cat
  override:
    desc: replace
    condition: append
    enabled: replace
`);
    expect(hasMessage(noEnabled, 'error', "'enabled' was specified but 'enabled' is not defined")).toBe(true);
  });
});

describe('rule loader: enabled', () => {
  it('enables a disabled rule through override enabled: replace, with no warnings', () => {
    const r = load(`${RULE}  enabled: false
- rule: legit_rule
  desc: correct override
  condition: and proc.name = cat
  enabled: true
  override:
    desc: replace
    condition: append
    enabled: replace
`);
    expect(r.ok).toBe(true);
    expect(r.diagnostics).toEqual([]);
    expect(r.ruleset!.rule('legit_rule')!.enabled).toBe(true);
  });

  it('keeps a rule with enabled: false loaded but disabled, with no warnings', () => {
    const r = load(`${RULE}  enabled: false\n`);
    expect(r.diagnostics).toEqual([]);
    expect(r.ruleset!.rules.filter((x) => x.enabled).length).toBe(0);
  });

  it('enables with a standalone enabled key, warning that it is deprecated', () => {
    const r = load(`${RULE}  enabled: false
- rule: legit_rule
  enabled: true
`);
    expect(r.ok).toBe(true);
    expect(hasMessage(r, 'warning', "The standalone 'enabled' key usage is deprecated")).toBe(true);
    expect(r.ruleset!.rule('legit_rule')!.enabled).toBe(true);
  });

  it('ignores enabled on an append: true', () => {
    const r = load(`${RULE}  enabled: false
- rule: legit_rule
  condition: and proc.name = cat
  append: true
  enabled: true
`);
    expect(r.ok).toBe(true);
    expect(r.ruleset!.rule('legit_rule')!.enabled).toBe(false);
  });

  it('replaces a rule completely when it is defined twice', () => {
    const r = load(`${RULE}  enabled: false
- rule: legit_rule
  desc: redefined rule syntax
  condition: proc.name = cat
  output: user=%user.name command=%proc.cmdline file=%fd.name
  priority: WARNING
  enabled: true
`);
    expect(r.ruleset!.rules.length).toBe(1);
    expect(compiled(r, 'legit_rule')).toBe('proc.name = cat');
  });
});

describe('rule loader: versions', () => {
  it.each(['0.26.0', '26'])('accepts required_engine_version %s without warnings', (v) => {
    const r = load(`- required_engine_version: ${v}\n${RULE}`);
    expect(r.ok).toBe(true);
    expect(r.diagnostics).toEqual([]);
  });

  it('rejects an engine version that is not semver', () => {
    const r = load(`- required_engine_version: seven\n${RULE}`);
    expect(hasMessage(r, 'error', 'Unable to parse engine version')).toBe(true);
  });

  it('rejects rules that need a newer engine', () => {
    const r = loadRules([{ name: 'r.yaml', content: `- required_engine_version: 0.99.0\n${RULE}` }], {
      fieldSets,
      engineVersion: '0.57.0',
    });
    expect(hasMessage(r, 'error', 'Rules require engine version 0.99.0, but engine version is 0.57.0')).toBe(
      true,
    );
  });

  it('checks required plugin versions against loaded plugins when given', () => {
    const yaml = `- required_plugin_versions:\n    - name: container\n      version: 0.4.0\n${RULE}`;
    expect(
      loadRules([{ name: 'r.yaml', content: yaml }], { fieldSets, plugins: { container: '0.4.2' } }).ok,
    ).toBe(true);
    expect(
      loadRules([{ name: 'r.yaml', content: yaml }], { fieldSets, plugins: { container: '0.3.0' } }).ok,
    ).toBe(false);
    expect(loadRules([{ name: 'r.yaml', content: yaml }], { fieldSets, plugins: {} }).ok).toBe(false);
  });
});
