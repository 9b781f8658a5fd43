import {
  type Diagnostic,
  diagnosticToJson,
  formatDiagnostic,
  formatRuleList,
  listRuleFiles,
  PRIORITIES,
  type Priority,
  parsePriority,
  validateRuleFiles,
} from '@sysray/falco-rules';
import { InspectorError, providedPlugins, runRulesOnCapture, syscallFieldSets } from '@sysray/inspector';
import { styleAlertLine } from '../colour.js';
import type { Command, CommandContext, OptionValues } from '../command.js';
import { InputError, UsageError } from '../errors.js';
import { openInput } from '../input.js';
import { unwrapCaptureError } from './events.js';
import { runPluginRules } from './rules-plugin.js';

function counts(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  const errors = diagnostics.filter((d) => d.level === 'error').length;
  return { errors, warnings: diagnostics.length - errors };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function stringList(options: OptionValues, name: string): string[] {
  const raw = options[name];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
}

/**
 * `sysray rules validate FILE... [--json]`: loads Falco rules files as Falco would, against the syscall and
 * container fields of `@sysray/inspector`, and prints every error and warning.
 */
export const rulesValidateCommand: Command = {
  name: 'rules validate',
  summary: 'check Falco rules files as Falco loads them: every error and warning, with file:line:col',
  description: [
    'Load Falco rules files in order, as Falco does (lists, macros, appends and overrides across files),',
    'and compile every condition and output against the syscall fields (evt.*, proc.*, fd.*, user.*, …)',
    'and the container plugin’s fields (container.*, k8s.*). Each error and warning is printed as',
    '`file:line:col: level: CODE: message`, then a summary line. With --json, one JSON object per',
    'diagnostic (NDJSON): `level`, `code`, `file`, `line`, `col`, `message`, and `rule` when it belongs',
    'to a rule. Loading stops at the first error, as in Falco.',
  ].join('\n'),
  arguments: [
    { name: 'FILE', description: 'rules files (.yaml), loaded in the order given', variadic: true },
  ],
  options: {
    json: { type: 'boolean', short: 'j', description: 'print NDJSON, one object per diagnostic' },
  },
  examples: [
    { command: 'sysray rules validate falco_rules.yaml', description: 'check the default ruleset' },
    {
      command: 'sysray rules validate falco_rules.yaml my_rules.yaml',
      description: 'check local rules that append to and override the default ones',
    },
    {
      command: 'sysray rules validate my_rules.yaml --json | jq -r \'select(.level=="error") | .message\'',
      description: 'the error messages, with jq',
    },
  ],
  exitStatus: '0 no errors (warnings allowed), 1 errors, 2 usage error.',
  run({ args, options, stdout }) {
    const result = validateRuleFiles(args, { fieldSets: syscallFieldSets(), plugins: providedPlugins() });
    if (options.json === true) {
      for (const d of result.diagnostics) stdout.line(JSON.stringify(diagnosticToJson(d)));
    } else {
      for (const d of result.diagnostics) stdout.line(formatDiagnostic(d));
      const { errors, warnings } = counts(result.diagnostics);
      stdout.line(
        `${args.join(', ')}: ${result.ok ? 'ok' : 'failed'} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`,
      );
    }
    return result.ok ? 0 : 1;
  },
};

/** `sysray rules list FILE... [--json]`: the rules of Falco rules files, after appends and overrides. */
export const rulesListCommand: Command = {
  name: 'rules list',
  summary: 'list the rules of Falco rules files: name, priority, source, enabled, tags',
  description: [
    'List the rules of Falco rules files, read in order with appends and overrides applied (conditions',
    'are not compiled: see `sysray rules validate`): one row per rule with its name, priority, source,',
    'whether it is enabled, and its tags. With --json, one JSON object per rule (NDJSON): `name`, `desc`,',
    '`priority`, `source`, `tags`, `enabled`, `file`, `line`. Errors reading the files are printed on',
    'stderr as `file:line:col: error: CODE: message`.',
  ].join('\n'),
  arguments: [{ name: 'FILE', description: 'rules files (.yaml), read in the order given', variadic: true }],
  options: {
    json: { type: 'boolean', short: 'j', description: 'print NDJSON, one object per rule' },
  },
  examples: [
    { command: 'sysray rules list falco_rules.yaml', description: 'a table of the default rules' },
    {
      command: "sysray rules list falco_rules.yaml --json | jq -r 'select(.enabled) | .name'",
      description: 'the names of the enabled rules',
    },
  ],
  exitStatus: '0 ok, 1 a file could not be read or parsed, 2 usage error.',
  run({ args, options, stdout, stderr }) {
    const listing = listRuleFiles(args);
    for (const d of listing.diagnostics) if (d.level === 'error') stderr.line(formatDiagnostic(d));
    if (options.json === true) for (const rule of listing.rules) stdout.line(JSON.stringify(rule));
    else if (listing.ok) stdout.line(formatRuleList(listing.rules));
    return listing.ok ? 0 : 1;
  },
};

function priorityOption(options: OptionValues): Priority | undefined {
  const raw = options['min-priority'];
  if (typeof raw !== 'string') return undefined;
  const priority = parsePriority(raw);
  if (priority === undefined)
    throw new UsageError(
      `unknown priority '${raw}' for --min-priority (one of ${PRIORITIES.join(', ')})`,
      'rules run',
    );
  return priority;
}

/**
 * `sysray rules run --rules R.yaml CAPTURE [--json]`: Falco on a capture file — the alerts the rules raise,
 * as Falco prints them.
 */
export const rulesRunCommand: Command = {
  name: 'rules run',
  summary:
    'run Falco rules over a Falco capture (.scap) or plugin events and print the alerts (text or Falco JSON)',
  description: [
    'Run Falco rules over a Falco capture (.scap, plain or gzip-compressed), as Falco does with',
    '`-r RULES -e CAPTURE`: the capture’s process, fd, user and container state is rebuilt from its',
    'metadata and events, and each event Falco would evaluate is matched against the rules (first',
    'matching rule, or every one with --all). Each alert is printed as Falco’s output line',
    '(`<time>: <Priority> <message>`); with --json, Falco’s JSON output, one object per line: `time`,',
    '`rule`, `priority`, `output`, `output_fields`, `source`, `tags`, `hostname`. Rules that fail to load',
    'are reported as `file:line:col: error: CODE: message` on stderr (exit 1).',
    '',
    'With --plugin instead of CAPTURE, the events come from a Falco source plugin (a shared library',
    'built against plugin API 3.x, `LIB.so[:CONFIG]` as Falco takes it, or a JavaScript module whose',
    'default export is a TypeScript plugin definition, `MODULE.mjs[:CONFIG]`); the first plugin with',
    'the event sourcing capability produces the events, every plugin contributes its fields, and the',
    'rules with that plugin’s `source:` run on them.',
  ].join('\n'),
  arguments: [
    {
      name: 'CAPTURE',
      description: 'a .scap or .scap.gz capture, or - for standard input (not with --plugin)',
      required: false,
    },
  ],
  options: {
    rules: {
      type: 'string',
      short: 'r',
      multiple: true,
      valueName: 'FILE',
      description: 'rules file (required; may repeat, loaded in order)',
    },
    plugin: {
      type: 'string',
      multiple: true,
      valueName: 'LIB.so[:CONFIG]',
      description: 'take events from this source plugin instead of a capture (may repeat: field plugins)',
    },
    'open-params': {
      type: 'string',
      valueName: 'PARAMS',
      description: 'with --plugin: the open parameters of the source plugin',
    },
    json: { type: 'boolean', short: 'j', description: 'print Falco JSON alerts, one per line' },
    all: { type: 'boolean', description: 'an alert for every matching rule, not only the first' },
    'min-priority': {
      type: 'string',
      valueName: 'PRIORITY',
      description: 'only rules at this priority or more severe (warning, error, …)',
    },
    hostname: {
      type: 'string',
      valueName: 'NAME',
      description: 'host name in alerts (default: the capture’s)',
    },
    verbose: { type: 'boolean', short: 'v', description: 'also print the rules’ load warnings on stderr' },
    'no-progress': { type: 'boolean', description: 'never draw a progress bar' },
  },
  examples: [
    {
      command: 'sysray rules run --rules falco_rules.yaml capture.scap',
      description: 'the alerts of the default ruleset, as Falco prints them',
    },
    {
      command: 'sysray rules run -r falco_rules.yaml -r my_rules.yaml capture.scap.gz --json | jq -r .rule',
      description: 'the rules that fired, with local rules loaded after the default ones',
    },
    {
      command:
        'sysray rules run --plugin /usr/share/falco/plugins/libcloudtrail.so --open-params s3://bucket/ -r aws_cloudtrail_rules.yaml --json',
      description: 'rules with `source: aws_cloudtrail` on the events of the CloudTrail plugin',
    },
  ],
  exitStatus:
    '0 ok (with or without alerts), 1 the rules, the capture or a plugin could not be read or failed, 2 usage error.',
  async run(context: CommandContext) {
    const { args, options, stdout, stderr, colour } = context;
    const rules = stringList(options, 'rules');
    if (rules.length === 0) throw new UsageError('missing --rules FILE', 'rules run');
    const minPriority = priorityOption(options);
    const plugins = stringList(options, 'plugin');
    if (plugins.length > 0) {
      if (args.length > 0)
        throw new UsageError(
          `unexpected argument '${args[0]}': --plugin and CAPTURE exclude each other`,
          'rules run',
        );
      await runPluginRules(context, plugins, {
        rules,
        json: options.json === true,
        all: options.all === true,
        hostname: typeof options.hostname === 'string' ? options.hostname : undefined,
        openParams: typeof options['open-params'] === 'string' ? options['open-params'] : undefined,
        minPriority,
        verbose: options.verbose === true,
      });
      return 0;
    }
    if (typeof options['open-params'] === 'string')
      throw new UsageError('--open-params needs --plugin', 'rules run');
    const file = args[0];
    if (file === undefined) throw new UsageError('missing CAPTURE argument (or --plugin)', 'rules run');
    const input = await openInput(file);
    const progress = context.progress({
      label: file === '-' ? 'stdin' : file,
      sharesTerminalWithStdout: true,
    });
    const json = options.json === true;
    try {
      const alerts = runRulesOnCapture(input.source, rules, {
        ruleMatching: options.all === true ? 'all' : 'first',
        ...(minPriority === undefined ? {} : { minPriority }),
        ...(typeof options.hostname === 'string' ? { hostname: options.hostname } : {}),
        onDiagnostics: (diagnostics) => {
          if (options.verbose === true) for (const d of diagnostics) stderr.line(formatDiagnostic(d));
        },
      });
      for await (const alert of alerts) {
        stdout.line(json ? JSON.stringify(alert) : styleAlertLine(alert.output, alert.priority, colour));
        if (stdout.full) await stdout.flush();
      }
    } catch (error) {
      if (error instanceof InspectorError && error.code === 'RULES_LOAD') {
        const diagnostics = (error as InspectorError & { diagnostics?: Diagnostic[] }).diagnostics ?? [];
        const errors = diagnostics.filter((d) => d.level === 'error');
        for (const d of errors.slice(0, -1)) stderr.line(`sysray: ${formatDiagnostic(d)}`);
        const last = errors[errors.length - 1];
        throw new InputError('RULES_LOAD', last ? formatDiagnostic(last) : error.message);
      }
      throw unwrapCaptureError(error);
    } finally {
      progress.done();
    }
    return 0;
  },
};
