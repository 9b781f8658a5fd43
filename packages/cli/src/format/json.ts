import { Buffer } from 'node:buffer';
import { optionSpec, type PcapngBlock, type PcapngOption } from '@sysray/pcapng';

/** A JSON value, as `dump --json` and `info --json` print them. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Lower-case hex of bytes (Node's native encoder: the CLI's hot path for packet data). */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * A decoded value as JSON: bigints as decimal strings, bytes as lower-case hex, objects and arrays
 * converted member by member.
 */
export function toJsonValue(value: unknown): Json {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return hex(value);
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [key, member] of Object.entries(value))
      if (member !== undefined) out[key] = toJsonValue(member);
    return out;
  }
  return value as Json;
}

/**
 * A block's options as one object keyed by option name. Options the draft lets repeat in a block
 * (`opt_comment`, `if_IPv4addr`, `epb_hash`, custom options, unknown `opt_<code>`) are always arrays,
 * so scripts need not check; the others are single values.
 */
export function optionsToJson(blockType: string, options: readonly PcapngOption[]): { [name: string]: Json } {
  const out: { [name: string]: Json } = {};
  for (const option of options) {
    const value = toJsonValue(option.value);
    if (optionSpec(blockType, option.code).repeatable) {
      const list = out[option.name];
      if (Array.isArray(list)) list.push(value);
      else out[option.name] = [value];
    } else if (option.name in out) {
      // A non-repeatable option that repeats anyway (the reader allows it outside if_tsresol/if_tsoffset).
      const previous = out[option.name]!;
      out[option.name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
    } else {
      out[option.name] = value;
    }
  }
  return out;
}

/**
 * One block as the object `sysray dump --json` prints (one per line). Always present: `index`,
 * `offset`, `section`, `type` (`"SHB"`, `"EPB"`, … or `"UNKNOWN"`). Then the block's decoded fields
 * (`interfaceId`, `timestamp` — nanoseconds since the epoch as a decimal string —, `capturedLength`,
 * `originalLength`, `data` as hex for packet blocks; `blockType` and `body` as hex for unknown blocks),
 * and `options` keyed by option name (see {@link optionsToJson}).
 */
export function blockToJson(block: PcapngBlock): { [key: string]: Json } {
  const out: { [key: string]: Json } = {
    index: block.index ?? null,
    offset: block.offset ?? null,
    section: block.section ?? null,
    type: block.type,
  };
  for (const [key, value] of Object.entries(block)) {
    if (key === 'index' || key === 'offset' || key === 'section' || key === 'type' || key === 'options')
      continue;
    if (value === undefined) continue;
    out[key] = toJsonValue(value);
  }
  if (block.type !== 'UNKNOWN') out.options = optionsToJson(block.type, block.options);
  return out;
}

/**
 * One `dump --json` line: `JSON.stringify(blockToJson(block))`, with the text of the common case — an
 * Enhanced Packet Block without options — built directly (same keys, same order, same values), as
 * capture files are mostly made of those.
 */
export function blockJsonLine(block: PcapngBlock): string {
  if (
    block.type === 'EPB' &&
    block.options.length === 0 &&
    block.optionsTerminated === undefined &&
    block.trailingBytes === undefined &&
    block.ticks !== undefined &&
    block.index !== undefined &&
    block.offset !== undefined &&
    block.section !== undefined
  ) {
    return `{"index":${block.index},"offset":${block.offset},"section":${block.section},"type":"EPB","interfaceId":${block.interfaceId},"timestamp":"${block.timestamp}","ticks":"${block.ticks}","capturedLength":${block.capturedLength},"originalLength":${block.originalLength},"data":"${hex(block.data)}","options":{}}`;
  }
  return JSON.stringify(blockToJson(block));
}
