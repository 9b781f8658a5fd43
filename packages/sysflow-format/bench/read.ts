/**
 * Read throughput of `.sf` files: this package (sync and streaming) against avsc's own file decoder
 * (same bigint long type), on a file made by repeating the records of a sample collector output.
 *
 *   pnpm --filter @sysray/sysflow-format bench            # default 200 repeats (~110k records)
 *   npx tsx packages/sysflow-format/bench/read.ts 500
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import {
  bigintLongType,
  readSysFlow,
  readSysFlowBatches,
  readSysFlowBatchesSync,
  readSysFlowSync,
  writeSysFlowSync,
} from '../src/index.js';

const repeats = Number(process.argv[2] ?? 200);
const sample = new URL('../../../../shared/testdata/sysflow-pairs/namespaces_setns.sf', import.meta.url);
const records = readSysFlowSync(readFileSync(sample));
const many = Array.from({ length: repeats }, () => records).flat();
const dir = mkdtempSync(join(tmpdir(), 'sysflow-bench-'));
const file = join(dir, 'bench.sf');
writeFileSync(file, writeSysFlowSync(many, { recordsPerBlock: 1000 }));
const bytes = readFileSync(file);

async function time(name: string, run: () => Promise<number> | number): Promise<number> {
  const start = process.hrtime.bigint();
  const n = await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(
    `${name.padEnd(28)} ${n} records  ${ms.toFixed(0).padStart(6)} ms  ${((n / ms) * 1000).toFixed(0)} rec/s`,
  );
  return ms;
}

console.log(`file: ${many.length} records, ${(bytes.length / 1e6).toFixed(1)} MB (deflate)`);
for (let round = 0; round < 4; round++) {
  const ours = await time('sysflow-format sync batches', () => {
    let n = 0;
    for (const batch of readSysFlowBatchesSync(bytes)) n += batch.records.length;
    return n;
  });
  await time('sysflow-format sync array', () => readSysFlowSync(bytes).length);
  await time('sysflow-format stream batches', async () => {
    let n = 0;
    for await (const batch of readSysFlowBatches(file)) n += batch.records.length;
    return n;
  });
  await time('sysflow-format stream records', async () => {
    let n = 0;
    for await (const _ of readSysFlow(file)) n++;
    return n;
  });
  const raw = await time(
    'avsc createFileDecoder',
    () =>
      new Promise<number>((resolve, reject) => {
        let n = 0;
        avro
          .createFileDecoder(file, {
            parseHook: (schema: avro.Schema) =>
              avro.Type.forSchema(schema, { registry: { long: bigintLongType }, wrapUnions: 'auto' }),
          } as never)
          .on('data', () => n++)
          .on('end', () => resolve(n))
          .on('error', reject);
      }),
  );
  console.log(`  ratio sync/avsc: ${(ours / raw).toFixed(2)}`);
}
rmSync(dir, { recursive: true, force: true });
