import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `../shared/testdata/` relative to the repository root (this file is packages/falco-rules/test/). */
export const TESTDATA = fileURLToPath(new URL('../../../../shared/testdata/', import.meta.url));

/** Reads a file below the shared test-data folder. */
export function readTestdata(rel: string): string {
  return readFileSync(`${TESTDATA}${rel}`, 'utf8');
}
