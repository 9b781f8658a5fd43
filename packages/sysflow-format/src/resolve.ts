import type { ReadOptions } from './block-decoder.js';
import type { SysFlowSource } from './byte-source.js';
import { readSysFlowBatches } from './read-stream.js';
import type { Container, File, FOID, OID, Pod, Process, SFHeader, SysFlowRecord } from './types.js';

/** A reference a record makes that the entity tables may fail to resolve. */
export type SysFlowRef = 'process' | 'parent' | 'container' | 'pod' | 'file' | 'newFile';

/**
 * A record with the entities it refers to, looked up the way sf-processor does: a flow's or event's
 * process by its OID `{createTS, hpid}`, that process's parent by `poid`, its container by
 * `containerId`, the container's pod by `podId`, and a file flow's/event's file by FOID.
 */
export interface ResolvedSysFlowRecord {
  /** The record itself. */
  record: SysFlowRecord;
  /** The process of a flow/event (`procOID`); for a `Process` record, the record itself. */
  process: Process | undefined;
  /** The parent of {@link process} (by its `poid`). */
  parent: Process | undefined;
  /** The container of {@link process} (or of a `File` record; for a `Container` record, itself). */
  container: Container | undefined;
  /** The pod of {@link container} (by `podId`). */
  pod: Pod | undefined;
  /** The file of a `FileFlow`/`FileEvent` (`fileOID`); for a `File` record, itself. */
  file: File | undefined;
  /** The second file of a `FileEvent` (rename, link: `newFileOID`). */
  newFile: File | undefined;
  /** The most recent `SFHeader` of the stream. */
  header: SFHeader | undefined;
  /** References the record (or its process/container) makes that are not in the tables. Empty when all resolved. */
  unresolved: SysFlowRef[];
}

/** Map key of a process OID. */
export function oidKey(oid: OID): string {
  return `${oid.createTS}:${oid.hpid}`;
}

/** Map key of a file OID (its 20 bytes as latin1). */
export function foidKey(foid: FOID): string {
  return Buffer.from(foid.buffer, foid.byteOffset, foid.byteLength).toString('latin1');
}

/**
 * The entity tables of a SysFlow stream: processes by OID, containers by id, files by FOID, pods by id,
 * and the current header. In a `.sf` stream an entity precedes its first use, and a later record of the
 * same entity (state `MODIFIED` or `REUP`) replaces the earlier one.
 *
 * Memory: entities are long-lived, so the tables keep every entity they have seen (like sf-processor's
 * caches) and grow with the number of distinct processes, files and containers in the stream — call
 * {@link SysFlowEntityTables.clear} to drop them, e.g. between unrelated files.
 */
export class SysFlowEntityTables {
  /** Processes by `hpid`, then `createTS` (lookups without formatting the OID as a string). */
  private readonly processIndex = new Map<bigint, Map<bigint, Process>>();
  /** Containers by id. */
  readonly containers = new Map<string, Container>();
  /** Files by `foidKey(oid)`. */
  readonly files = new Map<string, File>();
  /** Pods by id. */
  readonly pods = new Map<string, Pod>();
  /** The latest header record. */
  header: SFHeader | undefined;

  /**
   * Every process by `oidKey(oid)`: a snapshot built on each call (for listings and tests; lookups go through
   * {@link process}). Records enter through {@link add}.
   */
  get processes(): ReadonlyMap<string, Process> {
    const out = new Map<string, Process>();
    for (const byTime of this.processIndex.values())
      for (const p of byTime.values()) out.set(oidKey(p.oid), p);
    return out;
  }

  /** Stores the record if it is an entity (header, container, process, file, pod); returns `this`. */
  add(record: SysFlowRecord): this {
    switch (record.type) {
      case 'SFHeader':
        this.header = record.rec;
        break;
      case 'Container':
        this.containers.set(record.rec.id, record.rec);
        break;
      case 'Process': {
        const { oid } = record.rec;
        let byTime = this.processIndex.get(oid.hpid);
        if (!byTime) {
          byTime = new Map();
          this.processIndex.set(oid.hpid, byTime);
        }
        byTime.set(oid.createTS, record.rec);
        break;
      }
      case 'File':
        this.files.set(foidKey(record.rec.oid), record.rec);
        break;
      case 'Pod':
        this.pods.set(record.rec.id, record.rec);
        break;
    }
    return this;
  }

  /** The process with this OID. */
  process(oid: OID): Process | undefined {
    return this.processIndex.get(oid.hpid)?.get(oid.createTS);
  }

  /** The container with this id. */
  container(id: string): Container | undefined {
    return this.containers.get(id);
  }

  /** The file with this FOID. */
  file(foid: FOID): File | undefined {
    return this.files.get(foidKey(foid));
  }

  /** The pod with this id. */
  pod(id: string): Pod | undefined {
    return this.pods.get(id);
  }

  /** Drops every entity. */
  clear(): void {
    this.processIndex.clear();
    this.containers.clear();
    this.files.clear();
    this.pods.clear();
    this.header = undefined;
  }

  /** Looks up the entities a record refers to (without adding the record; see {@link add}). */
  resolve(record: SysFlowRecord): ResolvedSysFlowRecord {
    const out: ResolvedSysFlowRecord = {
      record,
      process: undefined,
      parent: undefined,
      container: undefined,
      pod: undefined,
      file: undefined,
      newFile: undefined,
      header: this.header,
      unresolved: [],
    };
    switch (record.type) {
      case 'SFHeader':
      case 'Pod':
      case 'K8sEvent':
        break;
      case 'Container':
        out.container = record.rec;
        if (record.rec.podId !== null) {
          out.pod = this.pod(record.rec.podId);
          if (!out.pod) out.unresolved.push('pod');
        }
        break;
      case 'Process':
        this.resolveProcess(out, record.rec);
        break;
      case 'File':
        out.file = record.rec;
        if (record.rec.containerId !== null) this.resolveContainer(out, record.rec.containerId);
        break;
      default: {
        const process = this.process(record.rec.procOID);
        if (process) this.resolveProcess(out, process);
        else out.unresolved.push('process');
        if (record.type === 'FileFlow' || record.type === 'FileEvent') {
          out.file = this.file(record.rec.fileOID);
          if (!out.file) out.unresolved.push('file');
        }
        if (record.type === 'FileEvent' && record.rec.newFileOID !== null) {
          out.newFile = this.file(record.rec.newFileOID);
          if (!out.newFile) out.unresolved.push('newFile');
        }
      }
    }
    return out;
  }

  /** Fills the process, its parent, container and pod of `out`. */
  private resolveProcess(out: ResolvedSysFlowRecord, process: Process): void {
    out.process = process;
    if (process.poid) {
      out.parent = this.process(process.poid);
      if (!out.parent) out.unresolved.push('parent');
    }
    if (process.containerId !== null) this.resolveContainer(out, process.containerId);
  }

  /** Fills the container and its pod of `out`. */
  private resolveContainer(out: ResolvedSysFlowRecord, id: string): void {
    out.container = this.container(id);
    if (!out.container) {
      out.unresolved.push('container');
      return;
    }
    if (out.container.podId !== null) {
      out.pod = this.pod(out.container.podId);
      if (!out.pod) out.unresolved.push('pod');
    }
  }
}

/** Options of {@link resolveSysFlow}. */
export interface ResolveOptions extends ReadOptions {
  /** Tables to fill and resolve against (default: fresh ones). Pass your own to inspect them afterwards. */
  tables?: SysFlowEntityTables;
  /** Also yield entity records (header, container, process, file, pod), resolved (default `true`). */
  entities?: boolean;
}

const ENTITY_TYPES = new Set(['SFHeader', 'Container', 'Process', 'File', 'Pod']);

/**
 * Reads a `.sf` file and yields every record with the entities it refers to (see
 * {@link ResolvedSysFlowRecord}), keeping the entity tables as it goes.
 *
 * @example
 * ```ts
 * for await (const r of resolveSysFlow('trace.sf', { entities: false }))
 *   if (r.record.type === 'FileFlow') console.log(r.process?.exe, r.file?.path);
 * ```
 */
export async function* resolveSysFlow(
  source: SysFlowSource,
  options: ResolveOptions = {},
): AsyncGenerator<ResolvedSysFlowRecord> {
  const tables = options.tables ?? new SysFlowEntityTables();
  const entities = options.entities ?? true;
  for await (const batch of readSysFlowBatches(source, options)) {
    for (const record of batch.records) {
      tables.add(record);
      if (entities || !ENTITY_TYPES.has(record.type)) yield tables.resolve(record);
    }
  }
}

/**
 * Resolves records already in memory (e.g. from `readSysFlowSync`), in order, with the same rules
 * as {@link resolveSysFlow}.
 */
export function* resolveRecords(
  records: Iterable<SysFlowRecord>,
  options: { tables?: SysFlowEntityTables; entities?: boolean } = {},
): Generator<ResolvedSysFlowRecord> {
  const tables = options.tables ?? new SysFlowEntityTables();
  const entities = options.entities ?? true;
  for (const record of records) {
    tables.add(record);
    if (entities || !ENTITY_TYPES.has(record.type)) yield tables.resolve(record);
  }
}
