import { gunzipSync } from 'node:zlib';
import type { ByteSource } from '../byte-source.js';
import { BlockCursor } from '../cursor.js';
import { PcapngError } from '../errors.js';
import type { ReadOptions } from '../read-options.js';
import { pcapngWindows } from '../read-stream.js';
import { EventBatch } from './batch.js';
import { isEventBlock, PROCLIST_VERSION, ScapBlockType } from './block-types.js';
import { ScapEvent } from './event.js';
import {
  type BodyRef,
  parseFdList,
  parseInterfaceList,
  parseMachineInfo,
  parseProcessList,
  parseUserList,
  type ScapFdInfo,
  type ScapGroupInfo,
  type ScapInterfaceInfo,
  type ScapMachineInfo,
  type ScapThreadInfo,
  type ScapUserInfo,
} from './metadata.js';

/** Options of {@link readScap} and {@link readScapSync}. */
export interface ScapReadOptions extends ReadOptions {
  /**
   * Throw on the first flagged event (`SCAP_BAD_EVENT` with its offset) instead of delivering it with
   * `ev.problem` set. Default `false`: the stream goes on, flagged events are marked.
   */
  strict?: boolean;
  /** Parse machine info, process, fd, interface and user lists into {@link ScapCaptureInfo}. Default `true`. */
  metadata?: boolean;
}

/** What a capture's metadata blocks said, filled in as the reader meets them (usually before the first event). */
export interface ScapCaptureInfo {
  /** The last machine info block. */
  machineInfo: ScapMachineInfo | undefined;
  /** Threads of the process list blocks, by tid. */
  threads: Map<number, ScapThreadInfo>;
  /** Open fds of the fd list blocks, in order. */
  fds: ScapFdInfo[];
  /** Addresses of the interface list blocks. */
  interfaces: ScapInterfaceInfo[];
  /** Users and groups of the user list blocks. */
  users: ScapUserInfo[];
  groups: ScapGroupInfo[];
  /** Sections (SHBs) seen. */
  sections: number;
  /** Events delivered so far. */
  events: number;
  /** Blocks that are neither scap metadata nor events (packets, interface descriptions, …). */
  otherBlocks: number;
}

/** A fresh, empty {@link ScapCaptureInfo}. */
export function emptyCaptureInfo(): ScapCaptureInfo {
  return {
    machineInfo: undefined,
    threads: new Map(),
    fds: [],
    interfaces: [],
    users: [],
    groups: [],
    sections: 0,
    events: 0,
    otherBlocks: 0,
  };
}

/**
 * Adds the cursor's current non-event block to `info`: machine info, process, fd, interface and user lists
 * (every block version), or counts it as a section header or another block. Readers call it for every block
 * that is not an event; a tool walking blocks itself (e.g. with `pcapngWindows`) gets the same `info`.
 * @throws PcapngError (with block index and file) for a malformed list block.
 */
export function addMetadataBlock(cursor: BlockCursor, info: ScapCaptureInfo): void {
  const t = cursor.blockType >>> 0;
  const body: BodyRef = {
    view: cursor.view,
    bytes: cursor.bytes,
    bodyOffset: cursor.bodyOffset,
    bodyLength: cursor.bodyLength,
    littleEndian: cursor.littleEndian,
    base: cursor.fileOffset - cursor.blockOffset,
  };
  try {
    if (t === ScapBlockType.MI || t === ScapBlockType.MI_INT) info.machineInfo = parseMachineInfo(body);
    else if (PROCLIST_VERSION.has(t))
      for (const th of parseProcessList(body, t)) info.threads.set(th.tid, th);
    else if (t === ScapBlockType.FDL || t === ScapBlockType.FDL_INT || t === ScapBlockType.FDL_V2)
      info.fds.push(...parseFdList(body, t));
    else if (t === ScapBlockType.IL || t === ScapBlockType.IL_INT || t === ScapBlockType.IL_V2)
      info.interfaces.push(...parseInterfaceList(body, t));
    else if (t === ScapBlockType.UL || t === ScapBlockType.UL_INT || t === ScapBlockType.UL_V2) {
      const { users, groups } = parseUserList(body, t);
      info.users.push(...users);
      info.groups.push(...groups);
    } else if (t === 0x0a0d0d0a) info.sections++;
    else info.otherBlocks++;
  } catch (error) {
    if (error instanceof PcapngError) {
      error.blockIndex ??= cursor.blockIndex;
      error.file ??= cursor.file;
    }
    throw error;
  }
}

/**
 * Walks the cursor's window into a batch: EV/EVF blocks become events, every other block is kept verbatim in
 * `batch.others`. Throws (after the blocks before the bad one are in the batch) on a malformed block.
 */
function fillBatch(
  cursor: BlockCursor,
  batch: EventBatch,
  info: ScapCaptureInfo,
  options: ScapReadOptions,
): void {
  const wantMeta = options.metadata ?? true;
  while (cursor.next()) {
    const t = cursor.blockType >>> 0;
    if (isEventBlock(t)) {
      batch.addEventBlock(t, cursor.bodyOffset, cursor.bodyLength, cursor.littleEndian, cursor.blockIndex);
      if (options.strict && batch.problems[batch.count - 1] !== 0) {
        throw new ScapEvent().load(batch, batch.count - 1).error()!;
      }
    } else {
      batch.addOther(t, cursor.blockOffset, cursor.blockLength, cursor.littleEndian);
      if (wantMeta) addMetadataBlock(cursor, info);
      else if (t === 0x0a0d0d0a) info.sections++;
    }
  }
}

/**
 * A streaming reader of a Falco capture: an async iterable of {@link EventBatch}es (one per window of the
 * input) whose {@link ScapReader.info} fills with the capture's metadata lists as they are read.
 */
export class ScapReader implements AsyncIterable<EventBatch> {
  /** Metadata met so far (machine, threads, fds, interfaces, users) and counters. */
  readonly info: ScapCaptureInfo = emptyCaptureInfo();
  private used = false;

  constructor(
    private readonly source: ByteSource,
    private readonly options: ScapReadOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<EventBatch> {
    if (this.used) throw new PcapngError('BAD_SOURCE', 'a ScapReader can be iterated once');
    this.used = true;
    for await (const cursor of pcapngWindows(this.source, this.options)) {
      const bytes = cursor.bytes;
      const batch = new EventBatch(bytes, cursor.nextFileOffset, bytes.length >>> 6, this.info.events + 1);
      try {
        fillBatch(cursor, batch, this.info, this.options);
      } catch (error) {
        if (batch.orderCount > 0) {
          this.info.events += batch.count;
          yield batch;
        }
        throw error;
      }
      this.info.events += batch.count;
      if (batch.orderCount > 0) yield batch;
    }
  }
}

/**
 * Reads a Falco capture (`.scap`, plain or gzip-compressed, streaming) — or any pcapng file carrying sysdig
 * event blocks — as batches of events.
 *
 * @param source a path, `file:` URL, byte array, Node `Readable`, Web `ReadableStream` or (async) iterable of
 *   byte chunks
 * @example
 * ```ts
 * import { readScap, ScapEvent } from '@sysray/pcapng/scap';
 * const reader = readScap('capture.scap');
 * const ev = new ScapEvent();
 * for await (const batch of reader)
 *   for (let i = 0; i < batch.count; i++) console.log(ev.load(batch, i).name, ev.tid);
 * console.log(reader.info.threads.size, 'threads in the process list');
 * ```
 */
export function readScap(source: ByteSource, options: ScapReadOptions = {}): ScapReader {
  return new ScapReader(source, options);
}

/** Result of {@link readScapSync}: all events in one batch, plus the metadata. */
export interface ScapCapture {
  batch: EventBatch;
  info: ScapCaptureInfo;
}

/**
 * Reads a whole capture held in memory (gzip-compressed or not) synchronously into one batch.
 * @throws PcapngError for malformed input (`TRUNCATED`, `NOT_PCAPNG`, `SCAP_BAD_BLOCK`, …).
 */
export function readScapSync(bytes: Uint8Array, options: ScapReadOptions = {}): ScapCapture {
  let data = bytes;
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = new Uint8Array(gunzipSync(data));
    } catch (error) {
      throw new PcapngError('BAD_SOURCE', `gzip-compressed input is corrupt: ${(error as Error).message}`);
    }
  }
  const info = emptyCaptureInfo();
  const cursor = new BlockCursor(options);
  cursor.load(data, 0);
  const batch = new EventBatch(data, 0, data.length >>> 6, 1);
  fillBatch(cursor, batch, info, options);
  cursor.finish();
  if (cursor.blockIndex < 0)
    throw new PcapngError('NOT_PCAPNG', 'input is empty', { offset: 0, blockIndex: 0 });
  info.events = batch.count;
  return { batch, info };
}
