/**
 * logray-mixed-pcapng: one time-ordered listing of a pcapng holding packets and syscall events, then its
 * connections with the processes behind them.
 *
 *   tsx main.ts FILE.pcapng [--json]
 */
import { parseArgs } from 'node:util';
import { formatEventLine, formatEventTime } from '@sysray/pcapng/scap';
import { ConnectionTable, flowOf, readMixed } from './mixed.js';

function usage(message: string): never {
  console.error(`logray-mixed-pcapng: ${message}`);
  console.error('usage: tsx main.ts FILE.pcapng [--json]');
  process.exit(2);
}

function parseCommandLine() {
  return parseArgs({ allowPositionals: true, options: { json: { type: 'boolean' } } });
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (error) {
    usage((error as Error).message);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) usage('give one capture file');
  const json = parsed.values.json === true;
  const reader = readMixed(file);
  const table = new ConnectionTable();
  let packets = 0;
  let events = 0;
  for await (const item of reader) {
    if (item.kind === 'event') {
      events++;
      table.addEvent(item.ev, item.comm);
      if (json)
        console.log(
          JSON.stringify({ kind: 'event', block: item.block, comm: item.comm, ...item.ev.toJSON() }),
        );
      else console.log(`event  ${formatEventLine(item.ev, item.ev.num, () => item.comm)}`);
    } else {
      packets++;
      const flow = flowOf(item.iface.linkType, item.data);
      if (flow) table.addPacket(flow);
      const what = flow
        ? `${flow.proto.toUpperCase()} ${flow.src}:${flow.sport} → ${flow.dst}:${flow.dport} payload=${flow.payload}`
        : `linktype ${item.iface.linkType}, ${item.originalLength} bytes`;
      if (json)
        console.log(
          JSON.stringify({
            kind: 'packet',
            block: item.block,
            ts: item.ts?.toString() ?? null,
            iface: item.iface.name ?? item.iface.id,
            flow: flow ?? null,
          }),
        );
      else
        console.log(
          `packet ${item.ts === undefined ? '-' : formatEventTime(item.ts)} ${item.iface.name ?? `if${item.iface.id}`} ${what}`,
        );
    }
  }
  const connections = table.connections();
  if (json) {
    console.log(
      JSON.stringify({
        kind: 'summary',
        packets,
        events,
        hostname: reader.info.machineInfo?.hostname ?? null,
        connections,
      }),
    );
    return;
  }
  console.log(
    `\n${packets} packets, ${events} syscall events${reader.info.machineInfo ? ` from ${reader.info.machineInfo.hostname}` : ''}`,
  );
  for (const c of connections)
    console.log(
      `${c.name}: ${c.packets} packets, ${c.payloadBytes} payload bytes; processes ${c.processes.join(', ') || 'unknown'}; syscalls ${JSON.stringify(c.syscalls)}`,
    );
}

main().catch((error: unknown) => {
  // A malformed file: PcapngError.describe() gives the code, block index and byte offset.
  const e = error as { describe?: () => string; message?: string };
  console.error(
    `logray-mixed-pcapng: ${typeof e.describe === 'function' ? e.describe() : String(e.message ?? error)}`,
  );
  process.exitCode = 1;
});
