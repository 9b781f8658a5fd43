import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shared test data folder. CI clones the repo next to `shared/` (like /work/main and /work/shared),
 * so it is found relative to this file (packages/pcapng/test/helpers/), never copied into the repo.
 */
export const TESTDATA_URL = new URL('../../../../../shared/testdata/', import.meta.url);
export const TESTDATA = fileURLToPath(TESTDATA_URL);
export const GENERATOR_DIR = `${TESTDATA}pcapng/generator/`;
export const MALFORMED_DIR = `${TESTDATA}pcapng/malformed/`;

if (!existsSync(GENERATOR_DIR))
  throw new Error(`test data not found at ${TESTDATA}: clone the repo next to the shared/ folder`);

/** A sample file of the pcapng-test-generator set. */
export interface GeneratorFile {
  /** `output_le/basic/test001` */
  name: string;
  path: string;
  littleEndian: boolean;
  /** Block types in file order, from the generator's own `.txt` description. */
  sequence: string[];
}

/** All 48 generator files (24 little-endian, 24 big-endian). */
export function generatorFiles(): GeneratorFile[] {
  const files: GeneratorFile[] = [];
  for (const order of ['output_le', 'output_be']) {
    for (const category of ['basic', 'advanced', 'difficult']) {
      const dir = `${GENERATOR_DIR}${order}/${category}/`;
      for (const entry of readdirSync(dir).sort()) {
        if (!entry.endsWith('.pcapng')) continue;
        const stem = entry.slice(0, -'.pcapng'.length);
        const txt = readFileSync(`${dir}${stem}.txt`, 'utf8');
        const line = /^Block sequence:\s*(.*)$/m.exec(txt);
        if (!line) throw new Error(`no block sequence in ${dir}${stem}.txt`);
        files.push({
          name: `${order}/${category}/${stem}`,
          path: `${dir}${entry}`,
          littleEndian: order === 'output_le',
          sequence: line[1]!.split(',').map((s) => s.trim()),
        });
      }
    }
  }
  return files;
}

/** Every malformed sample (and the one valid file of that folder). */
export function malformedFiles(): string[] {
  return readdirSync(MALFORMED_DIR)
    .filter((f) => f.endsWith('.pcapng'))
    .sort();
}

/** libpcap's message for each malformed file, from `EXPECTED_ERRORS.tsv`. */
export function libpcapErrors(): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync(`${MALFORMED_DIR}EXPECTED_ERRORS.tsv`, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const [file, message] = line.split('\t');
    map.set(file!, message!);
  }
  return map;
}

/** A file's bytes as a plain Uint8Array. */
export function readBytes(path: string): Uint8Array {
  const buffer = readFileSync(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
