import { readSysFlow, resolveSysFlow } from '@sysray/sysflow-format';
import { describe, expect, it } from 'vitest';
import {
  buildGraphFromFile,
  compileQuery,
  defaultFieldSets,
  type ProcessNode,
  type ProvenanceGraph,
  queryGraph,
} from '../src/index.js';
import { SHELLSHOCK } from './helpers/testdata.js';

const SHELL_QUERY = 'sf.proc.cmdline = "/bin/bash -c cat /etc/passwd"';

function processes(pg: ProvenanceGraph): string[] {
  return pg
    .nodesOf('process')
    .map((k) => pg.node(k) as ProcessNode)
    .map((p) => `${p.exe.slice(p.exe.lastIndexOf('/') + 1)}[${p.pid}]`)
    .sort();
}

function files(pg: ProvenanceGraph): string[] {
  return pg
    .nodesOf('file')
    .map((k) => pg.node(k).label)
    .sort();
}

describe('query', () => {
  it("returns the shell's subtree with its lineage for a query on its command line (acceptance)", async () => {
    const { query, queryMatches } = await buildGraphFromFile(SHELLSHOCK, { query: SHELL_QUERY });
    expect(queryMatches).toBeGreaterThan(0);
    expect(processes(query!)).toEqual([
      'apache2[12704]',
      'apache2[12705]',
      'apache2[16680]',
      'bash[12646]',
      'bash[16681]',
      'cat[16681]',
      'containerd-shim[12619]',
      'containerd[1850]',
      'dash[12692]',
      'systemd[1]',
      'vulnerable[16680]',
      'vulnerable[16681]',
    ]);
    // The shell's and cat's files are in; the other worker (12708) and its access log are not.
    expect(files(query!)).toContain('/etc/passwd');
    expect(files(query!)).toContain('/etc/bash.bashrc');
    expect(files(query!)).not.toContain('/var/log/apache2/access.log');
    expect(query!.nodesOf('container')).toEqual(['c:cc5d46fa59b1']);
  });

  it('limits ancestors and descendants to the given depths', async () => {
    const { query } = await buildGraphFromFile(SHELLSHOCK, {
      query: SHELL_QUERY,
      ancestorDepth: 1,
      descendantDepth: 0,
    });
    expect(processes(query!)).toEqual(['bash[16681]', 'vulnerable[16681]']);
    expect(files(query!)).toContain('/etc/passwd'); // opened by the shell itself
    expect(files(query!)).not.toContain('/var/log/apache2/error.log'); // touched by cat, a descendant
    const { query: q2 } = await buildGraphFromFile(SHELLSHOCK, { query: SHELL_QUERY, depth: 1 });
    expect(processes(q2!)).toEqual(['bash[16681]', 'cat[16681]', 'vulnerable[16681]']);
  });

  it('matches only records inside the time window', async () => {
    const before = await buildGraphFromFile(SHELLSHOCK, {
      query: SHELL_QUERY,
      window: { end: 1669702299670000000n },
    });
    expect(before.queryMatches).toBe(0);
    expect(before.query!.graph.order).toBe(0);
    const after = await buildGraphFromFile(SHELLSHOCK, {
      query: SHELL_QUERY,
      window: { start: 1669702299674000000n },
    });
    expect(after.queryMatches).toBeGreaterThan(0);
    expect(after.queryMatches).toBeLessThan(
      (await buildGraphFromFile(SHELLSHOCK, { query: SHELL_QUERY })).queryMatches!,
    );
  });

  it('gives the same subgraph when run afterwards over the records of a built graph', async () => {
    const built = await buildGraphFromFile(SHELLSHOCK, { query: SHELL_QUERY });
    const fromResolved = await queryGraph(
      built.graph,
      resolveSysFlow(SHELLSHOCK),
      SHELL_QUERY,
      defaultFieldSets(),
    );
    const fromRaw = await queryGraph(built.graph, readSysFlow(SHELLSHOCK), SHELL_QUERY, defaultFieldSets());
    const nodes = built.query!.graph.nodes().sort();
    expect(fromResolved.graph.graph.nodes().sort()).toEqual(nodes);
    expect(fromRaw.graph.graph.nodes().sort()).toEqual(nodes);
    expect(fromRaw.matches).toBe(built.queryMatches);
    expect(fromRaw.graph.graph.edges().sort()).toEqual(built.query!.graph.edges().sort());
  });

  it('rejects a condition over unknown fields', () => {
    expect(() => compileQuery('sf.nosuch = 1', defaultFieldSets())).toThrow(/nosuch/);
  });
});
