/**
 * `accesslog`: a Falco source plugin written in TypeScript (the `@sysray/plugin-api` TypeScript plugin
 * model). It reads a web server access log (Common or Combined Log Format, as nginx and Apache write it),
 * turns each line into a plugin event stamped with the request's time, and extracts `accesslog.*` fields
 * that Falco rules and Wireshark's display filters can use. With `follow`, it keeps reading what is appended
 * to the log, like `tail -f`, until the capture is stopped.
 */
import { open as openFile } from 'node:fs/promises';
import { definePlugin, type TsEventInput } from '@sysray/plugin-api';

/** The plugin's init config (validated against `initSchema` first). */
export interface AccessLogConfig {
  /** Access log to read. */
  file: string;
  /** Keep reading lines appended to the file until the capture is stopped (default `false`). */
  follow?: boolean;
  /** How often to look for new lines when following, in ms (default 250). */
  pollMs?: number;
}

/** One parsed log line; fields of a line that is not in the log format are missing. */
export interface AccessLogRecord {
  line: string;
  client?: string;
  user?: string;
  /** Request time, nanoseconds since the epoch. */
  ts?: bigint;
  method?: string;
  path?: string;
  protocol?: string;
  status?: number;
  size?: number;
  referer?: string;
  agent?: string;
}

const LINE =
  /^(\S+) \S+ (\S+) \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "(\S+) (\S+)(?: ([^"]*))?" (\d{3}) (\d+|-)(?: "([^"]*)" "([^"]*)")?$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Parses one Common/Combined Log Format line. */
export function parseAccessLine(line: string): AccessLogRecord {
  const m = LINE.exec(line);
  if (!m) return { line };
  const [, client, user, day, mon, year, hh, mm, ss, sign, tzh, tzm, method, path, protocol, status, size] =
    m;
  const month = MONTHS.indexOf(mon!);
  const offsetMin = (sign === '-' ? -1 : 1) * (Number(tzh) * 60 + Number(tzm));
  const ms =
    Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss)) - offsetMin * 60_000;
  const rec: AccessLogRecord = {
    line,
    client: client!,
    user: user!,
    method: method!,
    path: path!,
    status: Number(status),
    size: size === '-' ? 0 : Number(size),
  };
  if (month >= 0 && Number.isFinite(ms)) rec.ts = BigInt(ms) * 1_000_000n;
  if (protocol !== undefined) rec.protocol = protocol;
  if (m[17] !== undefined) rec.referer = m[17];
  if (m[18] !== undefined) rec.agent = m[18];
  return rec;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The file's lines as batches of events: everything there at open, then (with `follow`) one batch per poll —
 * empty when nothing was appended, which lets the host check whether the capture was stopped.
 */
async function* readLines(config: AccessLogConfig): AsyncGenerator<TsEventInput[]> {
  const handle = await openFile(config.file, 'r');
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(64 * 1024);
  let position = 0;
  let partial = '';
  try {
    for (;;) {
      const batch: TsEventInput[] = [];
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const text = partial + decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
        const lines = text.split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          const clean = line.replace(/\r$/, '');
          if (clean === '') continue;
          const ts = parseAccessLine(clean).ts;
          batch.push(ts === undefined ? { data: clean } : { data: clean, ts });
        }
      }
      if (!config.follow) {
        if (partial !== '') batch.push({ data: partial });
        if (batch.length > 0) yield batch;
        return;
      }
      yield batch;
      await sleep(config.pollMs ?? 250);
    }
  } finally {
    await handle.close();
  }
}

/**
 * A fresh definition of the plugin (each holds its own config): load it with `loadPlugin(accessLogPlugin())`,
 * serve it with `runExtcap`, or give it to `runRulesOnPlugin`.
 */
export function accessLogPlugin() {
  let config: AccessLogConfig | undefined;
  return definePlugin<AccessLogRecord, AccessLogConfig>({
    name: 'accesslog',
    version: '0.1.0',
    description: 'web server access logs (Common/Combined Log Format), one event per request',
    contact: 'https://github.com/sysray/sysray/tree/main/examples/ts-plugin-extcap',
    id: 999, // Falco's id for plugins in development: ask for your own before you publish one
    eventSource: 'accesslog',
    initSchema: {
      type: 'object',
      properties: {
        file: { type: 'string', title: 'Log file', description: 'access log to read', minLength: 1 },
        follow: {
          type: 'boolean',
          title: 'Follow',
          description: 'keep reading appended lines',
          default: false,
        },
        pollMs: { type: 'integer', title: 'Poll interval (ms)', minimum: 10, maximum: 10_000, default: 250 },
      },
      required: ['file'],
      additionalProperties: false,
    },
    init(c) {
      config = c;
    },
    open() {
      if (!config) throw new Error('init the plugin first');
      return readLines(config);
    },
    parse: (data) => parseAccessLine(new TextDecoder().decode(data)),
    eventToString: (rec) => rec.line,
    fields: [
      { name: 'accesslog.line', type: 'string', desc: 'the whole log line', extract: (r) => r.line },
      { name: 'accesslog.client', type: 'string', desc: 'client address', extract: (r) => r.client },
      {
        name: 'accesslog.user',
        type: 'string',
        desc: 'authenticated user, - if none',
        extract: (r) => r.user,
      },
      { name: 'accesslog.method', type: 'string', desc: 'request method', extract: (r) => r.method },
      { name: 'accesslog.path', type: 'string', desc: 'request path and query', extract: (r) => r.path },
      { name: 'accesslog.status', type: 'uint64', desc: 'response status', extract: (r) => r.status },
      { name: 'accesslog.size', type: 'uint64', desc: 'response body bytes', extract: (r) => r.size },
      {
        name: 'accesslog.agent',
        type: 'string',
        desc: 'User-Agent (combined format)',
        extract: (r) => r.agent,
      },
    ],
  });
}
