/**
 * alerts-to-sidekick: Falco alerts to a Falcosidekick-compatible endpoint, from a capture evaluated here or
 * from Falco JSON lines on stdin (`sysray rules run --json …`, `falco -o json_output=true …`).
 *
 *   tsx main.ts --url http://127.0.0.1:2801/ [CAPTURE | -] [--rules R.yaml]... [--spool FILE]
 */

import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FalcoAlert } from '@sysray/falco-rules';
import { runRulesOnCapture } from '@sysray/inspector';
import { SidekickForwarder } from './sidekick.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const OFFICIAL_RULES = here('../../../shared/testdata/falco-rules/falco_rules.yaml');

function usage(message: string): never {
  console.error(`alerts-to-sidekick: ${message}`);
  console.error(
    'usage: tsx main.ts --url URL [CAPTURE | -] [--rules R.yaml]... [--max-queue N] [--flush-timeout MS] [--spool FILE]',
  );
  process.exit(2);
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        url: { type: 'string', short: 'u' },
        rules: { type: 'string', short: 'r', multiple: true },
        'max-queue': { type: 'string', default: '1000' },
        'flush-timeout': { type: 'string', default: '60000' },
        spool: { type: 'string', default: 'undelivered-alerts.ndjson' },
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
}

/** Falco JSON lines from stdin; a line that is not an alert object is an error naming its line number. */
async function* alertsFromStdin(): AsyncGenerator<FalcoAlert> {
  let line = 0;
  for await (const text of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`stdin line ${line}: not JSON (${(error as Error).message})`);
    }
    const a = value as Partial<FalcoAlert>;
    if (typeof a !== 'object' || a === null || typeof a.rule !== 'string' || typeof a.output !== 'string')
      throw new Error(`stdin line ${line}: not a Falco alert (no "rule" and "output")`);
    yield a as FalcoAlert;
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine();
  if (!values.url) usage('--url is required');
  if (positionals.length !== 1) usage('give one CAPTURE, or - to read Falco JSON lines from stdin');
  const maxQueue = Number(values['max-queue']);
  const flushTimeout = Number(values['flush-timeout']);
  const source = positionals[0]!;
  const alerts =
    source === '-'
      ? alertsFromStdin()
      : runRulesOnCapture(source, values.rules ?? [OFFICIAL_RULES], { ruleMatching: 'all' });

  const forwarder = new SidekickForwarder({
    url: values.url,
    maxQueue,
    onRetry: (r) => console.error(`retry ${r.attempt} of '${r.alert.rule}' in ${r.delayMs} ms (${r.reason})`),
    onReject: (a, status, body) => console.error(`endpoint rejected '${a.rule}': HTTP ${status} ${body}`),
  });
  for await (const alert of alerts) await forwarder.push(alert);
  try {
    await forwarder.close(flushTimeout);
  } catch (error) {
    // The endpoint stayed down: keep what was not delivered, to send later (`tsx main.ts - < spool`).
    const left = forwarder.undelivered();
    await writeFile(values.spool, left.map((a) => `${JSON.stringify(a)}\n`).join(''));
    console.error(`${(error as Error).message}; ${left.length} alerts written to ${values.spool}`);
    return 1;
  }
  const s = forwarder.stats();
  console.log(
    `${s.delivered} alerts delivered to ${values.url} (${s.retries} retries, ${s.rejected} rejected)`,
  );
  return s.rejected > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`alerts-to-sidekick: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
