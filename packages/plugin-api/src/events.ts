/**
 * Plugin events as scap event blocks: one buffer of little-endian `EV_V2_LARGE` blocks, each holding a
 * `PPME_PLUGINEVENT_E` (type 322) event with the plugin id and the payload, wrapped in an {@link EventBatch}.
 * The native host writes the same layout from C++.
 */
import { EventBatch, ScapBlockType } from '@sysray/pcapng/scap';
import { PluginError } from './errors.js';

/** Event type of plugin events (`PPME_PLUGINEVENT_E`). */
export const PLUGIN_EVENT_TYPE = 322;
/** Header (26) + two 32-bit parameter lengths + the 32-bit plugin id. */
const EVENT_FIXED = 26 + 8 + 4;
/** Block header (8) + cpu (2) + trailer (4). */
const BLOCK_FIXED = 14;
/** Largest payload accepted from a plugin event (64 MiB). */
export const MAX_EVENT_PAYLOAD = 64 << 20;

/** Bytes of the block that holds a plugin event with a payload of `dataLength` bytes. */
export function pluginBlockSize(dataLength: number): number {
  return (BLOCK_FIXED + EVENT_FIXED + dataLength + 3) & ~3;
}

/** Writes one plugin event block at `off` of `out` (zeroed memory); returns the block's size. */
export function writePluginBlock(
  out: Uint8Array,
  view: DataView,
  off: number,
  ts: bigint,
  pluginId: number,
  data: Uint8Array,
): number {
  const total = pluginBlockSize(data.length);
  view.setUint32(off, ScapBlockType.EV_V2_LARGE, true);
  view.setUint32(off + 4, total, true);
  view.setUint16(off + 8, 0, true);
  const e = off + 10;
  view.setBigUint64(e, BigInt.asUintN(64, ts), true);
  view.setBigInt64(e + 8, -1n, true);
  view.setUint32(e + 16, EVENT_FIXED + data.length, true);
  view.setUint16(e + 20, PLUGIN_EVENT_TYPE, true);
  view.setUint32(e + 22, 2, true);
  view.setUint32(e + 26, 4, true);
  view.setUint32(e + 30, data.length, true);
  view.setUint32(e + 34, pluginId >>> 0, true);
  out.set(data, e + 38);
  view.setUint32(off + total - 4, total, true);
  return total;
}

/** One event a TypeScript source produced, before encoding. */
export interface EncodedPluginEvent {
  ts: bigint;
  data: Uint8Array;
}

/** Encodes events of plugin `pluginId` into one buffer of event blocks. */
export function encodePluginBlocks(events: readonly EncodedPluginEvent[], pluginId: number): Uint8Array {
  let n = 0;
  for (const e of events) {
    if (e.data.length > MAX_EVENT_PAYLOAD)
      throw new PluginError(
        'BAD_EVENT',
        `event payload of ${e.data.length} bytes exceeds ${MAX_EVENT_PAYLOAD}`,
      );
    n += pluginBlockSize(e.data.length);
  }
  const out = new Uint8Array(n);
  const view = new DataView(out.buffer);
  let off = 0;
  for (const e of events) off += writePluginBlock(out, view, off, e.ts, pluginId, e.data);
  return out;
}

/**
 * Wraps a buffer of little-endian event blocks (as {@link encodePluginBlocks} or the native host write them)
 * in an {@link EventBatch} whose first event is number `firstNum`.
 * @throws PluginError `BAD_EVENT` when the blocks do not tile the buffer.
 */
export function batchFromBlocks(bytes: Uint8Array, count: number, firstNum: number): EventBatch {
  const batch = new EventBatch(bytes, 0, count, firstNum);
  const view = batch.view;
  let off = 0;
  while (off < bytes.length) {
    if (off + 12 > bytes.length) throw new PluginError('BAD_EVENT', `truncated event block at ${off}`);
    const type = view.getUint32(off, true);
    const total = view.getUint32(off + 4, true);
    if (total < 12 + 2 + 26 || off + total > bytes.length || total % 4 !== 0)
      throw new PluginError('BAD_EVENT', `bad event block length ${total} at ${off}`);
    batch.addEventBlock(type, off + 8, total - 12, true);
    off += total;
  }
  return batch;
}

/**
 * Wraps event blocks whose per-event columns the native host already wrote and checked (it validates every
 * event before copying it) in an {@link EventBatch}: the batch's arrays become views of `columns`, which
 * belongs to this batch alone. Layout for `count` events n: offsets (int32) at 0, spans (int32) at 4n, order
 * (int32) at 8n, block types (uint32) at 12n, dump flags (uint32) at 16n, cpus (uint16) at 20n, nparams
 * (uint16) at 22n, header lengths (uint8) at 24n, problems (uint8) at 25n, endianness (uint8) at 26n.
 * @throws PluginError `BAD_EVENT` when `columns` does not have that size.
 */
export function batchFromColumns(
  bytes: Uint8Array,
  columns: ArrayBuffer,
  count: number,
  firstNum: number,
): EventBatch {
  const n = count;
  if (columns.byteLength !== 27 * n)
    throw new PluginError('BAD_EVENT', `event columns of ${columns.byteLength} bytes for ${n} events`);
  const batch = new EventBatch(bytes, 0, 1, firstNum);
  batch.offsets = new Int32Array(columns, 0, n);
  batch.spans = new Int32Array(columns, 4 * n, n);
  batch.order = new Int32Array(columns, 8 * n, n);
  batch.blockTypes = new Uint32Array(columns, 12 * n, n);
  batch.dumpFlags = new Uint32Array(columns, 16 * n, n);
  batch.cpus = new Uint16Array(columns, 20 * n, n);
  batch.nparams = new Uint16Array(columns, 22 * n, n);
  batch.headerLens = new Uint8Array(columns, 24 * n, n);
  batch.problems = new Uint8Array(columns, 25 * n, n);
  batch.endian = new Uint8Array(columns, 26 * n, n);
  batch.orderCount = n;
  batch.count = n;
  return batch;
}
