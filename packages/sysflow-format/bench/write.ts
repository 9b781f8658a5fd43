/**
 * Encoding and building throughput, one core:
 * - `.sf` encoding: records/s of `writeSysFlowSync` (deflate, 1000 records per block, records validated) against
 *   avsc's own block encoder (`avro.streams.BlockEncoder`: same schema and codec, its default 64 KiB blocks)
 *   fed the same records in avsc's value form (as avsc's own decoder returns them);
 * - the flow builder: events/s from each SysFlow pair's capture through the inspector and `SysFlowBuilder`
 *   (what `sysray convert` does, minus reading and writing files), the capture decoded once beforehand.
 *
 *   npx tsx packages/sysflow-format/bench/write.ts [--rounds 7] [--repeat 300] [--build-repeat 20]
 *                                                   [--testdata DIR]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Inspector } from '@sysray/inspector';
import { readScapSync } from '@sysray/pcapng/scap';
import avro from 'avsc';
import {
  bigintLongType,
  readSysFlowSync,
  SysFlowBuilder,
  type SysFlowRecord,
  writeSysFlowSync,
} from '../src/index.js';
import { opt, pairNames, pairsDir } from './options.js';

const ROUNDS = opt('rounds', 7);
const REPEAT = opt('repeat', 300);
const BUILD_REPEAT = opt('build-repeat', 20);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median and slowest of `ROUNDS` timed rounds (after one untimed round) of `run`, in units/s. */
async function rate(
  units: number,
  run: () => void | Promise<void>,
): Promise<{ median: number; slowest: number }> {
  await run();
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    await run();
    rates.push(units / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return { median: median(rates), slowest: Math.min(...rates) };
}

const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
const before = loadavg().map((x) => x.toFixed(2));

// ---- encoding
const file = readFileSync(`${pairsDir}namespaces_setns.sf`);
const one = readSysFlowSync(file);
const ours: SysFlowRecord[] = [];
for (let i = 0; i < REPEAT; i++) ours.push(...one);

const avscValues: unknown[] = [];
let avscType: avro.Type | undefined;
await new Promise<void>((resolve, reject) => {
  const decoder = new avro.streams.BlockDecoder({
    parseHook: (schema: avro.Schema) => {
      avscType = avro.Type.forSchema(schema, { registry: { long: bigintLongType }, wrapUnions: 'auto' });
      return avscType;
    },
  });
  decoder
    .on('data', (v: unknown) => avscValues.push(v))
    .on('end', resolve)
    .on('error', reject);
  decoder.end(file);
});
const peerValues: unknown[] = [];
for (let i = 0; i < REPEAT; i++) peerValues.push(...avscValues);
if (peerValues.length !== ours.length) throw new Error('avsc and sysray read different record counts');

const encodeOurs = await rate(ours.length, () => {
  writeSysFlowSync(ours, { recordsPerBlock: 1000 });
});
const encodePeer = await rate(
  peerValues.length,
  () =>
    new Promise<void>((resolve, reject) => {
      // Deflate runs in zlib's callbacks: the round ends when the encoder has emitted its last block.
      const enc = new avro.streams.BlockEncoder(avscType!, { codec: 'deflate' });
      enc
        .on('data', () => {})
        .on('end', resolve)
        .on('error', reject);
      for (let i = 0; i < peerValues.length; i++) enc.write(peerValues[i]);
      enc.end();
    }),
);
console.log(
  `.sf encoding, ${ours.length} records (namespaces_setns.sf x${REPEAT}), deflate, ${ROUNDS} rounds: ` +
    `writeSysFlowSync median ${fmt(encodeOurs.median)} (slowest ${fmt(encodeOurs.slowest)}); ` +
    `peer avsc BlockEncoder median ${fmt(encodePeer.median)} (slowest ${fmt(encodePeer.slowest)}); ` +
    `time ours/avsc ${(encodePeer.median / encodeOurs.median).toFixed(2)}`,
);

// ---- flow builder
let events = 0;
const captures = pairNames.map((p) => {
  const { batch, info } = readScapSync(readFileSync(`${pairsDir}${p}.scap`));
  events += batch.count;
  return { batch, info };
});
let records = 0;
const build = await rate(events * BUILD_REPEAT, () => {
  records = 0;
  for (let r = 0; r < BUILD_REPEAT; r++) {
    for (const { batch, info } of captures) {
      const insp = new Inspector({ showAllEvents: true });
      insp.seed(info);
      const builder = new SysFlowBuilder(insp, () => {
        records++;
      });
      for (const tid of info.threads.keys()) builder.seededTids.add(tid);
      for (let i = 0; i < batch.count; i++) {
        const ctx = insp.process(batch, i);
        if (ctx) builder.process(ctx);
      }
      builder.finish();
    }
  }
});
console.log(
  `flow builder, the 7 pairs' captures x${BUILD_REPEAT} (${events * BUILD_REPEAT} events -> ${records} records), ` +
    `inspector + SysFlowBuilder: median ${fmt(build.median)} (events; slowest ${fmt(build.slowest)})`,
);
console.log(
  `load average ${before.join(' ')} -> ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
