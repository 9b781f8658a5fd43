/**
 * `@sysray/pcapng`: PCAPNG files — every block and option of the IETF draft — read and written as
 * streams, with zero-copy packet data, bigint nanosecond timestamps and typed errors. Falco `.scap`
 * captures live in the `@sysray/pcapng/scap` entry point; the browser-safe synchronous API in
 * `@sysray/pcapng/sync` is re-exported here.
 *
 * @packageDocumentation
 */

export { type ByteSource, byteChunks } from './byte-source.js';
export { pcapngWindows, readPcapng, readPcapngBatches } from './read-stream.js';
export * from './sync.js';
export {
  type ByteSink,
  createPcapngWriter,
  type PcapngWriter,
  type WriterOptions,
  writePcapng,
} from './write-stream.js';
