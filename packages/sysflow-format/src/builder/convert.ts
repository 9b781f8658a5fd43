/** Capture → SysFlow: the builder driven over a whole capture, and `sysray convert`. */
import { stat } from 'node:fs/promises';
import { Inspector, type InspectorOptions } from '@sysray/inspector';
import { readScap, type ScapReadOptions } from '@sysray/pcapng/scap';
import type { SysFlowRecord } from '../types.js';
import { type SysFlowSink, type SysFlowWriterOptions, writeSysFlow } from '../write-stream.js';
import { SysFlowBuilder, type SysFlowBuilderOptions } from './builder.js';

/** What a capture may be given as: a path, bytes, a Node `Readable`, a Web stream or chunks. */
export type CaptureInput = Parameters<typeof readScap>[0];

/** Options of {@link buildSysFlow}. */
export interface BuildSysFlowOptions extends SysFlowBuilderOptions {
  /** Inspector options (table bounds). */
  inspector?: Omit<InspectorOptions, 'showAllEvents'>;
  /** Scap reader options. */
  read?: ScapReadOptions;
}

/**
 * Reads a Falco capture and yields the SysFlow records sf-collector would write for it, in the same order:
 * the `SFHeader`, then entities (containers, processes, files) before the flows and events that use them.
 * Records are yielded batch by batch: memory is bounded by the open flows and the entity tables.
 */
export async function* buildSysFlow(
  capture: CaptureInput,
  options: BuildSysFlowOptions = {},
): AsyncGenerator<SysFlowRecord> {
  const insp = new Inspector({ ...options.inspector, showAllEvents: true });
  const reader = readScap(capture, options.read ?? {});
  let pending: SysFlowRecord[] = [];
  const builder = new SysFlowBuilder(insp, (r) => pending.push(r), options);
  let seededThreads = 0;
  for await (const batch of reader) {
    insp.seed(reader.info);
    if (reader.info.threads.size !== seededThreads) {
      for (const tid of reader.info.threads.keys()) builder.seededTids.add(tid);
      seededThreads = reader.info.threads.size;
    }
    for (let i = 0; i < batch.count; i++) {
      const ctx = insp.process(batch, i);
      if (ctx) builder.process(ctx);
    }
    if (pending.length > 0) {
      const out = pending;
      pending = [];
      yield* out;
    }
  }
  builder.finish();
  yield* pending;
}

/** Options of {@link convertCaptureToSysFlow}. */
export interface ConvertOptions extends BuildSysFlowOptions {
  /** Writer options (codec, block size, sync marker, …). */
  writer?: SysFlowWriterOptions;
}

/** What {@link convertCaptureToSysFlow} did. */
export interface ConvertResult {
  /** Records written (the header included). */
  records: number;
  /** Bytes of the capture read (as stored: compressed captures count compressed bytes). */
  bytesIn: number;
  /** Bytes of the `.sf` file written. */
  bytesOut: number;
}

/**
 * `sysray convert CAPTURE -o OUT.sf`: builds the SysFlow records of a capture and writes them to `dest`
 * (a path, `file:` URL, Node `Writable` or Web `WritableStream`).
 */
export async function convertCaptureToSysFlow(
  capture: CaptureInput,
  dest: SysFlowSink,
  options: ConvertOptions = {},
): Promise<ConvertResult> {
  const counter = { bytes: 0 };
  const source = countBytes(capture, counter);
  const res = await writeSysFlow(buildSysFlow(source, options), dest, options.writer);
  let bytesIn = counter.bytes;
  if (typeof capture === 'string' || capture instanceof URL) bytesIn = (await stat(capture)).size;
  return { records: res.records, bytesIn, bytesOut: res.bytes };
}

/** Wraps stream-like capture sources so that the bytes read can be counted. */
function countBytes(capture: CaptureInput, counter: { bytes: number }): CaptureInput {
  if (typeof capture === 'string' || capture instanceof URL) return capture;
  if (capture instanceof Uint8Array) {
    counter.bytes = capture.byteLength;
    return capture;
  }
  const it = capture as AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  if (!(Symbol.asyncIterator in it) && !(Symbol.iterator in it)) return capture;
  return (async function* () {
    for await (const chunk of it as AsyncIterable<Uint8Array>) {
      counter.bytes += chunk.byteLength;
      yield chunk;
    }
  })() as CaptureInput;
}
