/**
 * Re-records the demo capture: the attack scenario under `@sysray/probe-native`, kept to the scenario's own
 * processes, written gzip-compressed (readers of `@sysray/pcapng/scap` take gzip transparently).
 *
 *   tsx record.ts [-o OUT.scap.gz] [--beacons N] [--interval S] [--upload-bytes N] [--snaplen N] [--hostname H]
 *
 * Needs root (or CAP_BPF + CAP_PERFMON) and a kernel with BTF. Default output: ../data/attack-scenario.scap.gz.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { numberOption } from './args.js';
import { recordScenario } from './recording.js';

const DEFAULT_OUT = fileURLToPath(new URL('../data/attack-scenario.scap.gz', import.meta.url));

function usage(message: string): never {
  console.error(`record: ${message}`);
  console.error(
    'usage: tsx record.ts [-o OUT.scap[.gz]] [--beacons N] [--interval S] [--upload-bytes N] [--snaplen N] [--hostname H]',
  );
  process.exit(2);
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        out: { type: 'string', short: 'o', default: DEFAULT_OUT },
        beacons: { type: 'string', default: '6' },
        interval: { type: 'string', default: '0.5' },
        'upload-bytes': { type: 'string', default: String(256 << 10) },
        snaplen: { type: 'string', default: '64' },
        hostname: { type: 'string', default: 'sysray-demo' },
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
}

function number(name: string, text: string): number {
  return numberOption(name, text, usage);
}

const { values } = parseCommandLine();
const out = resolve(values.out);
try {
  const rec = await recordScenario({
    beacons: number('beacons', values.beacons),
    intervalSec: number('interval', values.interval),
    uploadBytes: number('upload-bytes', values['upload-bytes']),
    snaplen: number('snaplen', values.snaplen),
    hostname: values.hostname,
    onEvent: (e) => {
      if (e.event === 'started')
        console.error(`recording: victim pid ${e.victim.pid}, C2 pid ${e.c2.pid}, fake keys in ${e.lootDir}`);
    },
  });
  const bytes = out.endsWith('.gz') ? gzipSync(rec.bytes, { level: 9 }) : rec.bytes;
  await writeFile(out, bytes);
  const r = rec.scenario.report;
  console.log(
    `${out}: ${bytes.length} bytes (${rec.bytes.length} uncompressed), ${rec.eventsKept} of ${rec.eventsSeen} events ` +
      `(${rec.tids.length} threads of the scenario); the C2 got ${r.beacons.length} beacons and ` +
      `${r.uploads[0]?.bytes ?? 0} bytes uploaded`,
  );
} catch (error) {
  console.error(`record: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
