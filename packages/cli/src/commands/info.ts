import {
  type BlockCursor,
  BlockTypeId,
  blockTypeName,
  decodeBlock,
  tsresolFromTicksPerSecond,
} from '@sysray/pcapng';
import type { Command } from '../command.js';
import { type Json, optionsToJson } from '../format/json.js';
import { linkTypeDescription, linkTypeName } from '../format/link-types.js';
import { ScapSummarizer, type ScapSummary, scapSummaryRows } from '../format/scap-summary.js';
import { duration, utcTime } from '../format/time.js';
import { walkBlocks } from '../input.js';
import { formatBytes } from '../progress.js';

/** One section of a capture, as `info` reports it. */
export interface SectionSummary {
  index: number;
  offset: number;
  littleEndian: boolean;
  version: string;
  /** Section length in bytes, `-1` when not given (decimal string). */
  sectionLength: string;
  options: { [name: string]: Json };
}

/** One interface of a capture, as `info` reports it. */
export interface InterfaceSummary {
  section: number;
  /** Index of the interface in its section (what packet blocks refer to). */
  id: number;
  linkType: number;
  /** `EN10MB`, `LINUX_SLL`, … (`LINKTYPE_<n>` for uncommon ones). */
  linkTypeName: string;
  snapLength: number;
  name: string | null;
  /** The `if_tsresol` byte (6, the default: microseconds; 9: nanoseconds; 0x80 | n: 2^-n). */
  tsresol: number;
  /** Timestamp ticks per second (decimal string). */
  ticksPerSecond: string;
  /** Packets captured on this interface. */
  packets: number;
  options: { [name: string]: Json };
}

/** What `sysray info --json` prints. Times are nanoseconds since the epoch as decimal strings. */
export interface CaptureSummary {
  file: string;
  /** Size of the file on disk (compressed size for .gz), `null` for standard input. */
  fileSize: number | null;
  gzip: boolean;
  sections: SectionSummary[];
  interfaces: InterfaceSummary[];
  /** Blocks by type name (`EPB`); unknown block types by their hex id (`0x00000204`). */
  blockCounts: Record<string, number>;
  blocks: number;
  /** EPB + SPB + PB blocks (capinfos's "Number of packets"). */
  packets: number;
  /** Packets with no timestamp (SPB). */
  packetsWithoutTimestamp: number;
  /** Earliest packet timestamp, `null` when no packet has one. */
  firstPacketTime: string | null;
  /** Latest packet timestamp. */
  lastPacketTime: string | null;
  /** `lastPacketTime - firstPacketTime` in nanoseconds. */
  timeSpan: string | null;
  /** Sum of the packets' original (on-the-wire) lengths: capinfos's "Data size". */
  dataSize: number;
  /** Sum of the captured lengths. */
  capturedSize: number;
  /** Name Resolution Block records by type (`ipv4`, `ipv6`, `eui48`, `eui64`, `unknown`). */
  nameRecords: Record<string, number>;
  /**
   * For a Falco capture (a file holding sysdig blocks): its events by type, event times, machine info and
   * process, fd, interface and user list counts. Absent for other captures.
   */
  scap?: ScapSummary;
}

function precision(tsresol: number): string {
  if (tsresol & 0x80) return `2^-${tsresol & 0x7f} s`;
  const names: Record<number, string> = {
    0: 'seconds',
    3: 'milliseconds',
    6: 'microseconds',
    9: 'nanoseconds',
  };
  return `${names[tsresol] ?? `10^-${tsresol} s`} (${tsresol})`;
}

/**
 * Reads a whole capture and summarises it: sections, interfaces, block counts, packets, times and
 * sizes. Packet blocks are read through the cursor without decoding them into objects.
 */
export class CaptureSummarizer {
  private readonly summary: CaptureSummary;
  private first: bigint | undefined;
  private last: bigint | undefined;
  private readonly interfaceBase: number[] = [];

  constructor(file: string) {
    this.summary = {
      file,
      fileSize: null,
      gzip: false,
      sections: [],
      interfaces: [],
      blockCounts: {},
      blocks: 0,
      packets: 0,
      packetsWithoutTimestamp: 0,
      firstPacketTime: null,
      lastPacketTime: null,
      timeSpan: null,
      dataSize: 0,
      capturedSize: 0,
      nameRecords: {},
    };
  }

  /** Takes the cursor's current block into account. */
  visit(cursor: BlockCursor): void {
    const s = this.summary;
    s.blocks++;
    const type = cursor.blockType;
    const name = blockTypeName(type) ?? `0x${(type >>> 0).toString(16).padStart(8, '0')}`;
    s.blockCounts[name] = (s.blockCounts[name] ?? 0) + 1;
    const view = cursor.view;
    const at = cursor.blockOffset;
    const le = cursor.littleEndian;
    if (type === BlockTypeId.EPB || type === BlockTypeId.PB) {
      const id = type === BlockTypeId.EPB ? view.getUint32(at + 8, le) : view.getUint16(at + 8, le);
      this.packet(id, cursor.timestamp(), view.getUint32(at + 20, le), view.getUint32(at + 24, le));
      return;
    }
    if (
      type !== BlockTypeId.SHB &&
      type !== BlockTypeId.IDB &&
      type !== BlockTypeId.NRB &&
      type !== BlockTypeId.SPB
    )
      return;
    const block = decodeBlock(cursor);
    switch (block.type) {
      case 'SHB':
        s.sections.push({
          index: block.section ?? s.sections.length,
          offset: block.offset ?? 0,
          littleEndian: block.littleEndian,
          version: `${block.majorVersion}.${block.minorVersion}`,
          sectionLength: block.sectionLength.toString(),
          options: optionsToJson('SHB', block.options),
        });
        this.interfaceBase.push(s.interfaces.length);
        break;
      case 'IDB': {
        const info = cursor.interfaces[cursor.interfaces.length - 1]!;
        s.interfaces.push({
          section: info.section,
          id: info.id,
          linkType: block.linkType,
          linkTypeName: linkTypeName(block.linkType),
          snapLength: block.snapLength,
          name: info.name ?? null,
          tsresol: tsresolFromTicksPerSecond(info.ticksPerSecond) ?? 6,
          ticksPerSecond: info.ticksPerSecond.toString(),
          packets: 0,
          options: optionsToJson('IDB', block.options),
        });
        break;
      }
      case 'SPB':
        s.packetsWithoutTimestamp++;
        this.packet(0, undefined, block.capturedLength, block.originalLength);
        break;
      case 'NRB':
        for (const record of block.records)
          s.nameRecords[record.type] = (s.nameRecords[record.type] ?? 0) + 1;
        break;
    }
  }

  private packet(
    interfaceId: number,
    timestamp: bigint | undefined,
    captured: number,
    original: number,
  ): void {
    const s = this.summary;
    s.packets++;
    s.capturedSize += captured;
    s.dataSize += original;
    const iface = s.interfaces[(this.interfaceBase[this.interfaceBase.length - 1] ?? 0) + interfaceId];
    if (iface) iface.packets++;
    if (timestamp === undefined) return;
    if (this.first === undefined || timestamp < this.first) this.first = timestamp;
    if (this.last === undefined || timestamp > this.last) this.last = timestamp;
  }

  /** The summary so far. */
  result(): CaptureSummary {
    const s = this.summary;
    if (this.first !== undefined && this.last !== undefined) {
      s.firstPacketTime = this.first.toString();
      s.lastPacketTime = this.last.toString();
      s.timeSpan = (this.last - this.first).toString();
    }
    return s;
  }
}

function optionLine(options: { [name: string]: Json }): string {
  return Object.entries(options)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`)
    .join(' ');
}

/** The capinfos-like text of a summary. */
export function summaryText(s: CaptureSummary): string[] {
  const rows: [string, string][] = [];
  const row = (label: string, value: string) => rows.push([label, value]);
  row('File name', s.file);
  if (s.fileSize !== null)
    row('File size', `${s.fileSize} bytes (${formatBytes(s.fileSize)})${s.gzip ? ', gzip-compressed' : ''}`);
  const orders = [...new Set(s.sections.map((x) => (x.littleEndian ? 'little-endian' : 'big-endian')))];
  const versions = [...new Set(s.sections.map((x) => x.version))];
  row('File type', `pcapng ${versions.join('/')}, ${orders.join(' and ') || '?'}`);
  row('Sections', String(s.sections.length));
  for (const section of s.sections) {
    const opts = optionLine(section.options);
    row(`  Section ${section.index}`, `offset ${section.offset}${opts ? `, ${opts}` : ''}`);
  }
  row('Interfaces', String(s.interfaces.length));
  for (const i of s.interfaces) {
    const description = linkTypeDescription(i.linkType);
    const parts = [
      i.name === null ? '(no name)' : JSON.stringify(i.name),
      `${i.linkTypeName} (${description ? `${description}, ` : ''}${i.linkType})`,
      `snaplen ${i.snapLength || 'unlimited'}`,
      precision(i.tsresol),
      `${i.packets} packet${i.packets === 1 ? '' : 's'}`,
    ];
    const label = s.sections.length > 1 ? `  Interface ${i.section}/${i.id}` : `  Interface ${i.id}`;
    row(label, parts.join(', '));
  }
  row(
    'Blocks',
    `${s.blocks} (${Object.entries(s.blockCounts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );
  row(
    'Packets',
    `${s.packets}${s.packetsWithoutTimestamp ? ` (${s.packetsWithoutTimestamp} without timestamp)` : ''}`,
  );
  row('Data size', `${s.dataSize} bytes on the wire, ${s.capturedSize} bytes captured`);
  if (s.firstPacketTime !== null && s.lastPacketTime !== null && s.timeSpan !== null) {
    row('First packet time', `${utcTime(BigInt(s.firstPacketTime))} UTC`);
    row('Last packet time', `${utcTime(BigInt(s.lastPacketTime))} UTC`);
    row('Time span', duration(BigInt(s.timeSpan)));
  } else {
    row('First packet time', 'n/a');
    row('Last packet time', 'n/a');
    row('Time span', 'n/a');
  }
  const names = Object.entries(s.nameRecords);
  if (names.length) row('Name records', names.map(([k, v]) => `${k} ${v}`).join(', '));
  if (s.scap) rows.push(...scapSummaryRows(s.scap));
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}`);
}

/** `sysray info FILE [--json]`: a capinfos-like summary of a pcapng file. */
export const infoCommand: Command = {
  name: 'info',
  summary:
    'summarise a pcapng file or Falco capture: sections, interfaces, blocks, packets, events by type, times',
  description: [
    'Summarise a pcapng file (or gzip-compressed one), like capinfos: its sections, interfaces (link type,',
    'snap length, name, timestamp resolution), block counts by type, packet count, first and last packet',
    'time and the span between them, and data size. For a Falco capture (.scap), also its machine info,',
    'process, fd, interface and user list counts, and its events by type with their first and last time',
    '(under `scap` in the JSON). With --json, one JSON object (times are nanoseconds since the epoch as',
    'decimal strings).',
  ].join('\n'),
  arguments: [
    { name: 'FILE', description: 'a .pcapng, .scap or gzip-compressed file, or - for standard input' },
  ],
  options: {
    json: { type: 'boolean', short: 'j', description: 'print one JSON object' },
    'no-progress': { type: 'boolean', description: 'never draw a progress bar' },
    'require-interface': {
      type: 'boolean',
      description: 'fail (NO_INTERFACES) on a capture that describes no interface, as libpcap does',
    },
  },
  examples: [
    { command: 'sysray info examples/data/demo.pcapng', description: 'capinfos-style summary' },
    {
      command: 'sysray info examples/data/demo.pcapng --json | jq .packets',
      description: 'the packet count, for a script',
    },
    {
      command: 'sysray info capture.scap',
      description: 'a Falco capture: machine, processes, events by type',
    },
    {
      command: "sysray info capture.scap --json | jq '.scap.eventNames'",
      description: 'event counts by name, for a script',
    },
  ],
  async run(context) {
    const file = context.args[0]!;
    const summarizer = new CaptureSummarizer(file);
    const scap = new ScapSummarizer();
    const input = await walkBlocks(
      context,
      file,
      (cursor) => {
        summarizer.visit(cursor);
        scap.visit(cursor);
      },
      {
        requireInterface: context.options['require-interface'] === true,
        onWindowEnd: () => scap.endWindow(),
      },
    );
    const summary = summarizer.result();
    const scapSummary = scap.result();
    if (scapSummary) summary.scap = scapSummary;
    summary.fileSize = input.fileSize ?? null;
    summary.gzip = input.gzip;
    if (context.options.json === true) context.stdout.line(JSON.stringify(summary, null, 2));
    else for (const line of summaryText(summary)) context.stdout.line(line);
    return 0;
  },
};
