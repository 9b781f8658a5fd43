/**
 * Runs the demo attack scenario once on loopback and tears it down.
 *
 *   tsx run.ts [--beacons N] [--interval S] [--upload-bytes N] [--hold-ms MS] [--wrap 'CMD ARGS'] [--json] [--keep-loot]
 *
 * For a recorder: `--json` prints one JSON object per line as the scenario goes — `started` (the victim and
 * C2 pids and ports), `attack`, `done` (what the C2 received) — so a recorder can filter on the pids or
 * start recording on `started` (give it time with `--hold-ms`); or wrap the whole run
 * (`recorder -- tsx run.ts`); or wrap each server with `--wrap 'CMD ARGS'`.
 */
import { parseArgs } from 'node:util';
import { numberOption } from './args.js';
import { runScenario, ScenarioError, type ScenarioEvent } from './scenario.js';

function usage(message: string): never {
  console.error(`attack-scenario: ${message}`);
  console.error(
    "usage: tsx run.ts [--beacons N] [--interval S] [--upload-bytes N] [--hold-ms MS] [--wrap 'CMD ARGS'] [--json] [--keep-loot]",
  );
  process.exit(2);
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        beacons: { type: 'string', default: '5' },
        interval: { type: 'string', default: '1' },
        'upload-bytes': { type: 'string', default: String(1 << 20) },
        'hold-ms': { type: 'string', default: '0' },
        wrap: { type: 'string' },
        json: { type: 'boolean' },
        'keep-loot': { type: 'boolean' },
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
const json = values.json === true;
const say = (e: ScenarioEvent) => {
  if (json) console.log(JSON.stringify(e));
  else if (e.event === 'started')
    console.log(
      `victim web service pid ${e.victim.pid} on 127.0.0.1:${e.victim.port}, C2 pid ${e.c2.pid} on 127.0.0.1:${e.c2.port}; fake keys in ${e.lootDir}`,
    );
  else if (e.event === 'attack') console.log(`attack: GET ${e.url.slice(0, 100)}…`);
};

try {
  const result = await runScenario({
    beacons: number('beacons', values.beacons),
    intervalSec: number('interval', values.interval),
    uploadBytes: number('upload-bytes', values['upload-bytes']),
    holdMs: number('hold-ms', values['hold-ms']),
    ...(values.wrap ? { wrap: values.wrap.split(/\s+/).filter(Boolean) } : {}),
    keepLoot: values['keep-loot'] === true,
    onEvent: say,
  });
  const upload = result.report.uploads[0]!;
  if (!json) {
    console.log(
      `victim answered HTTP ${result.response.status}; the C2 served the stage ${result.report.stageDownloads}×`,
    );
    console.log(`beacons: ${result.report.beacons.map((b) => `#${b.seq} at ${b.atMs} ms`).join(', ')}`);
    console.log(`upload: ${upload.bytes} bytes, ${upload.files.length} stolen files:`);
    for (const f of upload.files) console.log(`  ${f.path} (${f.size} bytes)`);
    console.log(`done in ${result.durationMs} ms; everything stopped`);
  }
} catch (error) {
  console.error(`attack-scenario: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof ScenarioError && error.code === 'BAD_OPTION' ? 2 : 1;
}
