import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The version of `@sysray/cli`, from its package.json (one level above both `src/` and `dist/`).
 */
export function cliVersion(): string {
  if (cached === undefined) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
        version?: string;
      };
      cached = manifest.version ?? 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
