/**
 * Records/s into the graph on a large generated trace.
 *
 *   npx tsx packages/graph/bench/build.ts [trees=200] [workers=50] [flowsPerWorker=20]
 *
 * Generates web-server-like process trees (each worker reads a file and serves a client per request),
 * writes them to a temporary `.sf` file, then measures: resolved records into `GraphBuilder` (in
 * memory), the whole `buildGraphFromFile` (read + resolve + build + graphlets), the same with one
 * Falco rule and a query over `sf.*` fields, and compaction.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRecords, resolveSysFlow, writeSysFlowSync } from '@sysray/sysflow-format';
import { buildGraphFromFile, compactGraph, computeGraphlets, GraphBuilder } from '../src/index.js';
import { generateTrace } from '../test/helpers/records.js';

const [trees = 200, workers = 50, flows = 20] = process.argv.slice(2).map(Number);
const records = [...generateTrace(trees, workers, flows)];
const n = records.length;
const dir = mkdtempSync(join(tmpdir(), 'sysray-graph-bench-'));
const file = join(dir, 'trace.sf');
writeFileSync(file, writeSysFlowSync(records, { validate: false }));

function rate(label: string, count: number, ms: number): void {
  console.log(
    `${label.padEnd(44)} ${(count / (ms / 1000)).toFixed(0).padStart(10)} records/s  (${ms.toFixed(0)} ms)`,
  );
}

console.log(`${n} records: ${trees} trees × ${workers} workers × ${flows} file + network flows`);
const resolved = [...resolveRecords(records)];
let t = performance.now();
const builder = new GraphBuilder();
for (const r of resolved) builder.add(r);
rate('GraphBuilder.add (resolved, in memory)', n, performance.now() - t);
t = performance.now();
computeGraphlets(builder.result);
console.log(
  `computeGraphlets: ${builder.result.graphlets.length} graphlets in ${(performance.now() - t).toFixed(0)} ms`,
);
t = performance.now();
const compact = compactGraph(builder.result);
console.log(
  `compactGraph: ${builder.result.graph.order} → ${compact.graph.order} nodes, ${builder.result.graph.size} → ${compact.graph.size} edges in ${(performance.now() - t).toFixed(0)} ms`,
);

t = performance.now();
let seen = 0;
for await (const _ of resolveSysFlow(file)) seen++;
rate('resolveSysFlow alone (baseline: read + resolve)', seen, performance.now() - t);

t = performance.now();
await buildGraphFromFile(file);
rate('buildGraphFromFile (.sf read + resolve + build)', n, performance.now() - t);

const rules = [
  {
    name: 'bench.yaml',
    content:
      '- rule: shell\n  desc: d\n  condition: sf.proc.exe in (/bin/sh, /bin/bash) and sf.opflags contains EXEC\n  output: "%sf.proc.cmdline"\n  priority: WARNING\n  tags: [T1059]\n',
  },
];
t = performance.now();
const q = await buildGraphFromFile(file, { rules, query: 'sf.file.path = "/var/www/index-3.html"' });
rate('  … with one rule and a query', n, performance.now() - t);
console.log(`query: ${q.queryMatches} records → ${q.query?.graph.order} nodes`);
rmSync(dir, { recursive: true, force: true });
