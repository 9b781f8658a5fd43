import { fileURLToPath } from 'node:url';

/** `../shared/testdata/` next to the repository root (CI clones the repo with `shared/` as its sibling). */
export const TESTDATA = fileURLToPath(new URL('../../../../../shared/testdata/', import.meta.url));
export const SHELLSHOCK = `${TESTDATA}sysflow-traces/shellshock.sf`;
export const HTTPD = `${TESTDATA}sysflow-traces/httpd.sf`;
/** Gitignored folder for test artifacts (screenshots, rendered exports). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** The JSON Schema of the JSON export. */
export const SCHEMA_PATH = fileURLToPath(new URL('../../schema/graph.schema.json', import.meta.url));
