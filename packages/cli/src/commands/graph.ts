import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { RuleError } from '@sysray/falco-rules';
import type { GraphFormat, loadGraphRules } from '@sysray/graph';
import type { Command } from '../command.js';
import { InputError, UsageError } from '../errors.js';
import { chunksWithProgress, openInput } from '../input.js';

const EXTENSIONS: Record<string, GraphFormat> = {
  '.json': 'json',
  '.dot': 'dot',
  '.gv': 'dot',
  '.html': 'html',
};

function ruleErrorLine(error: RuleError): string {
  const where = error.file === undefined ? '' : `${error.file}:${error.line ?? 1}:${error.col ?? 1}: `;
  return `${where}error: ${error.code}: ${error.message}`;
}

/**
 * `sysray graph FILE.sf [--rules R.yaml] [--query 'COND'] [--format json|dot|html] [-o OUT]`: the provenance
 * graph of a SysFlow file.
 */
export const graphCommand: Command = {
  name: 'graph',
  summary: 'build the provenance graph of a SysFlow file (.sf), with alerts and queries (JSON, DOT, HTML)',
  description: [
    'Build the provenance graph of a SysFlow file: process images (clone and exec edges), files,',
    'network endpoints, containers and pods, with the flows between them and their time ranges,',
    'compacted as SysFlow does (repeated siblings merged, flows aggregated). --rules labels the nodes and',
    'edges of the records Falco rules over sf.* fields match; --query keeps only the records a Falco',
    'condition matches, with their lineage. The graph is written as JSON (a documented schema), Graphviz',
    'DOT or a self-contained interactive HTML page, to OUT or standard output. The format is taken from',
    'OUT’s extension (.json, .dot/.gv, .html) unless --format says otherwise; JSON by default.',
  ].join('\n'),
  arguments: [{ name: 'FILE', description: 'a .sf file, or - for standard input' }],
  options: {
    rules: {
      type: 'string',
      short: 'r',
      multiple: true,
      valueName: 'FILE',
      description: 'Falco rules over sf.* fields that label the graph (may repeat)',
    },
    query: {
      type: 'string',
      short: 'q',
      valueName: 'COND',
      description: "keep the records a condition matches, with lineage ('sf.proc.exe = /bin/bash')",
    },
    format: { type: 'string', short: 'f', valueName: 'FORMAT', description: 'json, dot or html' },
    output: { type: 'string', short: 'o', valueName: 'OUT', description: 'write to OUT (default: stdout)' },
    graphlet: {
      type: 'string',
      valueName: 'ID',
      description: 'only one graphlet (container:<id>, …; the JSON lists them)',
    },
    'no-compact': { type: 'boolean', description: 'keep repeated siblings and flows apart' },
    json: {
      type: 'boolean',
      description: 'with -o: print what was written as one JSON object; without: the graph as JSON',
    },
    'no-progress': { type: 'boolean', description: 'never draw a progress bar' },
  },
  examples: [
    {
      command: 'sysray graph trace.sf -o graph.html',
      description: 'an interactive page of the whole graph',
    },
    {
      command: "sysray graph trace.sf --rules ttps.yaml --query 'sf.proc.exe = /bin/bash' -o bash.dot",
      description: 'the bash processes with their lineage, alerts labelled, as Graphviz DOT',
    },
    {
      command: 'sysray graph trace.sf -o graph.html --json | jq .alerts',
      description: 'write the page, and report where, with node, edge, graphlet and alert counts',
    },
    {
      command: 'sysray graph trace.sf | jq .graphlets',
      description: 'the graphlets (per container, per process tree) of the JSON graph',
    },
  ],
  exitStatus: '0 ok, 1 the file or the rules could not be read, 2 usage error (also a bad --query).',
  async run({ args, options, stdout, progress }) {
    // Loaded on use: graphology and the exporters are only needed here.
    const {
      buildGraphFromFile,
      compileQuery,
      defaultFieldSets,
      exportGraph,
      GRAPH_FORMATS,
      graphToExport,
      loadGraphRules,
    } = await import('@sysray/graph');
    const out = typeof options.output === 'string' && options.output !== '-' ? options.output : undefined;
    let format: GraphFormat;
    if (
      options.json === true &&
      out === undefined &&
      typeof options.format === 'string' &&
      options.format !== 'json'
    )
      throw new UsageError('--json without -o prints the graph as JSON: --format must be json', 'graph');
    if (typeof options.format === 'string') {
      if (!(GRAPH_FORMATS as readonly string[]).includes(options.format))
        throw new UsageError(
          `unknown format '${options.format}' (one of ${GRAPH_FORMATS.join(', ')})`,
          'graph',
        );
      format = options.format as GraphFormat;
    } else format = (out && EXTENSIONS[extname(out).toLowerCase()]) || 'json';
    const fieldSets = defaultFieldSets();
    const query = typeof options.query === 'string' ? options.query : undefined;
    if (query !== undefined) {
      try {
        compileQuery(query, fieldSets);
      } catch (error) {
        if (error instanceof RuleError) throw new UsageError(`bad --query: ${error.message}`, 'graph');
        throw error;
      }
    }
    const rulesFiles = (Array.isArray(options.rules) ? options.rules : []).filter(
      (r): r is string => typeof r === 'string',
    );
    let rules: ReturnType<typeof loadGraphRules> | undefined;
    if (rulesFiles.length > 0) {
      try {
        rules = loadGraphRules(rulesFiles, fieldSets);
      } catch (error) {
        if (error instanceof RuleError) throw new InputError('RULES_LOAD', ruleErrorLine(error));
        throw error;
      }
    }
    const input = await openInput(args[0]!);
    const bar = progress({
      ...(input.fileSize === undefined ? {} : { total: input.fileSize }),
      label: args[0]!,
      sharesTerminalWithStdout: out === undefined,
    });
    const result = await buildGraphFromFile(chunksWithProgress(input, bar), {
      sourceName: args[0]!,
      fieldSets,
      ...(rules === undefined ? {} : { rules }),
      ...(query === undefined ? {} : { query }),
    });
    let text: string;
    let written: ReturnType<typeof graphToExport>;
    try {
      written = graphToExport(result, {
        compact: options['no-compact'] !== true,
        ...(typeof options.graphlet === 'string' ? { graphlet: options.graphlet } : {}),
      });
      text = exportGraph(written, format, { compact: false });
    } catch (error) {
      if (
        typeof options.graphlet === 'string' &&
        error instanceof Error &&
        error.message.startsWith('no graphlet')
      )
        throw new UsageError(error.message, 'graph');
      throw error;
    }
    if (out === undefined) {
      stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      return 0;
    }
    try {
      await writeFile(out, text);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      throw new InputError(code, (error as Error).message.replace(/^[A-Z]+: /, ''), out);
    }
    const summary = {
      output: resolve(out),
      format,
      records: result.graph.meta.records,
      nodes: written.graph.order,
      edges: written.graph.size,
      graphlets: written.graphlets.length,
      alerts: written.alerts.length,
      ...(result.queryMatches === undefined ? {} : { queryMatches: result.queryMatches }),
    };
    stdout.write(
      options.json === true
        ? `${JSON.stringify(summary)}\n`
        : `graph: ${summary.nodes} nodes, ${summary.edges} edges, ${summary.graphlets} graphlets, ${summary.alerts} alerts (${summary.records} records) → ${summary.output}\n`,
    );
    return 0;
  },
};
