/**
 * A TypeScript source plugin that reads JSON-lines records (one JSON object per line, CloudTrail-like) from a
 * file, with fields for the usual CloudTrail keys and any JSON path.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FieldValue } from '@sysray/falco-rules';
import { definePlugin, type TsPluginDefinition } from './ts-plugin.js';

/** Options of {@link jsonLinesSource}. */
export interface JsonLinesOptions {
  /** Plugin id (default 999, Falco's development id). */
  id?: number;
  /** Event source (default `jsonl`). */
  eventSource?: string;
  /** Plugin name (default `jsonl`). */
  name?: string;
}

/** Config of the JSON-lines source (validated against its init schema). */
export interface JsonLinesConfig {
  /** File opened when `open()` gets no parameter. */
  path?: string;
  /** Key of the record's time (ISO 8601 text or epoch ms); default `eventTime`. */
  timeField?: string;
  /** Events per batch; default 256. */
  batchSize?: number;
}

/** A parsed JSON-lines record (`undefined` when the line is not a JSON object). */
export type JsonRecord = Record<string, unknown> | undefined;
type Rec = JsonRecord;

function at(rec: Rec, path: string): unknown {
  let cur: unknown = rec;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const decoder = new TextDecoder();

/**
 * The JSON-lines source: `open(path)` streams the file's lines as events (blank lines skipped), stamped with
 * the record's `eventTime`. Fields: `jsonl.value[a.b.c]` (any path), `jsonl.name` (`eventName`), `jsonl.src`
 * (`eventSource`), `jsonl.user` (`userIdentity.userName`, else its `arn`), `jsonl.region`, `jsonl.srcip`,
 * `jsonl.error` (`errorCode`), `jsonl.time` (the record time, abstime), `jsonl.raw`.
 */
export function jsonLinesSource(
  options: JsonLinesOptions = {},
): TsPluginDefinition<JsonRecord, JsonLinesConfig> {
  let config: JsonLinesConfig = {};
  let size = 0;
  let read = 0;
  const timeOf = (rec: Rec): bigint | undefined => {
    const v = at(rec, config.timeField ?? 'eventTime');
    const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
    return Number.isFinite(ms) ? BigInt(Math.trunc(ms)) * 1_000_000n : undefined;
  };
  const simple = (name: string, path: string, desc: string) => ({
    name,
    type: 'string' as const,
    desc,
    extract: (r: Rec): FieldValue | undefined => str(at(r, path)),
  });
  return definePlugin<Rec, JsonLinesConfig>({
    name: options.name ?? 'jsonl',
    version: '0.1.0',
    description: 'JSON-lines records (CloudTrail-like) read from a file',
    contact: 'https://github.com/sysray/sysray',
    id: options.id ?? 999,
    eventSource: options.eventSource ?? 'jsonl',
    initSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        path: { type: 'string', description: 'file to read when open() gets no parameter' },
        timeField: { type: 'string', description: 'key of the record time' },
        batchSize: { type: 'integer', minimum: 1, maximum: 65536, description: 'events per batch' },
      },
    },
    init(c) {
      config = c ?? {};
      this.batchSize = config.batchSize ?? 256;
    },
    openParams: () => (config.path ? [{ value: config.path, desc: 'the configured file' }] : []),
    async *open(params) {
      const path = params || config.path;
      if (!path) throw new Error('no file to read: pass a path to open() or set `path` in the config');
      size = statSync(path).size;
      read = 0;
      const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of lines) {
        read += Buffer.byteLength(line) + 1;
        if (line.trim() === '') continue;
        let rec: Rec;
        try {
          rec = JSON.parse(line) as Rec;
        } catch {
          rec = undefined;
        }
        const ts = timeOf(rec);
        yield ts === undefined ? { data: line } : { data: line, ts };
      }
    },
    progress: () => ({ percent: size === 0 ? 100 : Math.min(100, (read * 100) / size) }),
    parse(data) {
      try {
        const v = JSON.parse(decoder.decode(data)) as unknown;
        return v !== null && typeof v === 'object' && !Array.isArray(v)
          ? (v as Record<string, unknown>)
          : undefined;
      } catch {
        return undefined;
      }
    },
    eventToString(rec) {
      if (!rec) return '<not JSON>';
      return `${str(at(rec, 'eventSource')) ?? '?'} ${str(at(rec, 'eventName')) ?? '?'} by ${
        str(at(rec, 'userIdentity.userName')) ?? str(at(rec, 'userIdentity.arn')) ?? '?'
      }`;
    },
    fields: [
      {
        name: 'jsonl.value',
        type: 'string',
        arg: { isRequired: true, isKey: true },
        desc: 'the value at a dotted path, e.g. jsonl.value[requestParameters.bucketName]',
        extract: (r, arg) => str(at(r, arg?.key ?? '')),
      },
      simple('jsonl.name', 'eventName', 'event name (eventName)'),
      simple('jsonl.src', 'eventSource', 'service (eventSource)'),
      {
        name: 'jsonl.user',
        type: 'string',
        desc: 'user name, else ARN (userIdentity)',
        extract: (r) => str(at(r, 'userIdentity.userName')) ?? str(at(r, 'userIdentity.arn')),
      },
      simple('jsonl.region', 'awsRegion', 'region (awsRegion)'),
      simple('jsonl.srcip', 'sourceIPAddress', 'source address (sourceIPAddress)'),
      simple('jsonl.error', 'errorCode', 'error code (errorCode)'),
      { name: 'jsonl.time', type: 'abstime', desc: 'record time', extract: (r) => timeOf(r) },
      {
        name: 'jsonl.raw',
        type: 'string',
        desc: 'the whole record',
        extract: (_r, _a, ev) => decoder.decode(ev.rawParam(1)),
      },
    ],
  });
}
