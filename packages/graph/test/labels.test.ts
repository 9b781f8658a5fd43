import { createObjectFieldSet, RuleError } from '@sysray/falco-rules';
import { describe, expect, it } from 'vitest';
import {
  buildGraph,
  buildGraphFromFile,
  defaultFieldSets,
  loadGraphRules,
  mitreIds,
  type ProcessNode,
  type SysFlowEvent,
} from '../src/index.js';
import { file, fileFlow, OP, oid, proc, procEvent, T0 } from './helpers/records.js';
import { SHELLSHOCK } from './helpers/testdata.js';

const RULES = `
- rule: Read passwd
  desc: a process read the password file
  condition: sf.proc.exe = /bin/cat and sf.file.path = /etc/passwd and sf.opflags contains READ
  output: "%sf.proc.exe read %sf.file.path"
  priority: WARNING
  tags: [T1003.008, mitre_credential_access]
- rule: Shell in container
  desc: a shell was executed in a container
  condition: sf.type = PE and sf.opflags = EXEC and sf.proc.exe = /bin/bash and sf.container.id != "" and sf.proc.aname contains vulnerable
  output: "shell %sf.proc.cmdline under %sf.pproc.exe"
  priority: NOTICE
  source: sysflow
  tags: [container, T1059.004, mitre_execution]
`;

describe('alert labels', () => {
  it('attaches alerts to the matched nodes and edges, with MITRE ids and the graphlet id', async () => {
    const { graph: pg } = await buildGraphFromFile(SHELLSHOCK, {
      rules: [{ name: 'r.yaml', content: RULES }],
    });
    expect(pg.alerts.map((a) => [a.rule, a.mitre, a.graphlet])).toEqual([
      ['Shell in container', ['T1059.004'], 'container:cc5d46fa59b1'],
      ['Read passwd', ['T1003.008'], 'container:cc5d46fa59b1'],
    ]);
    const [shell, read] = pg.alerts;
    expect(shell!.nodes.map((k) => (pg.node(k) as ProcessNode).args)).toEqual(['-c cat /etc/passwd']);
    expect(shell!.output).toContain('shell /bin/bash -c cat /etc/passwd under /usr/lib/cgi-bin/vulnerable');
    expect(shell!.tags).toEqual(['T1059.004', 'container', 'mitre_execution']);
    expect(read!.nodes.map((k) => pg.node(k).label)).toEqual(['cat [16681]', '/etc/passwd']);
    expect(read!.edges).toHaveLength(1);
    expect(pg.graph.getEdgeAttribute(read!.edges[0]!, 'alerts')).toEqual([read!.id]);
    expect(pg.node(read!.nodes[0]!).alerts).toEqual([read!.id]);
    expect(pg.graphlets.find((g) => g.id === 'container:cc5d46fa59b1')!.alerts).toEqual(['a1', 'a2']);
    expect(pg.graphlets[0]!.alerts).toEqual([]);
  });

  it('raises only the first matching rule per record with all: false', async () => {
    const rules = `
- rule: Any open
  desc: d
  condition: sf.opflags contains OPEN
  output: o
  priority: INFO
- rule: Open of /x
  desc: d
  condition: sf.file.path = /x
  output: o
  priority: INFO
`;
    const records = [proc(1, '/bin/a', ''), file(1, '/x'), fileFlow(oid(1), 1, T0, OP.OPEN)];
    const all = await buildGraph(records, { rules: [{ name: 'r', content: rules }] });
    const first = await buildGraph(records, { rules: [{ name: 'r', content: rules }], all: false });
    expect(all.graph.alerts.map((a) => a.rule)).toEqual(['Any open', 'Open of /x']);
    expect(first.graph.alerts.map((a) => a.rule)).toEqual(['Any open']);
  });

  it('works with any FieldSet over the resolved records', async () => {
    const fs = createObjectFieldSet<SysFlowEvent>({
      fields: [{ name: 'test.exe', type: 'CHARBUF', get: (e) => e.process?.exe }],
    });
    const { graph } = await buildGraph([proc(1, '/bin/nc', '-l'), procEvent(oid(1), T0 + 1n, OP.EXEC)], {
      fieldSets: [fs],
      rules: [
        {
          name: 'r',
          content:
            '- rule: nc\n  desc: d\n  condition: test.exe = /bin/nc\n  output: o\n  priority: ERROR\n  tags: [t1095]\n',
        },
      ],
    });
    expect(graph.alerts.map((a) => [a.rule, a.priority, a.mitre])).toEqual([['nc', 'Error', ['T1095']]]);
  });

  it('reports a rules file that does not load as a RuleError with its position', () => {
    const bad = '- rule: r\n  desc: d\n  condition: sf.nosuch = 1\n  output: o\n  priority: INFO\n';
    let err: unknown;
    try {
      loadGraphRules([{ name: 'bad.yaml', content: bad }], defaultFieldSets());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuleError);
    expect(err).toMatchObject({ file: 'bad.yaml', line: 3 });
  });

  it('picks MITRE technique ids out of tags', () => {
    expect(mitreIds(['mitre_execution', 'T1059', 't1003.008', 'T12345', 'container'])).toEqual([
      'T1059',
      'T1003.008',
    ]);
  });
});
