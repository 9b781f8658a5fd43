import { describe, expect, it } from 'vitest';
import {
  buildGraphFromFile,
  compactGraph,
  exportGraph,
  GRAPH_FORMATS,
  type GraphFormat,
  graphToExport,
} from '../src/index.js';
import { SHELLSHOCK } from './helpers/testdata.js';

describe('exportGraph (what the CLI calls)', () => {
  it('exports the query subgraph when there is one, compacted by default', async () => {
    const result = await buildGraphFromFile(SHELLSHOCK, { query: 'sf.proc.exe = /bin/cat' });
    const doc = JSON.parse(exportGraph(result, 'json'));
    expect(doc.nodes).toHaveLength(compactGraph(result.query!).graph.order);
    expect(doc.nodes.length).toBeLessThan(result.graph.graph.order);
    const full = JSON.parse(exportGraph(result.graph, 'json', { compact: false }));
    expect(full.nodes).toHaveLength(result.graph.graph.order);
  });

  it('exports one graphlet when asked, and names the graphlets when the id is unknown', async () => {
    const result = await buildGraphFromFile(SHELLSHOCK);
    const doc = JSON.parse(
      exportGraph(result, 'json', { graphlet: 'container:cc5d46fa59b1', compact: false }),
    );
    expect(doc.graphlets.map((g: { id: string }) => g.id)).toEqual(['container:cc5d46fa59b1']);
    expect(doc.nodes.filter((n: { kind: string }) => n.kind === 'process')).toHaveLength(10);
    expect(() => exportGraph(result, 'json', { graphlet: 'container:nope' })).toThrow(
      /no graphlet 'container:nope' \(graphlets: host:p:1643156435012000000:1, container:cc5d46fa59b1\)/,
    );
  });

  it('graphToExport returns the graph exportGraph renders: query subgraph, graphlet, compaction', async () => {
    const result = await buildGraphFromFile(SHELLSHOCK, { query: 'sf.proc.exe = /bin/cat' });
    const exported = graphToExport(result);
    expect(JSON.parse(exportGraph(result, 'json')).nodes).toHaveLength(exported.graph.order);
    expect(exportGraph(exported, 'json', { compact: false })).toBe(exportGraph(result, 'json'));
    expect(graphToExport(result, { compact: false }).graph.order).toBe(result.query!.graph.order);
    const whole = await buildGraphFromFile(SHELLSHOCK);
    const one = graphToExport(whole, { graphlet: 'container:cc5d46fa59b1', compact: false });
    expect(one.graphlets.map((g) => g.id)).toEqual(['container:cc5d46fa59b1']);
    expect(() => graphToExport(whole, { graphlet: 'container:nope' })).toThrow(/no graphlet/);
  });

  it('produces each format and rejects unknown ones', async () => {
    const result = await buildGraphFromFile(SHELLSHOCK);
    const out = Object.fromEntries(GRAPH_FORMATS.map((f) => [f, exportGraph(result, f)]));
    expect(JSON.parse(out.json!).format).toBe('sysray-graph');
    expect(out.dot!.startsWith('digraph "sysray" {')).toBe(true);
    expect(out.html!.startsWith('<!doctype html>')).toBe(true);
    expect(() => exportGraph(result, 'svg' as GraphFormat)).toThrow(/unknown graph format 'svg'/);
  });

  it('reports rules and queries that need fields the field sets lack', async () => {
    await expect(buildGraphFromFile(SHELLSHOCK, { query: 'proc.name = bash' })).rejects.toThrow(/proc\.name/);
    await expect(buildGraphFromFile(SHELLSHOCK, { query: 'sf.proc.exe = x', fieldSets: [] })).rejects.toThrow(
      /need field sets/,
    );
  });
});
