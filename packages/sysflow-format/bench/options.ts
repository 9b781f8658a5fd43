/** Command-line options shared by the benchmark scripts. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The script's arguments. */
export const args = process.argv.slice(2);

/** The number after `--name`, else `def`. */
export function opt(name: string, def: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
}

const testdataIdx = args.indexOf('--testdata');
/** `--testdata DIR`, default `../shared/testdata` next to the repository; with a trailing `/`. */
export const testdata =
  testdataIdx >= 0
    ? args[testdataIdx + 1]!.replace(/\/?$/, '/')
    : fileURLToPath(new URL('../../../../shared/testdata/', import.meta.url));

/** The SysFlow pairs (`X.scap` + the collector's `X.sf`). */
export const pairsDir = `${testdata}sysflow-pairs/`;

/** Names of the SysFlow pairs: every `X.scap` of {@link pairsDir}. */
export const pairNames = readdirSync(pairsDir)
  .filter((f) => f.endsWith('.scap'))
  .map((f) => f.slice(0, -'.scap'.length))
  .sort();
