import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonAvroRecords, sysflowFiles, sysray, TESTDATA } from './helpers.js';

const SHELLSHOCK = `${TESTDATA}sysflow-traces/shellshock.sf`;
const dir = mkdtempSync(join(tmpdir(), 'sysray-graph-'));

interface GraphNode {
  id: string;
  kind: string;
  oid?: string;
  foid?: string;
  exe?: string;
  alerts: unknown[];
}
interface GraphJson {
  format: string;
  meta: { records: number };
  nodes: GraphNode[];
  edges: { source: string; target: string }[];
  graphlets: { id: string }[];
}

async function graphJson(argv: string[]): Promise<GraphJson> {
  const { code, stdout, stderr } = await sysray(['graph', ...argv]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as GraphJson;
}

const RULES = join(dir, 'bash.yaml');
writeFileSync(
  RULES,
  [
    '- rule: Bash executed',
    '  desc: bash was executed',
    '  condition: sf.opflags = EXEC and sf.proc.exe = /bin/bash',
    '  output: bash ran (%sf.proc.args)',
    '  priority: WARNING',
    '',
  ].join('\n'),
);

describe('sysray graph (JSON)', () => {
  it.each(sysflowFiles().map((f) => [basename(f), f] as const))(
    '%s: one process node per Process record and one file node per File record python3-avro reads',
    async (_, file) => {
      const graph = await graphJson([file, '--no-compact']);
      const python = pythonAvroRecords(file);
      expect(graph.format).toBe('sysray-graph');
      expect(graph.meta.records).toBe(python.length);
      const oid = (r: Record<string, unknown>) => {
        const o = r.oid as { createTS: string; hpid: string };
        return `${o.createTS}:${o.hpid}`;
      };
      const processes = new Set(python.filter((r) => r.type === 'Process').map((r) => oid(r.rec)));
      const files = new Set(python.filter((r) => r.type === 'File').map((r) => r.rec.oid as string));
      expect(new Set(graph.nodes.filter((n) => n.kind === 'process').map((n) => n.oid))).toEqual(processes);
      expect(new Set(graph.nodes.filter((n) => n.kind === 'file').map((n) => n.foid))).toEqual(files);
      const ids = new Set(graph.nodes.map((n) => n.id));
      for (const e of graph.edges) {
        expect(ids.has(e.source)).toBe(true);
        expect(ids.has(e.target)).toBe(true);
      }
    },
  );

  it('--rules labels the process nodes of the records the rule matches: the bash of the shellshock', async () => {
    const graph = await graphJson([SHELLSHOCK, '--rules', RULES, '--no-compact']);
    const alerted = graph.nodes.filter((n) => n.alerts.length > 0 && n.kind === 'process');
    expect(alerted.length).toBeGreaterThan(0);
    for (const n of alerted) expect(n.exe).toBe('/bin/bash');
  });

  it('--query keeps the matching records with their lineage: a smaller graph holding the bash process', async () => {
    const whole = await graphJson([SHELLSHOCK]);
    const query = await graphJson([SHELLSHOCK, '--query', 'sf.proc.exe = /bin/bash']);
    expect(query.nodes.length).toBeGreaterThan(0);
    expect(query.nodes.length).toBeLessThan(whole.nodes.length);
    expect(query.nodes.some((n) => n.kind === 'process' && n.exe === '/bin/bash')).toBe(true);
  });
});

describe('sysray graph (DOT and HTML)', () => {
  it('writes DOT (from the -o extension) that Graphviz reads, with the nodes of the JSON graph', async () => {
    const out = join(dir, 'shellshock.dot');
    const { code, stdout, stderr } = await sysray(['graph', SHELLSHOCK, '-o', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    execFileSync('/usr/bin/dot', ['-Tsvg', '-o', join(dir, 'shellshock.svg'), out]);
    const counted = execFileSync('/usr/bin/gc', ['-n', out], { encoding: 'utf8' });
    const graph = await graphJson([SHELLSHOCK]);
    expect(Number(counted.trim().split(/\s+/)[0])).toBe(graph.nodes.length);
    expect(stdout).toBe(
      `graph: ${graph.nodes.length} nodes, ${graph.edges.length} edges, ${graph.graphlets.length} graphlets, 0 alerts (${graph.meta.records} records) → ${out}\n`,
    );
  });

  it('says what it wrote as one JSON object with --json and -o', async () => {
    const out = join(dir, 'summary.html');
    const { code, stdout } = await sysray(['graph', SHELLSHOCK, '-o', out, '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    const graph = await graphJson([SHELLSHOCK]);
    expect(summary).toEqual({
      output: out,
      format: 'html',
      records: graph.meta.records,
      nodes: graph.nodes.length,
      edges: graph.edges.length,
      graphlets: graph.graphlets.length,
      alerts: 0,
    });
    const bad = await sysray(['graph', SHELLSHOCK, '--json', '--format', 'dot']);
    expect(bad.code).toBe(2);
  });

  it('writes a self-contained HTML page with --format html', async () => {
    const out = join(dir, 'page.out');
    const { code } = await sysray(['graph', SHELLSHOCK, '--format', 'html', '-o', out]);
    expect(code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html.slice(0, 15).toLowerCase()).toBe('<!doctype html>');
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).toContain('/bin/bash');
  });
});

describe('sysray graph errors', () => {
  it('rejects a query over an unknown field and an unknown format (usage errors, exit 2)', async () => {
    const bad = await sysray(['graph', SHELLSHOCK, '--query', 'sf.proc.exx = bash']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sf.proc.exx');
    const format = await sysray(['graph', SHELLSHOCK, '--format', 'png']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("unknown format 'png'");
  });

  it('reports rules that do not load with file:line:col (exit 1)', async () => {
    const rules = join(dir, 'broken.yaml');
    writeFileSync(
      rules,
      '- rule: Broken\n  desc: x\n  condition: sf.proc.exx = bash\n  output: x\n  priority: INFO\n',
    );
    const { code, stdout, stderr } = await sysray(['graph', SHELLSHOCK, '--rules', rules]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      new RegExp(`^sysray: RULES_LOAD: ${rules.replace(/[.]/g, '\\.')}:3:\\d+: error: `),
    );
  });

  it('reports a missing input as one line (exit 1)', async () => {
    const { code, stderr } = await sysray(['graph', join(dir, 'missing.sf')]);
    expect(code).toBe(1);
    expect(stderr).toBe(`sysray: ENOENT: no such file (${join(dir, 'missing.sf')})\n`);
  });
});
