/**
 * sysprint-style output of SysFlow records: one text line per record, CSV rows, NDJSON lines. These are
 * the functions behind `sysray print FILE.sf [--json|--csv]`.
 */
import { recordToFlatJSON, toHex } from './json.js';
import { type ResolvedSysFlowRecord, SysFlowEntityTables } from './resolve.js';
import type { SysFlowRecord, SysFlowType } from './types.js';

/** SysFlow operation flags (`opFlags` bits), as sf-apis names them without the `OP_` prefix. */
export const OP_FLAGS = [
  'CLONE',
  'EXEC',
  'EXIT',
  'SETUID',
  'SETNS',
  'ACCEPT',
  'CONNECT',
  'OPEN',
  'READ_RECV',
  'WRITE_SEND',
  'CLOSE',
  'TRUNCATE',
  'SHUTDOWN',
  'MMAP',
  'DIGEST',
  'MKDIR',
  'RMDIR',
  'LINK',
  'UNLINK',
  'SYMLINK',
  'RENAME',
] as const;

/** Short type tags used in text and CSV output. */
export const SYSFLOW_TYPE_TAGS: Readonly<Record<SysFlowType, string>> = {
  SFHeader: 'H',
  Container: 'C',
  Process: 'P',
  File: 'F',
  ProcessEvent: 'PE',
  NetworkFlow: 'NF',
  FileFlow: 'FF',
  FileEvent: 'FE',
  NetworkEvent: 'NE',
  ProcessFlow: 'PF',
  Pod: 'POD',
  K8sEvent: 'KE',
};

/** Names of the set bits of `opFlags`, joined by `|` (unknown bits as `0x…`); `-` when none. */
export function formatOpFlags(flags: number): string {
  const names: string[] = [];
  let rest = flags >>> 0;
  for (let bit = 0; bit < OP_FLAGS.length; bit++) {
    if (rest & (1 << bit)) {
      names.push(OP_FLAGS[bit]!);
      rest &= ~(1 << bit);
    }
  }
  if (rest) names.push(`0x${rest.toString(16)}`);
  return names.length ? names.join('|') : '-';
}

/** An IPv4 address stored as SysFlow stores it (first octet in the low byte) in dotted form. */
export function formatIPv4(ip: number): string {
  const n = ip >>> 0;
  return `${n & 0xff}.${(n >>> 8) & 0xff}.${(n >>> 16) & 0xff}.${n >>> 24}`;
}

/** A nanosecond timestamp as ISO-8601 UTC with 9 fractional digits, e.g. `2019-03-25T19:48:00.704111050Z`. */
export function formatTimestamp(ns: bigint): string {
  const seconds = ns / 1_000_000_000n - (ns < 0n && ns % 1_000_000_000n !== 0n ? 1n : 0n);
  const frac = ns - seconds * 1_000_000_000n;
  const ms = Number(seconds) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return `${ns}ns`;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${frac.toString().padStart(9, '0')}Z`);
}

const PROTOS: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmp6' };

function proc(r: ResolvedSysFlowRecord, tid?: bigint): string {
  const p = r.process;
  const pid = p ? `${p.oid.hpid}` : '?';
  const exe = p ? `${p.exe}${p.exeArgs ? ` ${p.exeArgs}` : ''}` : '?';
  return `${pid}${tid === undefined ? '' : `:${tid}`} ${exe}`;
}

function io(rec: { numRRecvOps: bigint; numRRecvBytes: bigint; numWSendOps: bigint; numWSendBytes: bigint }) {
  return `r=${rec.numRRecvBytes}B/${rec.numRRecvOps} w=${rec.numWSendBytes}B/${rec.numWSendOps}`;
}

function asResolved(item: SysFlowRecord | ResolvedSysFlowRecord): ResolvedSysFlowRecord {
  return 'record' in item ? item : new SysFlowEntityTables().resolve(item);
}

function recordTs(record: SysFlowRecord): bigint | undefined {
  return record.type === 'Container' ? undefined : record.type === 'SFHeader' ? undefined : record.rec.ts;
}

/**
 * One text line for a record, like SysFlow's `sysprint`: time, type tag, operation flags, process
 * (`pid:tid exe args`, when resolved) and the record's own details. Pass a {@link ResolvedSysFlowRecord}
 * (from {@link resolveSysFlow}) to show process and file names; a bare record prints ids only.
 *
 * @example
 * ```ts
 * for await (const r of resolveSysFlow('trace.sf')) console.log(formatSysFlowText(r));
 * ```
 */
export function formatSysFlowText(item: SysFlowRecord | ResolvedSysFlowRecord): string {
  const r = asResolved(item);
  const record = r.record;
  const ts = recordTs(record);
  const head = `${ts === undefined ? '-' : formatTimestamp(ts)} ${SYSFLOW_TYPE_TAGS[record.type]}`;
  const ctr = r.container ? ` [${r.container.name || r.container.id}]` : '';
  switch (record.type) {
    case 'SFHeader': {
      const h = record.rec;
      return `${head} version=${h.version} exporter=${h.exporter} ip=${h.ip} filename=${h.filename}`;
    }
    case 'Container': {
      const c = record.rec;
      return `${head} ${c.id} name=${c.name} image=${c.image} type=${c.type} privileged=${c.privileged}${
        c.podId === null ? '' : ` pod=${c.podId}`
      }`;
    }
    case 'Process': {
      const p = record.rec;
      const parent = p.poid ? ` ppid=${p.poid.hpid}` : '';
      return `${head} ${p.state} ${proc(r)}${parent} uid=${p.uid}(${p.userName}) gid=${p.gid}(${p.groupName})${
        p.tty ? ' tty' : ''
      }${p.entry ? ' entry' : ''}${ctr}`;
    }
    case 'File': {
      const f = record.rec;
      return `${head} ${f.state} ${f.path} restype=${f.restype} oid=${toHex(f.oid)}${ctr}`;
    }
    case 'ProcessEvent': {
      const e = record.rec;
      return `${head} ${formatOpFlags(e.opFlags)} ${proc(r, e.tid)} args=${JSON.stringify(e.args)} ret=${e.ret}${ctr}`;
    }
    case 'NetworkFlow': {
      const n = record.rec;
      return `${head} ${formatOpFlags(n.opFlags)} ${proc(r, n.tid)} ${PROTOS[n.proto] ?? n.proto} ${formatIPv4(n.sip)}:${
        n.sport
      } -> ${formatIPv4(n.dip)}:${n.dport} fd=${n.fd} ${io(n)} end=${formatTimestamp(n.endTs)}${ctr}`;
    }
    case 'FileFlow': {
      const f = record.rec;
      const path = r.file?.path ?? toHex(f.fileOID);
      return `${head} ${formatOpFlags(f.opFlags)} ${proc(r, f.tid)} ${path} fd=${f.fd} openFlags=${f.openFlags} ${io(
        f,
      )} end=${formatTimestamp(f.endTs)}${ctr}`;
    }
    case 'FileEvent': {
      const e = record.rec;
      const path = r.file?.path ?? toHex(e.fileOID);
      const target = e.newFileOID === null ? '' : ` -> ${r.newFile?.path ?? toHex(e.newFileOID)}`;
      return `${head} ${formatOpFlags(e.opFlags)} ${proc(r, e.tid)} ${path}${target} ret=${e.ret}${ctr}`;
    }
    case 'NetworkEvent': {
      const n = record.rec;
      return `${head} ${formatOpFlags(n.opFlags)} ${proc(r, n.tid)} ${PROTOS[n.proto] ?? n.proto} ${formatIPv4(n.sip)}:${
        n.sport
      } -> ${formatIPv4(n.dip)}:${n.dport} ret=${n.ret}${ctr}`;
    }
    case 'ProcessFlow': {
      const f = record.rec;
      return `${head} ${formatOpFlags(f.opFlags)} ${proc(r)} cloned=${f.numThreadsCloned} exited=${
        f.numThreadsExited
      } cloneErrors=${f.numCloneErrors} end=${formatTimestamp(f.endTs)}${ctr}`;
    }
    case 'Pod': {
      const p = record.rec;
      return `${head} ${p.id} name=${p.name} namespace=${p.namespace} node=${p.nodeName} restarts=${p.restartCount}`;
    }
    case 'K8sEvent': {
      const k = record.rec;
      return `${head} ${k.kind} ${k.action} ${k.message}`;
    }
  }
}

/** Columns of {@link formatSysFlowCSVRow}, in order (the CSV header line is these joined by commas). */
export const SYSFLOW_CSV_COLUMNS = [
  'type',
  'ts',
  'endts',
  'opflags',
  'proc.pid',
  'proc.tid',
  'proc.exe',
  'proc.args',
  'proc.uid',
  'proc.user',
  'pproc.pid',
  'container.id',
  'container.name',
  'resource',
  'ret',
  'flow.rops',
  'flow.rbytes',
  'flow.wops',
  'flow.wbytes',
] as const;

/** One CSV field, quoted per RFC 4180 when it holds a comma, quote, CR or LF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The CSV header line (no line break) for {@link formatSysFlowCSVRow}. */
export function formatSysFlowCSVHeader(): string {
  return SYSFLOW_CSV_COLUMNS.join(',');
}

/** The values of {@link SYSFLOW_CSV_COLUMNS} for a record (empty strings where a column does not apply). */
export function sysflowCSVValues(item: SysFlowRecord | ResolvedSysFlowRecord): string[] {
  const r = asResolved(item);
  const record = r.record;
  const v: Record<(typeof SYSFLOW_CSV_COLUMNS)[number], string> = {
    type: SYSFLOW_TYPE_TAGS[record.type],
    ts: String(recordTs(record) ?? ''),
    endts: '',
    opflags: '',
    'proc.pid': r.process ? String(r.process.oid.hpid) : '',
    'proc.tid': '',
    'proc.exe': r.process?.exe ?? '',
    'proc.args': r.process?.exeArgs ?? '',
    'proc.uid': r.process ? String(r.process.uid) : '',
    'proc.user': r.process?.userName ?? '',
    'pproc.pid': r.process?.poid ? String(r.process.poid.hpid) : '',
    'container.id': r.container?.id ?? '',
    'container.name': r.container?.name ?? '',
    resource: '',
    ret: '',
    'flow.rops': '',
    'flow.rbytes': '',
    'flow.wops': '',
    'flow.wbytes': '',
  };
  const rec = record.rec as unknown as Record<string, unknown>;
  if (typeof rec.opFlags === 'number') v.opflags = formatOpFlags(rec.opFlags);
  if (typeof rec.tid === 'bigint') v['proc.tid'] = String(rec.tid);
  if (typeof rec.endTs === 'bigint') v.endts = String(rec.endTs);
  if (typeof rec.ret === 'number') v.ret = String(rec.ret);
  if (typeof rec.numRRecvOps === 'bigint') {
    v['flow.rops'] = String(rec.numRRecvOps);
    v['flow.rbytes'] = String(rec.numRRecvBytes);
    v['flow.wops'] = String(rec.numWSendOps);
    v['flow.wbytes'] = String(rec.numWSendBytes);
  }
  switch (record.type) {
    case 'File':
      v.resource = record.rec.path;
      break;
    case 'FileFlow':
    case 'FileEvent':
      v.resource = r.file?.path ?? toHex(record.rec.fileOID);
      if (record.type === 'FileEvent' && record.rec.newFileOID !== null) {
        v.resource += ` -> ${r.newFile?.path ?? toHex(record.rec.newFileOID)}`;
      }
      break;
    case 'NetworkFlow':
    case 'NetworkEvent': {
      const n = record.rec;
      v.resource = `${formatIPv4(n.sip)}:${n.sport}-${formatIPv4(n.dip)}:${n.dport}/${PROTOS[n.proto] ?? n.proto}`;
      break;
    }
    case 'ProcessEvent':
      v.resource = record.rec.args.join(' ');
      break;
    case 'Container':
      v.resource = record.rec.image;
      break;
    case 'SFHeader':
      v.resource = record.rec.filename;
      break;
    case 'Pod':
      v.resource = `${record.rec.namespace}/${record.rec.name}`;
      break;
    case 'K8sEvent':
      v.resource = `${record.rec.kind} ${record.rec.action} ${record.rec.message}`;
      break;
    default:
      break;
  }
  return SYSFLOW_CSV_COLUMNS.map((c) => v[c]);
}

/** One CSV row (no line break) for a record, in the columns of {@link SYSFLOW_CSV_COLUMNS}. */
export function formatSysFlowCSVRow(item: SysFlowRecord | ResolvedSysFlowRecord): string {
  return sysflowCSVValues(item).map(csvField).join(',');
}

/** One NDJSON line (no line break): `JSON.stringify(recordToJSON(record))`. */
export function formatSysFlowJSON(item: SysFlowRecord | ResolvedSysFlowRecord): string {
  return JSON.stringify(recordToFlatJSON('record' in item ? item.record : item));
}

/** Output formats of {@link printSysFlow}. */
export type SysFlowPrintFormat = 'text' | 'json' | 'csv';

/**
 * The whole of `sysray print FILE.sf [--json|--csv]`: resolves the records of a source and yields the
 * output lines (each without its line break; CSV starts with the header line).
 *
 * @example
 * ```ts
 * for await (const line of printSysFlow(resolveSysFlow('trace.sf'), 'csv')) process.stdout.write(`${line}\n`);
 * ```
 */
export async function* printSysFlow(
  records:
    | AsyncIterable<SysFlowRecord | ResolvedSysFlowRecord>
    | Iterable<SysFlowRecord | ResolvedSysFlowRecord>,
  format: SysFlowPrintFormat = 'text',
): AsyncGenerator<string> {
  if (format === 'csv') yield formatSysFlowCSVHeader();
  const format1 =
    format === 'json' ? formatSysFlowJSON : format === 'csv' ? formatSysFlowCSVRow : formatSysFlowText;
  for await (const item of records) yield format1(item);
}
