/**
 * Rotated `.sf` output: one SysFlow writer at a time in an output directory, a new file when the current one
 * is older than N seconds, holds M bytes or R records. Times are given by the caller (the collector passes
 * event times, so a capture replayed gives the same files). Files are written as `NAME.sf.part` and renamed to
 * `NAME.sf` once complete, so whatever picks up `*.sf` files only ever sees whole ones.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createSysFlowWriter, type SysFlowRecord, type SysFlowWriter } from '@sysray/sysflow-format';

/** When to start a new file (any limit reached rotates; none set: one file). */
export interface RotationLimits {
  /** Seconds a file stays open. */
  seconds?: number;
  /** Bytes of a file (checked after each written block: a file ends at most one block past it). */
  bytes?: number;
  /** Records of a file (checked between events: an event that writes several records may pass it). */
  records?: number;
}

/** Why a file was closed. */
export type CloseReason = 'seconds' | 'bytes' | 'records' | 'end';

/** A closed output file. */
export interface ClosedFile {
  /** Path of the complete `.sf` file. */
  path: string;
  /** Records in it (its `SFHeader` included). */
  records: number;
  /** Its size in bytes. */
  bytes: number;
  /** Time it was opened and closed, ms since the epoch (event times, as the caller gave them). */
  openedAt: number;
  closedAt: number;
  reason: CloseReason;
}

/** Options of {@link RotatingSysFlowFiles}. */
export interface RotatingFilesOptions extends RotationLimits {
  /** Output directory (created if missing). */
  dir: string;
  /** File name prefix (default `sysflow`): files are `PREFIX-YYYYMMDDTHHMMSS.mmmZ-SEQ.sf`. */
  prefix?: string;
}

/** Largest uncompressed record bytes per Avro block, so that `bytes` limits hold to about one block. */
const MAX_BLOCK_BYTES = 64 * 1024;

function checkLimit(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isFinite(v) && v > 0))
    throw new RangeError(`rotation ${name} must be a positive number, got ${v}`);
}

/** A timestamp for file names: `2026-11-23T17:15:10.123Z` → `20261123T171510.123Z`. */
export function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

/** The current output file and its rotation. */
export class RotatingSysFlowFiles {
  private readonly options: RotatingFilesOptions;
  private writer: SysFlowWriter | undefined;
  private current = '';
  private openedAt = 0;
  private seq = 0;
  /** Files closed so far, oldest first. */
  readonly closed: ClosedFile[] = [];

  constructor(options: RotatingFilesOptions) {
    checkLimit('seconds', options.seconds);
    checkLimit('bytes', options.bytes);
    checkLimit('records', options.records);
    this.options = options;
    mkdirSync(options.dir, { recursive: true });
  }

  /**
   * Opens the next file, named after time `at` (ms since the epoch); returns its final path (give its base
   * name to the builder as `SFHeader.filename`).
   */
  open(at: number): string {
    if (this.writer) throw new Error('RotatingSysFlowFiles: open() while a file is open');
    this.openedAt = at;
    const name = `${this.options.prefix ?? 'sysflow'}-${fileStamp(this.openedAt)}-${String(this.seq++).padStart(4, '0')}.sf`;
    this.current = join(this.options.dir, name);
    const bytes = this.options.bytes;
    const blockBytes =
      bytes === undefined ? MAX_BLOCK_BYTES : Math.max(1024, Math.min(MAX_BLOCK_BYTES, bytes / 4));
    this.writer = createSysFlowWriter(`${this.current}.part`, { blockBytes });
    return this.current;
  }

  /** Path of the open file (`''` when none is open). */
  get path(): string {
    return this.writer ? this.current : '';
  }

  /** Records written to the open file so far. */
  get records(): number {
    return this.writer?.records ?? 0;
  }

  /** Appends records to the open file. */
  async write(records: readonly SysFlowRecord[]): Promise<void> {
    const w = this.writer;
    if (!w) throw new Error('RotatingSysFlowFiles: write() with no open file');
    for (const r of records) await w.write(r);
  }

  /**
   * The limit the open file has reached at time `at` (ms), if any. `pending` counts records built but not
   * written yet.
   */
  due(at: number, pending = 0): Exclude<CloseReason, 'end'> | undefined {
    const w = this.writer;
    if (!w) return undefined;
    const { seconds, bytes, records } = this.options;
    if (records !== undefined && w.records + pending >= records) return 'records';
    if (bytes !== undefined && w.bytes >= bytes) return 'bytes';
    if (seconds !== undefined && at - this.openedAt >= seconds * 1000) return 'seconds';
    return undefined;
  }

  /** Completes the open file at time `at` (ms): last block written, closed, renamed to its `.sf` name. */
  async close(at: number, reason: CloseReason): Promise<ClosedFile> {
    const w = this.writer;
    if (!w) throw new Error('RotatingSysFlowFiles: close() with no open file');
    this.writer = undefined;
    await w.close();
    renameSync(`${this.current}.part`, this.current);
    const file: ClosedFile = {
      path: this.current,
      records: w.records,
      bytes: w.bytes,
      openedAt: this.openedAt,
      closedAt: at,
      reason,
    };
    this.closed.push(file);
    return file;
  }
}
