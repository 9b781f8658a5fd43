import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { readScapSync, ScapEvent } from '@sysray/pcapng/scap';
import { probeUnavailable } from '@sysray/probe-native';
import { formatIPv4, readSysFlowSync, resolveRecords, SysFlowOpFlags } from '@sysray/sysflow-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../packages/graph/test/helpers/tools.js';
import {
  BUNDLED_CAPTURE,
  type DemoResult,
  isStartupFileRecord,
  runDemo,
  STARTUP_FILE_PREFIXES,
} from './demo-pipeline.js';
import { recordScenario, scenarioThreads } from './recording.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const OFFICIAL = here('../../../shared/testdata/falco-rules/falco_rules.yaml');
const KEYS = ['aws.pem', 'id_rsa', 'id_rsa.pub', 'server.key'];
const DECOYS = ['known_hosts', 'notes.txt', 'settings.json'];

/** sysray's own rules and the MITRE ATT&CK technique ids each must carry. */
const OWN_RULES: Record<string, string[]> = {
  'Shell spawned by a service runtime': ['T1190', 'T1059.004'],
  'Shell connected to a network endpoint': ['T1071.001', 'T1105'],
  'Shell script run from a temporary file': ['T1059.004'],
  'Search for private keys': ['T1083', 'T1552.004'],
  'Key-like file read under a service': ['T1552.004'],
  'Large upload by a descendant of a service': ['T1041'],
};

let dir: string;
let demo: DemoResult;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sysray-demo-test-'));
  demo = await runDemo({ capture: BUNDLED_CAPTURE, outDir: join(dir, 'out'), falcoRules: [] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The C2's port, read from the injected command line the victim's shell ran. */
function c2Port(r: DemoResult): number {
  const shell = r.alerts.find((a) => a.rule === 'Shell spawned by a service runtime')!;
  return Number(/C2_PORT=(\d+)/.exec(String(shell.output_fields['proc.cmdline']))![1]);
}

describe('the bundled recording', () => {
  it('is small, gzip-compressed, and holds the scenario processes only (no process list)', async () => {
    const gz = await readFile(BUNDLED_CAPTURE);
    expect(gz.length).toBeLessThan(2 << 20);
    const capture = readScapSync(gunzipSync(gz));
    expect(capture.info.threads.size).toBe(0);
    expect(capture.info.machineInfo?.hostname).toBe('sysray-demo');
    const execs = new Set<string>();
    const ev = new ScapEvent();
    for (let i = 0; i < capture.batch.count; i++) {
      ev.load(capture.batch, i);
      if (ev.name === 'execve' && ev.direction === '<') execs.add(basename(String(ev.param('exe'))));
    }
    expect([...execs].sort()).toEqual(
      [
        'bash',
        'cat',
        'find',
        'head',
        'mktemp',
        'node',
        'rm',
        'sed',
        'sh',
        'sleep',
        'sort',
        'stat',
        'uname',
        'wc',
      ].sort(),
    );
  });

  it("keeps a root's descendants and threads but not the other tree (scenarioThreads on the recording)", async () => {
    const capture = readScapSync(gunzipSync(await readFile(BUNDLED_CAPTURE)));
    const victim = demo.alerts.find((a) => a.rule === 'Shell spawned by a service runtime')!;
    const victimPid = Number(victim.output_fields['proc.ppid']);
    const all = new Set<number>();
    const ev = new ScapEvent();
    for (let i = 0; i < capture.batch.count; i++) all.add(ev.load(capture.batch, i).tid);
    const victimTree = scenarioThreads([capture.batch], [victimPid]);
    expect(victimTree.has(victimPid)).toBe(true);
    // The shell, the payload and everything they ran are kept; the C2 server's threads are not.
    const payloadPids = demo.alerts.map((a) => Number(a.output_fields['proc.pid'] ?? Number.NaN));
    for (const pid of payloadPids.filter(Number.isFinite)) expect(victimTree.has(pid)).toBe(true);
    const others = [...all].filter((t) => !victimTree.has(t));
    expect(others.length).toBeGreaterThan(0);
    expect(scenarioThreads([capture.batch], [Math.min(...others)]).has(victimPid)).toBe(false);
  });
});

describe('the demo on the bundled recording', () => {
  it("raises each of sysray's own rules with its MITRE ATT&CK tags", () => {
    expect(demo.officialRules).toBe(false);
    expect(new Set(demo.alerts.map((a) => a.rule))).toEqual(new Set(Object.keys(OWN_RULES)));
    for (const a of demo.alerts) {
      for (const id of OWN_RULES[a.rule]!) expect(a.tags).toContain(id);
      expect(a.output).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z: (Critical|Error|Warning) /);
    }
    const count = (rule: string) => demo.alerts.filter((a) => a.rule === rule).length;
    expect(count('Shell spawned by a service runtime')).toBe(1);
    expect(count('Search for private keys')).toBe(1);
    // the stage download, 6 beacons, the upload
    expect(count('Shell connected to a network endpoint')).toBe(8);
    const shell = demo.alerts.find((a) => a.rule === 'Shell spawned by a service runtime')!;
    expect(shell.output_fields).toMatchObject({ 'proc.name': 'sh', 'proc.pname': 'node' });
  });

  it('sees the key-like files read, never the decoys', () => {
    const read = demo.alerts
      .filter((a) => a.rule === 'Key-like file read under a service')
      .map((a) => basename(String(a.output_fields['fd.name'])));
    expect([...new Set(read)].sort()).toEqual(KEYS);
    for (const d of DECOYS) expect(read).not.toContain(d);
  });

  it("adds Falco's official rules when given: their key-search rule fires on the payload's find", async () => {
    expect(existsSync(OFFICIAL)).toBe(true);
    const r = await runDemo({
      capture: BUNDLED_CAPTURE,
      outDir: join(dir, 'official'),
      falcoRules: [OFFICIAL],
    });
    expect(r.officialRules).toBe(true);
    expect(r.rulesFiles[0]).toBe(OFFICIAL);
    const official = r.alerts.filter((a) => !(a.rule in OWN_RULES));
    expect(official.map((a) => a.rule)).toEqual(['Search Private Keys or Passwords']);
    expect(official[0]!.tags).toContain('T1552.001');
    expect(official[0]!.output_fields['proc.name']).toBe('find');
    expect(r.alerts.length).toBe(demo.alerts.length + official.length);
  });

  it('builds SysFlow: the server tree, the payload reading the keys, beacons and the upload to the C2', async () => {
    const records = [...resolveRecords(readSysFlowSync(await readFile(demo.sysflowPath)))];
    expect(records.length).toBe(demo.records);
    const port = c2Port(demo);
    const execs = records.filter(
      (r) => r.record.type === 'ProcessEvent' && r.record.rec.opFlags === SysFlowOpFlags.OP_EXEC,
    );
    const chain = execs.map((r) => `${basename(r.parent?.exe ?? '?')}>${basename(r.process?.exe ?? '?')}`);
    expect(chain).toContain('node>dash'); // the victim's shell (sh is dash on Debian)
    expect(execs.some((r) => r.process?.exe.endsWith('bash') && r.process.exeArgs.startsWith('/tmp/'))).toBe(
      true,
    );
    const keyReads = records.filter(
      (r) =>
        r.record.type === 'FileFlow' &&
        r.record.rec.numRRecvBytes > 0n &&
        KEYS.includes(basename(r.file?.path ?? '')) &&
        basename(r.process?.exe ?? '') === 'cat',
    );
    expect(keyReads.map((r) => basename(r.file!.path)).sort()).toEqual(KEYS);
    const toC2 = records.filter(
      (r) =>
        r.record.type === 'NetworkFlow' &&
        r.record.rec.dport === port &&
        formatIPv4(r.record.rec.dip) === '127.0.0.1' &&
        basename(r.process?.exe ?? '') !== 'node',
    );
    const connects = toC2.filter(
      (r) => r.record.type === 'NetworkFlow' && (r.record.rec.opFlags & SysFlowOpFlags.OP_CONNECT) !== 0,
    );
    expect(connects.length).toBe(8); // stage download + 6 beacons + upload, each its own connection
    const upload = toC2.filter(
      (r) => r.record.type === 'NetworkFlow' && r.record.rec.numWSendBytes >= 256n << 10n,
    );
    expect(upload).toHaveLength(1);
    expect(basename(upload[0]!.process!.exe)).toBe('cat');
  });

  it('labels the graph with the sf.* rules and flags the payload beaconing to the C2', () => {
    const rules = new Map(demo.graphAlerts.map((a) => [a.rule, [...a.mitre].sort()]));
    expect(rules.get('Shell spawned by a service runtime')).toEqual(['T1059.004', 'T1190']);
    expect(rules.get("Key-like file read by the attack's tree")).toEqual(['T1552.004']);
    expect(rules.get("Large upload from the attack's tree")).toEqual(['T1041']);
    expect(rules.get("Connection out from the attack's tree")).toEqual(['T1071.001']);
    for (const a of demo.graphAlerts) expect(a.nodes.length).toBeGreaterThan(0);
    const port = c2Port(demo);
    const payload = demo.contacts.find(
      (c) => c.process.startsWith('bash') && c.endpoint.endsWith(`:${port}`),
    )!;
    expect(payload.starts).toHaveLength(7); // 6 beacons + the upload, 0.5 s apart
    expect(payload.periodicity.beaconing).toBe(true);
    expect(payload.periodicity.meanInterval).toBeGreaterThan(0.45);
    expect(payload.periodicity.meanInterval).toBeLessThan(0.8);
    expect(demo.serverTree[0]).toMatch(/^node \[\d+\]/);
    expect(demo.serverTree.join('\n')).toMatch(/→ exec find \[\d+\] {2}\[alert\]/);
  });

  it("leaves program start-up files out of the graph but keeps the attack's files", async () => {
    const records = [...resolveRecords(readSysFlowSync(await readFile(demo.sysflowPath)))];
    const startup = records.filter(isStartupFileRecord);
    expect(startup.length).toBeGreaterThan(100); // every exec loads libc and locale data
    expect(demo.startupRecordsLeftOut).toBe(startup.length);
    const files = demo.graph.graph
      .filterNodes((_k, a) => a.kind === 'file')
      .map((k) => String((demo.graph.graph.getNodeAttributes(k) as { path?: string }).path));
    expect(files.filter((f) => STARTUP_FILE_PREFIXES.some((p) => f.startsWith(p)))).toEqual([]);
    for (const key of KEYS) expect(files.some((f) => f.endsWith(`/${key}`))).toBe(true);
    expect(files.some((f) => /^\/tmp\/tmp\.\w+$/.test(f))).toBe(true); // the downloaded stage
  });

  it('writes an HTML page that loads in Chromium without errors and shows the server tree and the payload', async () => {
    expect(demo.htmlPath).toBe(join(dir, 'out', 'attack-scenario.html'));
    const html = await readFile(demo.htmlPath, 'utf8');
    expect(html).toContain('victim-server.mjs');
    expect(html).toMatch(/\/tmp\/tmp\.\w+/);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      await page.goto(pathToFileURL(demo.htmlPath).href);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
      expect(errors).toEqual([]);
      expect(await page.locator('#viewport g.node.process.alert').count()).toBeGreaterThanOrEqual(4);
      // The payload script's process: its details and its traffic plot (beacons out, answers in).
      const port = c2Port(demo);
      const payloadKey = demo.graph.graph.findNode(
        (_k, a) => a.kind === 'process' && a.exe.endsWith('bash') && String(a.args).startsWith('/tmp/'),
      )!;
      const label = demo.graph.graph.getNodeAttribute(payloadKey, 'label');
      await page.locator('#viewport g.node.process', { hasText: label }).first().click();
      expect(await page.locator('#details').textContent()).toContain('/tmp/tmp.');
      expect(await page.locator('#traffic rect.bar-out').count()).toBeGreaterThanOrEqual(6);
      expect(await page.locator('#traffic-info').textContent()).toContain(label);
      expect(await page.locator('#alerts').textContent()).toContain(`127.0.0.1:${port}`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('demo.ts prints the alerts and the absolute path of the page, and exits 0', async () => {
    const out = join(dir, 'cli');
    const { stdout } = await promisify(execFile)(
      here('node_modules/.bin/tsx'),
      ['demo.ts', '--', '--out', out],
      {
        cwd: here('.'),
      },
    );
    expect(stdout).toContain('Critical Shell spawned by a service runtime (shell=sh parent=node');
    expect(stdout).toContain(`Provenance graph: ${join(out, 'attack-scenario.html')}`);
    expect(stdout).toMatch(/bash \[\d+\] → tcp 127\.0\.0\.1:\d+: 7 contacts, .*← beaconing/);
    expect(existsSync(join(out, 'attack-scenario.html'))).toBe(true);
  });

  it('demo.ts refuses --live with --capture (exit 2) and a missing capture (exit 1)', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(here('node_modules/.bin/tsx'), ['demo.ts', ...args], { cwd: here('.') }).catch(
        (e: unknown) => e as { code: number; stderr: string },
      );
    const both = (await run(['--live', '--capture', BUNDLED_CAPTURE])) as { code: number; stderr: string };
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--live and --capture exclude each other');
    const missing = (await run(['--capture', join(dir, 'nope.scap'), '--out', join(dir, 'x')])) as {
      code: number;
      stderr: string;
    };
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.scap');
  });
});

const why = probeUnavailable();
if (why && process.env.CI) throw new Error(`the live recording test cannot run under CI: ${why.message}`);
if (why) console.warn(`skipping the live recording test: ${why.message}`);

describe.skipIf(why !== undefined)('recording the scenario live (root)', () => {
  it('captures the attack of the scenario processes only, and the rules find it', async () => {
    const rec = await recordScenario({ beacons: 3, intervalSec: 0.2, uploadBytes: 100_000 });
    expect(rec.scenario.report.uploads).toHaveLength(1);
    expect(rec.eventsKept).toBeLessThan(rec.eventsSeen);
    expect(rec.tids).toContain(rec.scenario.victim.pid);
    expect(rec.tids).toContain(rec.scenario.c2.pid);
    expect(rec.tids).not.toContain(process.pid);
    const path = join(dir, 'live.scap');
    await writeFile(path, rec.bytes);
    const live = await runDemo({ capture: path, outDir: join(dir, 'live'), falcoRules: [] });
    const rules = new Set(live.alerts.map((a) => a.rule));
    for (const rule of Object.keys(OWN_RULES)) expect(rules).toContain(rule);
    const keys = live.alerts.filter((a) => a.rule === 'Key-like file read under a service');
    expect(new Set(keys.map((a) => basename(String(a.output_fields['fd.name']))))).toEqual(new Set(KEYS));
  });
});
