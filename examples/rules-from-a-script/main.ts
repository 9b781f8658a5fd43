/**
 * rules-from-a-script: Falco's official rules plus this example's own rules over a capture; notable alerts
 * printed as they come, a JSON summary written at the end, and an exit status a CI job or cron script can
 * act on.
 *
 *   tsx main.ts [CAPTURE.scap] [--rules R.yaml]... [--out summary.json] [--fail-on PRIORITY]
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Priority, parsePriority } from '@sysray/falco-rules';
import { atLeast, evaluateCapture } from './summary.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** Test data next to the repository (see ../shared/testdata/README.md): Falco's rules and a real capture. */
const OFFICIAL_RULES = here('../../../shared/testdata/falco-rules/falco_rules.yaml');
const DEFAULT_CAPTURE = here('../../../shared/testdata/sysflow-pairs/client-server_tcp-client-server.scap');
const OWN_RULES = here('rules/example_rules.yaml');

function usage(message: string): never {
  console.error(`rules-from-a-script: ${message}`);
  console.error('usage: tsx main.ts [CAPTURE] [--rules R.yaml]... [--out FILE.json] [--fail-on PRIORITY]');
  process.exit(2);
}

function priorityOption(value: string | undefined, name: string): Priority | undefined {
  if (value === undefined) return undefined;
  return parsePriority(value) ?? usage(`--${name}: unknown priority '${value}'`);
}

function parseCommandLine() {
  return parseArgs({
    allowPositionals: true,
    options: {
      rules: { type: 'string', short: 'r', multiple: true },
      out: { type: 'string', short: 'o', default: 'alerts-summary.json' },
      'fail-on': { type: 'string' },
      notable: { type: 'string', default: 'warning' },
    },
  });
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (error) {
    usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) usage('one capture at most');
  const capture = positionals[0] ?? DEFAULT_CAPTURE;
  const rules = values.rules ?? [OFFICIAL_RULES, OWN_RULES];
  const failOn = priorityOption(values['fail-on'], 'fail-on');
  const notable = priorityOption(values.notable, 'notable');

  const summary = await evaluateCapture(capture, rules, {
    ...(notable ? { notable } : {}),
    // Acting on each alert as it comes: here, print the notable ones on stderr.
    onAlert: (alert) => {
      if (notable && atLeast(alert.priority, notable)) console.error(alert.output);
    },
  });
  await writeFile(values.out, `${JSON.stringify({ capture, rules, ...summary }, null, 2)}\n`);

  console.log(`${summary.alerts} alerts from ${capture}`);
  for (const [rule, n] of Object.entries(summary.byRule)) console.log(`${String(n).padStart(6)}  ${rule}`);
  console.log(`by priority: ${JSON.stringify(summary.byPriority)}`);
  console.log(`summary written to ${values.out}`);
  const failing = failOn
    ? Object.keys(summary.byPriority).some((p) => atLeast(p as Priority, failOn))
    : false;
  return failing ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Rules that do not load (InspectorError RULES_LOAD lists Falco's diagnostics), a bad capture, I/O.
    console.error(`rules-from-a-script: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
