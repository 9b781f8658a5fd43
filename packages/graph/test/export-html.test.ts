import { mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolveRecords } from '@sysray/sysflow-format';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildGraphFromFile,
  compactGraph,
  computeGraphlets,
  exportGraph,
  exportHtml,
  GraphBuilder,
  type ProvenanceGraph,
  scriptSafeJSON,
} from '../src/index.js';
import { netFlow, OP, oid, proc, SEC, T0 } from './helpers/records.js';
import { ARTIFACTS, SHELLSHOCK } from './helpers/testdata.js';
import { launchChromium } from './helpers/tools.js';

const RULES = [
  {
    name: 'r.yaml',
    content: `
- rule: Read passwd
  desc: d
  condition: sf.proc.exe = /bin/cat and sf.file.path = /etc/passwd and sf.opflags contains READ
  output: "%sf.proc.exe read %sf.file.path"
  priority: WARNING
  tags: [T1003.008, mitre_credential_access]
`,
  },
];

let browser: Awaited<ReturnType<typeof launchChromium>>;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

interface Loaded {
  page: Page;
  errors: string[];
  requests: string[];
}

/** Opens an exported file from disk, recording console errors, page errors and every request made. */
async function open(html: string, name: string): Promise<Loaded> {
  const path = `${ARTIFACTS}${name}.html`;
  writeFileSync(path, html);
  const page = await browser.context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(path).href;
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
  return { page, errors, requests: requests.filter((r) => r !== url) };
}

function beaconGraph(): ProvenanceGraph {
  const b = new GraphBuilder();
  const recs = [
    proc(1, '/sbin/init', ''),
    proc(66, '/tmp/.x/implant', '--quiet', { parent: oid(1), createTS: T0 + 1n }),
  ];
  for (let i = 0; i < 30; i++) {
    const ts = T0 + 10n + BigInt(i) * 15n * SEC;
    recs.push(
      netFlow(
        oid(66, T0 + 1n),
        ts,
        ts + SEC / 2n,
        OP.CONNECT | OP.READ | OP.WRITE,
        ['10.0.0.4', 41000 + i],
        ['203.0.113.50', 443],
        200,
        1500 + (i % 3) * 10,
      ),
    );
  }
  for (const r of resolveRecords(recs)) b.add(r);
  computeGraphlets(b.result);
  return b.result;
}

describe('HTML export in headless Chromium', () => {
  it('loads shellshock without console errors or requests and draws every node, alerts highlighted', async () => {
    const result = await buildGraphFromFile(SHELLSHOCK, { rules: RULES });
    const view = compactGraph(result.graph);
    const { page, errors, requests } = await open(exportGraph(result, 'html'), 'shellshock');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('#viewport g.node').count()).toBe(view.graph.order);
    expect(await page.locator('#viewport path.edge').count()).toBe(view.graph.size);
    const alerted = view.graph.filterNodes((_k, a) => a.alerts.length > 0).length;
    expect(alerted).toBe(2);
    expect(await page.locator('#viewport g.node.alert').count()).toBe(alerted);
    expect(await page.locator('#alerts .alert-item').count()).toBe(1);

    // Click the cat node: its details and alert appear.
    await page.locator('#viewport g.node.process.alert').first().click();
    const details = await page.locator('#details').textContent();
    expect(details).toContain('/bin/cat');
    expect(details).toContain('Read passwd (Warning)');
    expect(details).toContain('T1003.008');

    // Wheel zooms, drag pans.
    const before = await page.locator('#viewport').getAttribute('transform');
    await page.mouse.move(300, 300);
    await page.mouse.wheel(0, -400);
    const zoomed = await page.locator('#viewport').getAttribute('transform');
    expect(zoomed).not.toBe(before);
    await page.mouse.move(200, 500);
    await page.mouse.down();
    await page.mouse.move(320, 560, { steps: 4 });
    await page.mouse.up();
    expect(await page.locator('#viewport').getAttribute('transform')).not.toBe(zoomed);
    await page.locator('#fit').click();
    await page.screenshot({ path: `${ARTIFACTS}shellshock.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plots the traffic of a beaconing process and flags it', async () => {
    const pg = beaconGraph();
    const { page, errors, requests } = await open(exportHtml(pg), 'beacon');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('#viewport g.node').count()).toBe(pg.graph.order);
    expect(await page.locator('#traffic rect.bar-out').count()).toBeGreaterThan(10);
    expect(await page.locator('#traffic rect.bar-in').count()).toBeGreaterThan(10);
    expect(await page.locator('#traffic-info').textContent()).toContain('beaconing suspected');
    await page.locator('#viewport g.node.process').nth(1).click();
    expect(await page.locator('#details').textContent()).toContain('/tmp/.x/implant');
    await page.screenshot({ path: `${ARTIFACTS}beacon.png` });
    await page.close();
  });
});

describe('HTML export', () => {
  it('is self-contained: no external scripts, styles, links or fetches', async () => {
    const html = exportHtml(beaconGraph());
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/\bfetch\(|XMLHttpRequest|WebSocket|EventSource/);
    const urls = html.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });

  it('embeds data that cannot close its script element', () => {
    const s = scriptSafeJSON({ a: '</script><script>alert(1)</script>', b: '\u2028' });
    expect(s).not.toContain('<');
    expect(JSON.parse(s)).toEqual({ a: '</script><script>alert(1)</script>', b: '\u2028' });
  });
});
