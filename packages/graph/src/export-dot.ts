/** Graphviz DOT export. */
import { opNames, type ProvenanceGraph } from './graph.js';
import type { GraphEdge, GraphNode } from './types.js';

/** Options of {@link exportDot}. */
export interface DotExportOptions {
  /** Graph name (default `sysray`). */
  name?: string;
  /** Rank direction (default `LR`: process trees grow left to right). */
  rankdir?: 'LR' | 'TB';
  /** Draw each graphlet as a cluster (default `true`). */
  clusters?: boolean;
}

/** A DOT double-quoted string. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

const SHAPES: Record<GraphNode['kind'], string> = {
  process: 'box',
  file: 'note',
  endpoint: 'ellipse',
  container: 'component',
  pod: 'tab',
};

const FILL: Record<GraphNode['kind'], string> = {
  process: '#dbe9f6',
  file: '#f3f3f3',
  endpoint: '#e4f4e0',
  container: '#fdf0d5',
  pod: '#efe3f7',
};

function bytes(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)}KiB`;
  return `${(n / 1024 / 1024).toFixed(1)}MiB`;
}

function nodeLine(pg: ProvenanceGraph, key: string, a: GraphNode): string {
  const alerted = a.alerts.length > 0;
  const detail =
    a.kind === 'process'
      ? `${a.label}\n${truncate(a.args, 40)}`
      : a.kind === 'container'
        ? `${a.label}\n${a.image}`
        : a.label;
  const attrs = [
    `label=${dotString(truncate(detail, 80))}`,
    `shape=${SHAPES[a.kind]}`,
    'style=filled',
    `fillcolor=${dotString(alerted ? '#ffd6d6' : FILL[a.kind])}`,
  ];
  if (alerted) {
    const rules = [...new Set(a.alerts.map((id) => pg.alert(id)?.rule ?? id))];
    attrs.push('color="#d00000"', 'penwidth=2.5', `tooltip=${dotString(rules.join(', '))}`);
  }
  return `  ${dotString(key)} [${attrs.join(', ')}];`;
}

function edgeLine(a: GraphEdge, s: string, t: string): string {
  const attrs: string[] = [];
  switch (a.kind) {
    case 'clone':
      attrs.push('label="clone"');
      break;
    case 'exec':
      attrs.push('label="exec"', 'style=bold');
      break;
    case 'contains':
      attrs.push('style=dashed', 'arrowhead=none', 'color="#999999"');
      break;
    case 'file':
    case 'network': {
      const ops = opNames(a.opFlags).join('|');
      const io = a.bytesIn || a.bytesOut ? ` r=${bytes(a.bytesIn)} w=${bytes(a.bytesOut)}` : '';
      attrs.push(`label=${dotString(truncate(`${ops}${io}`, 60))}`, 'fontsize=9');
      attrs.push(a.kind === 'network' ? 'color="#1f6fb2"' : 'color="#666666"', 'style=solid');
      break;
    }
  }
  if (a.alerts.length) attrs.push('color="#d00000"', 'penwidth=2');
  return `  ${dotString(s)} -> ${dotString(t)} [${attrs.join(', ')}];`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/**
 * The graph in Graphviz DOT: processes as boxes, files as notes, endpoints as ellipses, containers
 * and pods as components and tabs; clone/exec/file/network/contains edges with ops and bytes; nodes
 * and edges with alerts in red (with the rule names as tooltip); each graphlet a cluster.
 */
export function exportDot(pg: ProvenanceGraph, options: DotExportOptions = {}): string {
  const g = pg.graph;
  const lines: string[] = [
    `digraph ${dotString(options.name ?? 'sysray')} {`,
    `  graph [rankdir=${options.rankdir ?? 'LR'}, fontname="Helvetica", fontsize=11];`,
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const placed = new Set<string>();
  if (options.clusters ?? true) {
    pg.graphlets.forEach((gl, i) => {
      const members = gl.nodes.filter((k) => g.hasNode(k) && g.getNodeAttribute(k, 'graphlet') === gl.id);
      if (members.length === 0) return;
      lines.push(`  subgraph ${dotString(`cluster_${i}`)} {`);
      lines.push(`    label=${dotString(`${gl.id} (${gl.label})`)}; style=rounded; color="#aaaaaa";`);
      for (const k of members) {
        lines.push(`  ${nodeLine(pg, k, g.getNodeAttributes(k))}`);
        placed.add(k);
      }
      lines.push('  }');
    });
  }
  g.forEachNode((k, a) => {
    if (!placed.has(k)) lines.push(nodeLine(pg, k, a));
  });
  g.forEachEdge((_k, a, s, t) => {
    lines.push(edgeLine(a, s, t));
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
