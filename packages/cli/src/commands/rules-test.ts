import { formatDiagnostic } from '@sysray/falco-rules';
import { formatRuleTestReport, InspectorError, type RuleTestReport, runRuleTests } from '@sysray/inspector';
import { styleTestReport } from '../colour.js';
import type { Command, CommandContext, OptionValues } from '../command.js';
import { EXIT_OK, EXIT_USAGE_ERROR } from '../errors.js';

/** Exit status of `rules test` when a test failed (the spec itself was fine). */
const EXIT_TEST_FAILED = 1;

function stringList(options: OptionValues, name: string): string[] {
  const raw = options[name];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
}

/** The lines that say why a spec could not be run: `CODE: message`, with every rules-load error. */
function inputErrorLines(error: unknown): string[] | undefined {
  if (error instanceof InspectorError) {
    if (error.code === 'RULES_LOAD' && error.diagnostics) {
      const errors = error.diagnostics.filter((d) => d.level === 'error');
      if (errors.length > 0) return errors.map((d) => `RULES_LOAD: ${formatDiagnostic(d)}`);
    }
    return [`${error.code}: ${error.message}`];
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof Error && typeof code === 'string') return [`${code}: ${error.message}`];
  return undefined;
}

/**
 * `sysray rules test SPEC... [--rules R.yaml] [--json]`: rule tests — crafted events or a capture, and the
 * alerts each rule must or must not raise.
 */
export const rulesTestCommand: Command = {
  name: 'rules test',
  summary: 'test Falco rules against specs: crafted events or captures, and the alerts they must raise',
  description: [
    'Run rule-test specs (YAML or JSON). A spec lists tests; each test names a capture file or lists',
    'events (written into a capture with the scap encoder: `type`, `tid`, `params`, with flags, fds',
    'and errnos by name: `O_WRONLY|O_TRUNC`, `AT_FDCWD`, `-ENOENT`), and says which rules must fire',
    '(`expect`, on the test or on one event), must not fire (`expect_not`), or that nothing else may',
    '(`no_other_alerts: true`). Every rule is evaluated on every event. The rules files come from',
    'the spec’s `rules` (relative to the spec) or from --rules, which replaces them.',
    '',
    'Each test prints PASS or FAIL; a failure names the rule, the event (as `sysray events` prints it)',
    'and, for a rule that did not fire, the parts of its condition that were false there. With --json,',
    'one object per test (NDJSON): `spec`, `name`, `passed`, `alerts` ({rule, event}), `failures`',
    '({rule, message, event, eventText, failedConditions}). Specs that cannot be run (unreadable or',
    'malformed spec, rules that do not load, unreadable capture) are reported on stderr as',
    '`sysray: CODE: message` with the spec’s file:line.',
  ].join('\n'),
  arguments: [{ name: 'SPEC', description: 'rule-test spec files (.yaml, .yml or .json)', variadic: true }],
  options: {
    rules: {
      type: 'string',
      short: 'r',
      multiple: true,
      valueName: 'FILE',
      description: 'rules file, instead of the spec’s `rules` (may repeat, loaded in order)',
    },
    json: { type: 'boolean', short: 'j', description: 'print NDJSON, one object per test' },
  },
  examples: [
    { command: 'sysray rules test shell.yaml', description: 'run a spec with the rules it names' },
    {
      command: 'sysray rules test -r falco_rules.yaml -r my_rules.yaml specs/*.yaml',
      description: 'run every spec against the default rules plus local ones',
    },
    {
      command: "sysray rules test specs/*.yaml --json | jq -r 'select(.passed | not) | .name'",
      description: 'the names of the failing tests',
    },
  ],
  exitStatus:
    '0 every test passed, 1 a test failed, 2 usage error or a spec could not be run (unreadable or malformed spec, rules that do not load, unreadable capture).',
  async run({ args, options, stdout, stderr, colour }: CommandContext) {
    const rules = stringList(options, 'rules');
    const json = options.json === true;
    let failed = false;
    let broken = false;
    for (const spec of args) {
      let report: RuleTestReport;
      try {
        report = await runRuleTests(spec, rules.length > 0 ? { rules } : {});
      } catch (error) {
        const lines = inputErrorLines(error);
        if (!lines) throw error;
        for (const line of lines) stderr.line(`sysray: ${line}`);
        broken = true;
        continue;
      }
      if (!report.passed) failed = true;
      if (json) for (const r of report.results) stdout.line(JSON.stringify({ spec, ...r }));
      else stdout.line(styleTestReport(formatRuleTestReport(report), colour));
      if (stdout.full) await stdout.flush();
    }
    return broken ? EXIT_USAGE_ERROR : failed ? EXIT_TEST_FAILED : EXIT_OK;
  },
};
