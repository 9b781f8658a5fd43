/** Writes the example's sample capture (packets + syscall events): `tsx make-sample.ts OUT.pcapng`. */
import { writeFileSync } from 'node:fs';
import { samplePcapng } from './sample.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: tsx make-sample.ts OUT.pcapng');
  process.exit(2);
}
writeFileSync(out, samplePcapng());
console.log(`wrote ${out}`);
