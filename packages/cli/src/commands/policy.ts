import { formatDiagnostic } from '@sysray/falco-rules';
import {
  loadSysFlowPolicyFiles,
  type PolicyAlert,
  runPolicy,
  SysFlowEntityTables,
} from '@sysray/sysflow-format';
import type { Command } from '../command.js';
import { InputError } from '../errors.js';
import { chunksWithProgress, openInput } from '../input.js';

/** One text line for a policy alert: time, priority, the matching rules, the first rule's output. */
export function policyAlertLine(alert: PolicyAlert): string {
  const rules = alert.rules.map((r) => r.rule).join(', ');
  const output = alert.rules.find((r) => r.output)?.output;
  return `${alert.time || '-'} ${alert.priority} ${alert.type} [${rules}]${output ? ` ${output}` : ''}`;
}

/**
 * `sysray policy run POLICY.yaml FILE.sf [--json]`: an sf-processor policy (filters and rules over the
 * `sf.*` fields) over a SysFlow file.
 */
export const policyRunCommand: Command = {
  name: 'policy run',
  summary: 'run a SysFlow policy (sf-processor rules over sf.* fields) over a SysFlow file',
  description: [
    'Run an sf-processor policy over a SysFlow file: its records are resolved to their processes,',
    'containers and files, dropped when a filter matches, and checked against every enabled rule',
    '(flows and events). Each record that matches a rule is printed as one line: time, priority (low,',
    'medium, high), record type, the matching rules and the first rule’s output. With --json, one JSON',
    'alert per line: `recordIndex`, `type`, `ts`, `time`, `alert`, `priority`, `tags`, `rules` (each with',
    '`rule`, `priority`, `tags`, `actions`, `output`, `output_fields`, `file`, `line`), `record`, `context`.',
    'A policy that does not load is reported as `file:line:col: error: CODE: message` (exit 1).',
  ].join('\n'),
  arguments: [
    { name: 'POLICY', description: 'the policy file (.yaml)' },
    { name: 'FILE', description: 'a .sf file, or - for standard input' },
  ],
  options: {
    json: { type: 'boolean', short: 'j', description: 'print NDJSON, one alert per line' },
    all: {
      type: 'boolean',
      description: 'every record no filter drops, with the rules it matches (possibly none)',
    },
    verbose: { type: 'boolean', short: 'v', description: 'also print the policy’s load warnings on stderr' },
    'no-progress': { type: 'boolean', description: 'never draw a progress bar' },
  },
  examples: [
    { command: 'sysray policy run ttps.yaml trace.sf', description: 'the records the policy alerts on' },
    {
      command: "sysray policy run ttps.yaml trace.sf --json | jq -r '.rules[].rule' | sort | uniq -c",
      description: 'how often each rule matched',
    },
  ],
  exitStatus: '0 ok (with or without alerts), 1 the policy or the file could not be read, 2 usage error.',
  async run({ args, options, stdout, stderr, progress }) {
    const policies = [args[0]!];
    const file = args[1]!;
    const tables = new SysFlowEntityTables();
    const loaded = loadSysFlowPolicyFiles(policies, { tables });
    const errors = loaded.diagnostics.filter((d) => d.level === 'error');
    if (options.verbose === true)
      for (const d of loaded.diagnostics) if (d.level === 'warning') stderr.line(formatDiagnostic(d));
    if (!loaded.ok || !loaded.policy) {
      for (const d of errors.slice(0, -1)) stderr.line(`sysray: ${formatDiagnostic(d)}`);
      const last = errors[errors.length - 1];
      throw new InputError('POLICY_LOAD', last ? formatDiagnostic(last) : 'the policy did not load');
    }
    const input = await openInput(file);
    const json = options.json === true;
    const bar = progress({
      ...(input.fileSize === undefined ? {} : { total: input.fileSize }),
      label: file,
      sharesTerminalWithStdout: true,
    });
    for await (const alert of runPolicy(loaded.policy, chunksWithProgress(input, bar), {
      sourceName: file,
      tables,
      mode: options.all === true ? 'filter' : 'alert',
    })) {
      stdout.line(json ? JSON.stringify(alert) : policyAlertLine(alert));
      if (stdout.full) await stdout.flush();
    }
    return 0;
  },
};
