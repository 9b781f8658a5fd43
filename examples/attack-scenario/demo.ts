/**
 * sysray's demo (`pnpm demo` at the repository root): the recorded attack scenario through the whole pipeline —
 * Falco rules with MITRE ATT&CK tags → alerts, the SysFlow flow builder → `.sf`, the provenance graph → HTML.
 * No privileges needed: it reads the bundled capture. `--live` records the scenario with the eBPF probe first
 * (root, or CAP_BPF + CAP_PERFMON).
 *
 *   tsx demo.ts [--live | --capture FILE.scap[.gz]] [--out DIR] [--falco-rules falco_rules.yaml]...
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { probeUnavailable } from '@sysray/probe-native';
import {
  BUNDLED_CAPTURE,
  DEFAULT_OUT_DIR,
  type DemoResult,
  INSTALLED_FALCO_RULES,
  officialRulesFiles,
  runDemo,
  SHARED_FALCO_RULES,
} from './demo-pipeline.js';
import { recordScenario } from './recording.js';

function usage(message: string): never {
  console.error(`demo: ${message}`);
  console.error('usage: tsx demo.ts [--live | --capture FILE.scap[.gz]] [--out DIR] [--falco-rules FILE]...');
  process.exit(2);
}

function parseCommandLine() {
  // `pnpm demo -- --live` hands the script a literal `--` first.
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift();
  try {
    return parseArgs({
      args,
      options: {
        live: { type: 'boolean' },
        capture: { type: 'string' },
        out: { type: 'string', default: DEFAULT_OUT_DIR },
        'falco-rules': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    usage((error as Error).message);
  }
}

function report(r: DemoResult): void {
  const tactics = new Set(r.alerts.flatMap((a) => a.tags.filter((t) => /^T\d{4}/.test(t))));
  console.log(
    `\n${r.alerts.length} alerts from ${r.rulesFiles.length} rules file${r.rulesFiles.length > 1 ? 's' : ''}; ` +
      `MITRE ATT&CK techniques: ${[...tactics].sort().join(', ')}`,
  );
  console.log(`\nSysFlow: ${r.records} records → ${r.sysflowPath}`);
  console.log(
    `  the graph leaves out ${r.startupRecordsLeftOut} file records of program start-up (libraries, locale, /proc, /sys)`,
  );
  console.log('\nThe hijacked server (compacted process tree):');
  for (const line of r.serverTree) console.log(`  ${line}`);
  const byRule = new Map<string, GraphAlertSummary>();
  for (const a of r.graphAlerts) {
    const s = byRule.get(a.rule) ?? { count: 0, mitre: a.mitre };
    s.count++;
    byRule.set(a.rule, s);
  }
  console.log('\nGraph labels (rules over sf.* fields):');
  for (const [rule, s] of byRule)
    console.log(`  ${String(s.count).padStart(3)} × ${rule} [${s.mitre.join(', ')}]`);
  console.log('\nNetwork traffic by process (flow start times scored for periodicity):');
  for (const t of r.traffic.slice(0, 6)) {
    const p = t.periodicity;
    console.log(
      `  ${t.label.slice(0, 60).padEnd(60)} ${String(t.flows.length).padStart(3)} flows, ` +
        `out ${t.totalOut} B, in ${t.totalIn} B, periodicity ${p.score.toFixed(2)}` +
        `${p.period ? ` (period ${p.period.toFixed(2)} s)` : ''}${p.beaconing ? '  ← beaconing' : ''}`,
    );
  }
  console.log(
    '\nContacts per process and endpoint (bursts of flows < 100 ms apart merged), 4 contacts or more:',
  );
  for (const c of r.contacts.filter((x) => x.starts.length >= 4)) {
    const p = c.periodicity;
    console.log(
      `  ${c.process} → ${c.endpoint}: ${c.starts.length} contacts, ` +
        `every ${p.meanInterval.toFixed(2)} s on average, periodicity ${p.score.toFixed(2)}` +
        `${p.beaconing ? '  ← beaconing' : ''}`,
    );
  }
  console.log(`\nProvenance graph: ${r.htmlPath}`);
  console.log(
    'Open it in a browser: click a node for its details and alerts, and a process for its traffic plot.',
  );
}

interface GraphAlertSummary {
  count: number;
  mitre: string[];
}

async function main(): Promise<number> {
  const values = parseCommandLine();
  if (values.help) {
    console.log('usage: tsx demo.ts [--live | --capture FILE.scap[.gz]] [--out DIR] [--falco-rules FILE]...');
    return 0;
  }
  if (values.live && values.capture) usage('--live and --capture exclude each other');
  const outDir = resolve(values.out);
  let capture = values.capture ? resolve(values.capture) : BUNDLED_CAPTURE;
  if (values.live) {
    const why = probeUnavailable();
    if (why) {
      console.error(`demo: --live needs the eBPF probe, which cannot run here: ${why.message}`);
      console.error('demo: without --live the demo reads the bundled recording and needs no privileges.');
      return 1;
    }
    console.log('Recording the attack scenario live with the eBPF probe (about 10 s)…');
    const rec = await recordScenario({
      onEvent: (e) => {
        if (e.event === 'started')
          console.log(`  victim server pid ${e.victim.pid}, C2 pid ${e.c2.pid}; attack under way`);
      },
    });
    capture = join(outDir, 'attack-scenario-live.scap.gz');
    await mkdir(outDir, { recursive: true });
    await writeFile(capture, gzipSync(rec.bytes));
    console.log(`  ${rec.eventsKept} events of the scenario's ${rec.tids.length} threads → ${capture}`);
  }
  const official = officialRulesFiles(values['falco-rules']);
  console.log(`Capture: ${capture}`);
  console.log(
    official.length
      ? `Rules: Falco's official rules (${official.join(', ')}) + sysray's own attack rules`
      : `Rules: sysray's own attack rules (Falco's official rules not found at ${INSTALLED_FALCO_RULES} or ${SHARED_FALCO_RULES}; ` +
          'pass --falco-rules PATH/falco_rules.yaml to add them)',
  );
  console.log('\nAlerts:');
  const result = await runDemo({
    capture,
    outDir,
    falcoRules: official,
    onAlert: (a) => console.log(`${a.output} [${a.tags.filter((t) => /^T\d{4}/.test(t)).join(', ')}]`),
  });
  report(result);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
