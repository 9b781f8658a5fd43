import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's graphviz and chromium (installed by scripts/install-tools.sh). */
export const DOT = '/usr/bin/dot';
export const CHROMIUM = '/usr/bin/chromium';

/** Fails loudly (never skips) when a tool is missing. */
export function requireTool(path: string, pkg: string): void {
  if (!existsSync(path))
    throw new Error(
      `${path} is required for these tests (apt-get install ${pkg}, or bash scripts/install-tools.sh)`,
    );
}

/** Renders DOT text with graphviz; returns the SVG (throws with dot's stderr on failure). */
export function renderDot(dot: string, format = 'svg'): string {
  requireTool(DOT, 'graphviz');
  const r = spawnSync(DOT, [`-T${format}`], { input: dot, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`dot failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Headless Debian chromium through playwright-core, with a fresh profile; close() removes it. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  requireTool(CHROMIUM, 'chromium');
  const profile = mkdtempSync(join(tmpdir(), 'sysray-graph-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 820 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
