import type { InterfaceInfo, PcapngBlock, PcapngOption } from '@sysray/pcapng';
import { toHex } from '@sysray/pcapng';
import { linkTypeName } from './link-types.js';
import { packetSummary } from './packet-summary.js';
import { utcTime } from './time.js';

/** Longest text of one option value in a text line before it is cut with `…`. */
const MAX_VALUE = 60;

function quote(text: string): string {
  const cut = text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
  return JSON.stringify(cut);
}

/** An option value as short text: strings quoted, bytes as hex, objects compactly. */
export function optionText(value: PcapngOption['value']): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) {
    const hex = toHex(value.subarray(0, MAX_VALUE / 2));
    return value.length > MAX_VALUE / 2 ? `0x${hex}…` : `0x${hex}`;
  }
  if ('netmask' in value) return `${value.address}/${value.netmask}`;
  if ('prefixLength' in value) return `${value.address}/${value.prefixLength}`;
  if ('pen' in value) return `pen=${value.pen}:${optionText(value.data)}`;
  if ('first' in value) return `${value.first}/${value.second}`;
  // if_filter type 0 is a libpcap filter string.
  if (value.type === 0) return quote(new TextDecoder().decode(value.data));
  return `${value.type}:${optionText(value.data)}`;
}

function optionsText(options: readonly PcapngOption[]): string[] {
  return options.map((o) => `${o.name}=${optionText(o.value)}`);
}

/**
 * One line of `sysray dump`: index, byte offset, block type, then the block's key fields and options,
 * e.g. `     3     148  EPB  if=0 2026-11-23 12:00:00.123456789 caplen=74 len=74  127.0.0.1:40000 → …`.
 *
 * @param interfaces the interfaces of the block's section, for link types (packet summaries)
 */
export function blockLine(block: PcapngBlock, interfaces: readonly InterfaceInfo[] = []): string {
  const head = `${String(block.index ?? '').padStart(6)} ${String(block.offset ?? '').padStart(9)}  ${block.type.padEnd(4)}`;
  const fields: string[] = [];
  switch (block.type) {
    case 'SHB':
      fields.push(
        `v${block.majorVersion}.${block.minorVersion}`,
        block.littleEndian ? 'little-endian' : 'big-endian',
        `section=${block.section ?? '?'}`,
      );
      if (block.sectionLength >= 0n) fields.push(`length=${block.sectionLength}`);
      break;
    case 'IDB':
      fields.push(
        `linktype=${linkTypeName(block.linkType)}(${block.linkType})`,
        `snaplen=${block.snapLength}`,
      );
      break;
    case 'EPB':
    case 'PB':
    case 'SPB': {
      fields.push(`if=${block.interfaceId}`);
      if (block.type !== 'SPB') fields.push(utcTime(block.timestamp));
      fields.push(`caplen=${block.capturedLength}`, `len=${block.originalLength}`);
      if (block.type === 'PB') fields.push(`drops=${block.dropsCount}`);
      const iface = interfaces[block.interfaceId];
      const summary = iface ? packetSummary(iface.linkType, block.data) : undefined;
      if (summary) fields.push(` ${summary}`);
      break;
    }
    case 'NRB':
      for (const record of block.records) {
        if (record.type === 'unknown') fields.push(`record${record.recordType}=0x${toHex(record.value)}`);
        else fields.push(`${record.address}=${record.names.join(',')}`);
      }
      break;
    case 'ISB':
      fields.push(`if=${block.interfaceId}`, utcTime(block.timestamp));
      break;
    case 'DSB':
      fields.push(
        `secrets=0x${block.secretsType.toString(16).padStart(8, '0')}`,
        `length=${block.data.length}`,
      );
      break;
    case 'CB':
    case 'DCB':
      fields.push(`pen=${block.pen}`, `length=${block.data.length}`);
      break;
    case 'UNKNOWN':
      fields.push(
        `blocktype=0x${block.blockType.toString(16).padStart(8, '0')}`,
        `length=${block.body.length}`,
      );
      break;
  }
  if (block.type !== 'UNKNOWN') fields.push(...optionsText(block.options));
  return `${head} ${fields.join(' ')}`.trimEnd();
}
