/**
 * The demo's pipeline over a capture of the attack scenario: Falco rules (sysray's own, plus Falco's official
 * ruleset when a copy is given or installed) → alerts; the SysFlow flow builder → a `.sf` file; the provenance
 * graph of that file, labelled by rules over `sf.*` fields → a self-contained HTML page; the traffic of every
 * process with network flows, scored for beaconing.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FalcoAlert } from '@sysray/falco-rules';
import {
  buildGraph,
  compactGraph,
  exportGraph,
  type GraphAlert,
  type PeriodicityScore,
  type ProvenanceGraph,
  periodicity,
  type SysFlowEvent,
  type TrafficSeries,
  trafficByProcess,
} from '@sysray/graph';
import { runRulesOnCapture } from '@sysray/inspector';
import { convertCaptureToSysFlow, resolveSysFlow, SysFlowEntityTables } from '@sysray/sysflow-format';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** The bundled recording of the scenario (see ../data/README.md). */
export const BUNDLED_CAPTURE = here('../data/attack-scenario.scap.gz');
/** sysray's own Falco rules for the attack (syscall fields, MITRE ATT&CK tags). */
export const OWN_RULES = here('rules/attack_rules.yaml');
/** sysray's own rules over SysFlow records (`sf.*` fields), labelling the graph. */
export const OWN_SYSFLOW_RULES = here('rules/attack_sysflow.yaml');
/** Where the demo writes its files unless told otherwise (ignored by git). */
export const DEFAULT_OUT_DIR = here('demo-output');
/** Where Falco's packages install the official ruleset; used when present and no path is given. */
export const INSTALLED_FALCO_RULES = '/etc/falco/falco_rules.yaml';
/**
 * The official ruleset in the shared test data next to a checkout of this repository (`../shared/testdata`,
 * where the tests read it); used when present, Falco's installed copy is not, and no path is given.
 */
export const SHARED_FALCO_RULES = here('../../../shared/testdata/falco-rules/falco_rules.yaml');

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** The capture (`.scap`, plain or gzip); default {@link BUNDLED_CAPTURE}. */
  capture?: string;
  /** Folder for the `.sf` and `.html` files (created); default {@link DEFAULT_OUT_DIR}. */
  outDir?: string;
  /**
   * Falco's official rules files, loaded before sysray's own. Default: {@link INSTALLED_FALCO_RULES} or
   * {@link SHARED_FALCO_RULES} when one exists, else none (this repository does not bundle third-party rules).
   */
  falcoRules?: readonly string[];
  /** Called with each syscall alert as it is raised. */
  onAlert?: (alert: FalcoAlert) => void;
}

/** What {@link runDemo} produced. */
export interface DemoResult {
  capture: string;
  /** Rules files the syscall alerts came from, in load order (official first). */
  rulesFiles: string[];
  /** Whether Falco's official rules were among them. */
  officialRules: boolean;
  /** Falco alerts over the capture's system calls (every matching rule of each event). */
  alerts: FalcoAlert[];
  /** The SysFlow file and its record count. */
  sysflowPath: string;
  records: number;
  /** File entities, flows and events on {@link STARTUP_FILE_PREFIXES} the graph leaves out. */
  startupRecordsLeftOut: number;
  /** The provenance graph page (absolute path) and the graph it shows. */
  htmlPath: string;
  graph: ProvenanceGraph;
  /** Alerts of the `sf.*` rules, attached to the graph's nodes and edges. */
  graphAlerts: GraphAlert[];
  /** Traffic of the processes with network flows, most bytes first, with their periodicity. */
  traffic: TrafficSeries[];
  /** Per process and endpoint: its contacts (bursts of flows) scored for periodicity, beaconing first. */
  contacts: EndpointContacts[];
  /** The hijacked server's process tree (compacted: repeated siblings merged), as indented lines. */
  serverTree: string[];
}

/** The contacts of one process with one endpoint. */
export interface EndpointContacts {
  process: string;
  endpoint: string;
  /** Start times (ns) of the contacts: flows starting within `burstSec` of the previous one are one contact. */
  starts: bigint[];
  periodicity: PeriodicityScore;
}

/**
 * Contacts of each process with each endpoint, scored for beaconing. The flow builder writes one flow per
 * fd, so one beacon of a shell script is several flows a few ms apart (the connect on fd 3, the request
 * written through a redirected fd 1, the answer read through fd 0); collapsing flows that start within
 * `burstSec` of the previous one gives one contact per beacon, whose start times
 * `periodicity` of `@sysray/graph` scores.
 */
export function endpointContacts(traffic: readonly TrafficSeries[], burstSec = 0.1): EndpointContacts[] {
  const burst = BigInt(Math.round(burstSec * 1e9));
  const out: EndpointContacts[] = [];
  for (const series of traffic) {
    const byEndpoint = new Map<string, bigint[]>();
    for (const f of series.flows) {
      const list = byEndpoint.get(f.label) ?? [];
      list.push(f.start);
      byEndpoint.set(f.label, list);
    }
    for (const [endpoint, times] of byEndpoint) {
      times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const starts: bigint[] = [];
      let last: bigint | undefined;
      for (const t of times) {
        if (last === undefined || t - last > burst) starts.push(t);
        last = t;
      }
      const t0 = starts[0] ?? 0n;
      const score = periodicity(starts.map((t) => Number(t - t0) / 1e9));
      out.push({ process: series.label, endpoint, starts, periodicity: score });
    }
  }
  return out.sort(
    (a, b) =>
      Number(b.periodicity.beaconing) - Number(a.periodicity.beaconing) ||
      b.periodicity.score - a.periodicity.score,
  );
}

/**
 * Files every program opens while it starts (the dynamic loader's cache and shared libraries, locale data) and
 * kernel pseudo-files: the graph leaves their file flows out so that the attack's own files stand out (the
 * `.sf` file keeps them).
 */
export const STARTUP_FILE_PREFIXES: readonly string[] = [
  '/etc/ld.so.cache',
  '/lib/',
  '/lib64/',
  '/usr/lib/',
  '/usr/lib64/',
  '/usr/share/locale/',
  '/proc/',
  '/sys/',
];

/** Whether a resolved record is a file entity, flow or event on one of {@link STARTUP_FILE_PREFIXES}. */
export function isStartupFileRecord(r: SysFlowEvent): boolean {
  const rec = r.record;
  if (rec.type !== 'FileFlow' && rec.type !== 'FileEvent' && rec.type !== 'File') return false;
  const path = rec.type === 'File' ? rec.rec.path : r.file?.path;
  return path !== undefined && STARTUP_FILE_PREFIXES.some((p) => path.startsWith(p));
}

/** The resolved records of a `.sf` file without {@link isStartupFileRecord} ones; counts what it left out. */
async function* withoutStartupFiles(path: string, left: { out: number }): AsyncGenerator<SysFlowEvent> {
  const tables = new SysFlowEntityTables();
  for await (const r of resolveSysFlow(path, { tables })) {
    const ev: SysFlowEvent = r;
    if (isStartupFileRecord(ev)) {
      left.out++;
      continue;
    }
    ev.tables = tables; // the ancestor attributes (sf.proc.aname, …) walk them
    yield ev;
  }
}

/** Falco's official rules to use: the paths given, else the installed copy if there is one. */
export function officialRulesFiles(given: readonly string[] | undefined): string[] {
  if (given) return given.map((p) => resolve(p));
  for (const candidate of [INSTALLED_FALCO_RULES, SHARED_FALCO_RULES])
    if (existsSync(candidate)) return [candidate];
  return [];
}

/**
 * The process tree under the first process whose arguments name `marker` (the victim server), following clone
 * and exec edges of the compacted graph (identical siblings merged, shown as `×N`), at most `maxLines` lines.
 */
export function processTree(pg: ProvenanceGraph, marker: string, maxLines = 60): string[] {
  const view = compactGraph(pg);
  const g = view.graph;
  const root = g.findNode(
    (_k, a) => a.kind === 'process' && typeof a.args === 'string' && a.args.includes(marker),
  );
  if (root === undefined) return [];
  const lines: string[] = [];
  const seen = new Set<string>();
  const walk = (node: string, depth: number, via: string) => {
    if (seen.has(node) || lines.length >= maxLines) return;
    seen.add(node);
    const a = g.getNodeAttributes(node);
    const alerts = Array.isArray(a.alerts) && a.alerts.length > 0 ? '  [alert]' : '';
    const label = String(a.label).length > 110 ? `${String(a.label).slice(0, 109)}…` : String(a.label);
    lines.push(`${'  '.repeat(depth)}${via}${label}${alerts}`);
    for (const e of g.outEdges(node)) {
      const kind = g.getEdgeAttribute(e, 'kind');
      if (kind === 'clone') walk(g.target(e), depth + 1, '');
      else if (kind === 'exec') walk(g.target(e), depth, '→ exec ');
    }
  };
  walk(root, 0, '');
  return lines;
}

/**
 * Runs the demo's pipeline over a capture and writes `<name>.sf` and `<name>.html` into `outDir`.
 * @throws InspectorError (rules that do not load, a bad capture), SysFlowError, RuleError (graph rules).
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const capture = resolve(options.capture ?? BUNDLED_CAPTURE);
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);
  await mkdir(outDir, { recursive: true });
  const official = officialRulesFiles(options.falcoRules);
  const rulesFiles = [...official, OWN_RULES];

  const alerts: FalcoAlert[] = [];
  for await (const alert of runRulesOnCapture(capture, rulesFiles, { ruleMatching: 'all' })) {
    alerts.push(alert);
    options.onAlert?.(alert);
  }

  const name = basename(capture)
    .replace(/\.gz$/, '')
    .replace(/\.scap$/, '');
  const sysflowPath = join(outDir, `${name}.sf`);
  const { records } = await convertCaptureToSysFlow(capture, sysflowPath);

  const left = { out: 0 };
  const built = await buildGraph(withoutStartupFiles(sysflowPath, left), { rules: [OWN_SYSFLOW_RULES] });
  const htmlPath = join(outDir, `${name}.html`);
  await writeFile(
    htmlPath,
    exportGraph(built, 'html', { title: `sysray demo — ${basename(capture)}: provenance graph` }),
  );
  const traffic = trafficByProcess(built.graph);
  return {
    capture,
    rulesFiles,
    officialRules: official.length > 0,
    alerts,
    sysflowPath,
    records,
    startupRecordsLeftOut: left.out,
    htmlPath,
    graph: built.graph,
    graphAlerts: built.graph.alerts,
    traffic,
    contacts: endpointContacts(traffic),
    serverTree: processTree(built.graph, 'victim-server.mjs'),
  };
}
