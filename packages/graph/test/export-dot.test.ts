import { resolveRecords } from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import {
  buildGraphFromFile,
  computeGraphlets,
  dotString,
  exportDot,
  exportGraph,
  GraphBuilder,
} from '../src/index.js';
import { proc } from './helpers/records.js';
import { SHELLSHOCK } from './helpers/testdata.js';
import { renderDot } from './helpers/tools.js';

const count = (svg: string, cls: string) =>
  (svg.match(new RegExp(`<g id="[^"]*" class="${cls}"`, 'g')) ?? []).length;

describe('DOT export', () => {
  it('renders with Graphviz dot, drawing every node and edge of shellshock', async () => {
    const { graph: pg } = await buildGraphFromFile(SHELLSHOCK);
    const svg = renderDot(exportDot(pg));
    expect(count(svg, 'node')).toBe(pg.graph.order);
    expect(count(svg, 'edge')).toBe(pg.graph.size);
    expect(count(svg, 'cluster')).toBe(2);
    expect(svg).toContain('cat [16681]');
  });

  it('renders the compacted query result with alerts in red', async () => {
    const result = await buildGraphFromFile(SHELLSHOCK, {
      query: 'sf.proc.exe = /bin/cat',
      rules: [
        {
          name: 'r',
          content:
            '- rule: cat\n  desc: d\n  condition: sf.proc.exe = /bin/cat and sf.file.path = /etc/passwd\n  output: o\n  priority: ERROR\n',
        },
      ],
    });
    const dot = exportGraph(result, 'dot');
    const svg = renderDot(dot);
    expect(count(svg, 'node')).toBeGreaterThan(3);
    const catLine = dot.split('\n').find((l) => /^\s*"p:[0-9:]+#2" \[/.test(l));
    expect(catLine).toContain('color="#d00000"');
    expect(svg).toContain('#d00000');
  });

  it('escapes quotes, backslashes and newlines so dot still parses the labels', () => {
    const b = new GraphBuilder();
    for (const r of resolveRecords([proc(1, '/bin/sh', 'echo "a\\b" \n }; digraph x { "')])) b.add(r);
    computeGraphlets(b.result);
    const svg = renderDot(exportDot(b.result));
    expect(count(svg, 'node')).toBe(1);
    expect(dotString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });
});
