/**
 * Generates `src/scap/event-table.generated.ts` from the fact tables in `data/`:
 * `event-table.tsv` (event types), `flag-tables.tsv` (symbolic names of flag/enum values) and
 * `dynamic-params.tsv` (PT_DYN sub-types).
 *
 * The generated file is committed; `test/scap/event-table.test.ts` regenerates it in memory and fails when
 * the committed text differs, so CI needs no generation step. To regenerate after editing the data files:
 *
 * ```sh
 * npx esbuild packages/pcapng/scripts/gen-event-table.ts --bundle --platform=node --format=esm \
 *   --outfile=/tmp/gen-event-table.mjs && node /tmp/gen-event-table.mjs packages/pcapng
 * ```
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Parameter types (PT_*), in the numbering of falcosecurity/libs `ppm_param_type`. */
export const PARAM_TYPES = [
  'NONE',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'CHARBUF',
  'BYTEBUF',
  'ERRNO',
  'SOCKADDR',
  'SOCKTUPLE',
  'FD',
  'PID',
  'FDLIST',
  'FSPATH',
  'SYSCALLID',
  'SIGTYPE',
  'RELTIME',
  'ABSTIME',
  'PORT',
  'L4PROTO',
  'SOCKFAMILY',
  'BOOL',
  'IPV4ADDR',
  'DYN',
  'FLAGS8',
  'FLAGS16',
  'FLAGS32',
  'UID',
  'GID',
  'DOUBLE',
  'SIGSET',
  'CHARBUFARRAY',
  'CHARBUF_PAIR_ARRAY',
  'IPV4NET',
  'IPV6ADDR',
  'IPV6NET',
  'IPADDR',
  'IPNET',
  'MODE',
  'FSRELPATH',
  'ENUMFLAGS8',
  'ENUMFLAGS16',
  'ENUMFLAGS32',
] as const;

/** Print formats (PF_*). */
export const PRINT_FORMATS = ['NA', 'DEC', 'HEX', '10_PADDED_DEC', 'ID', 'DIR', 'OCT'] as const;

/** Event categories (EC_*) and their values. */
export const CATEGORIES: Record<string, number> = {
  UNKNOWN: 0,
  OTHER: 1,
  FILE: 2,
  NET: 3,
  IPC: 4,
  MEMORY: 5,
  PROCESS: 6,
  SLEEP: 7,
  SYSTEM: 8,
  SIGNAL: 9,
  USER: 10,
  TIME: 11,
  PROCESSING: 12,
  IO_READ: 32,
  IO_WRITE: 33,
  IO_OTHER: 34,
  WAIT: 64,
  SCHEDULER: 128,
  INTERNAL: 256,
  SYSCALL: 512,
  TRACEPOINT: 1024,
  PLUGIN: 2048,
  METAEVENT: 4096,
  ITER: 8192,
};

/** Event flags (EF_*) and their values. */
export const FLAGS: Record<string, number> = {
  NONE: 0,
  CREATES_FD: 1 << 0,
  DESTROYS_FD: 1 << 1,
  USES_FD: 1 << 2,
  READS_FROM_FD: 1 << 3,
  WRITES_TO_FD: 1 << 4,
  MODIFIES_STATE: 1 << 5,
  UNUSED: 1 << 6,
  WAITS: 1 << 7,
  SKIPPARSERESET: 1 << 8,
  OLD_VERSION: 1 << 9,
  DROP_SIMPLE_CONS: 1 << 10,
  LARGE_PAYLOAD: 1 << 11,
  CONVERTER_MANAGED: 1 << 12,
};

interface ParsedParam {
  name: string;
  type: number;
  fmt: number;
  /** Flag table name, dynamic table name, or dirfd param index. */
  info: string | number | undefined;
}

interface ParsedEvent {
  id: number;
  enumName: string;
  name: string;
  category: number;
  flags: number;
  params: ParsedParam[];
}

function dataLines(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => l.split('\t'));
}

function bits(spec: string, table: Record<string, number>, what: string, line: number): number {
  let v = 0;
  for (const part of spec.split('|')) {
    const b = table[part];
    if (b === undefined) throw new Error(`event-table.tsv id ${line}: unknown ${what} ${part}`);
    v |= b;
  }
  return v;
}

function parseEvents(text: string): ParsedEvent[] {
  const events: ParsedEvent[] = [];
  for (const cols of dataLines(text)) {
    const [idText, enumName, name, cat, flags, params = ''] = cols;
    const id = Number(idText);
    if (!Number.isInteger(id) || id !== events.length) {
      throw new Error(
        `event-table.tsv: ids must be contiguous from 0; got ${idText} at row ${events.length}`,
      );
    }
    if (!enumName || !name || !cat || !flags) throw new Error(`event-table.tsv id ${id}: missing columns`);
    const parsedParams: ParsedParam[] = [];
    for (const p of params.split(';').filter((s) => s.length > 0)) {
      const [pname, ptype, pfmt, info] = p.split(':');
      const type = PARAM_TYPES.indexOf((ptype ?? '') as (typeof PARAM_TYPES)[number]);
      const fmt = PRINT_FORMATS.indexOf((pfmt ?? '') as (typeof PRINT_FORMATS)[number]);
      if (!pname || type < 0 || fmt < 0) throw new Error(`event-table.tsv id ${id}: bad param ${p}`);
      parsedParams.push({
        name: pname,
        type,
        fmt,
        info: info === undefined ? undefined : info.startsWith('@') ? Number(info.slice(1)) : info,
      });
    }
    events.push({
      id,
      enumName,
      name,
      category: bits(cat, CATEGORIES, 'category', id),
      flags: bits(flags, FLAGS, 'flag', id),
      params: parsedParams,
    });
  }
  return events;
}

function parseFlagTables(text: string): Map<string, [string, number][]> {
  const tables = new Map<string, [string, number][]>();
  for (const [table, name, value] of dataLines(text)) {
    if (!table || !name || value === undefined)
      throw new Error(`flag-tables.tsv: row '${table ?? ''}' needs table, name and value`);
    const v = Number(value);
    if (!/^\d+$/.test(value) || !Number.isInteger(v) || v > 0xffffffff)
      throw new Error(`flag-tables.tsv: bad value ${value} for ${table} ${name}`);
    let list = tables.get(table);
    if (!list) {
      list = [];
      tables.set(table, list);
    }
    list.push([name, v]);
  }
  return tables;
}

function parseDynamic(text: string): Map<string, [number, number][]> {
  const tables = new Map<string, [number, number][]>();
  for (const [table, index, type, fmt] of dataLines(text)) {
    if (!table) continue;
    const t = PARAM_TYPES.indexOf((type ?? '') as (typeof PARAM_TYPES)[number]);
    const f = PRINT_FORMATS.indexOf((fmt ?? '') as (typeof PRINT_FORMATS)[number]);
    let list = tables.get(table);
    if (!list) {
      list = [];
      tables.set(table, list);
    }
    if (Number(index) !== list.length || t < 0 || f < 0)
      throw new Error(`dynamic-params.tsv: bad row ${table}`);
    list.push([t, f]);
  }
  return tables;
}

const q = (s: string) => JSON.stringify(s);

/**
 * Builds the text of `event-table.generated.ts` from the three data files' contents.
 * Throws when a row is malformed or an event references a flag or PT_DYN table that has no rows.
 */
export function generateEventTableSource(eventTsv: string, flagTsv: string, dynamicTsv: string): string {
  const events = parseEvents(eventTsv);
  const tables = parseFlagTables(flagTsv);
  const dynamic = parseDynamic(dynamicTsv);
  for (const e of events) {
    for (const p of e.params) {
      if (typeof p.info !== 'string') continue;
      const isDyn = PARAM_TYPES[p.type] === 'DYN';
      if (isDyn ? !dynamic.has(p.info) : !tables.has(p.info)) {
        throw new Error(
          `event ${e.id} param ${p.name}: table ${p.info} has no rows in ${isDyn ? 'dynamic-params.tsv' : 'flag-tables.tsv'}`,
        );
      }
    }
  }
  const out: string[] = [];
  out.push('// Generated by packages/pcapng/scripts/gen-event-table.ts from packages/pcapng/data/*.tsv.');
  out.push('// Do not edit by hand: edit the data files and regenerate.');
  out.push('');
  out.push('/** Number of event types in the table (ids 0 .. EVENT_COUNT - 1). */');
  out.push(`export const EVENT_COUNT = ${events.length};`);
  out.push('');
  out.push('/** Parameter type ids (libs `PT_*`), by name. */');
  out.push('export const PT = {');
  PARAM_TYPES.forEach((t, i) => {
    out.push(`  ${t}: ${i},`);
  });
  out.push('} as const;');
  out.push('');
  out.push('/** Parameter type names, indexed by type id. */');
  out.push(`export const PT_NAMES: readonly string[] = [${PARAM_TYPES.map(q).join(', ')}];`);
  out.push('');
  out.push('/** Print formats (libs `PF_*`), by name. */');
  out.push('export const PF = {');
  PRINT_FORMATS.forEach((f, i) => {
    out.push(`  ${/^\d/.test(f) ? q(f) : f}: ${i},`);
  });
  out.push('} as const;');
  out.push('');
  out.push('/** Event categories (libs `EC_*`), by name. */');
  out.push('export const EC = {');
  for (const [k, v] of Object.entries(CATEGORIES)) out.push(`  ${k}: ${v},`);
  out.push('} as const;');
  out.push('');
  out.push('/** Event flags (libs `EF_*`), by name. */');
  out.push('export const EF = {');
  for (const [k, v] of Object.entries(FLAGS)) out.push(`  ${k}: ${v},`);
  out.push('} as const;');
  out.push('');
  out.push('/** One parameter of an event type: name, type id, print format and optional extra info. */');
  out.push('export interface GeneratedParamInfo {');
  out.push('  readonly name: string;');
  out.push('  readonly type: number;');
  out.push('  readonly fmt: number;');
  out.push(
    '  /** Flag/enum table name, PT_DYN table name, or the index of the dirfd parameter of a PT_FSRELPATH. */',
  );
  out.push('  readonly info?: string | number;');
  out.push('}');
  out.push('');
  out.push(
    '/** Event type rows: [libs enum name without PPME_, event name, category bits, flag bits, params]. */',
  );
  out.push(
    'export const EVENT_ROWS: readonly (readonly [string, string, number, number, readonly GeneratedParamInfo[]])[] = [',
  );
  for (const e of events) {
    const ps = e.params
      .map(
        (p) =>
          `{ name: ${q(p.name)}, type: ${p.type}, fmt: ${p.fmt}${p.info === undefined ? '' : `, info: ${typeof p.info === 'number' ? p.info : q(p.info)}`} }`,
      )
      .join(', ');
    out.push(`  /* ${e.id} */ [${q(e.enumName)}, ${q(e.name)}, ${e.category}, ${e.flags}, [${ps}]],`);
  }
  out.push('];');
  out.push('');
  const names = [...new Set(events.map((e) => e.name))].sort();
  out.push('/** Every event name in the table. */');
  out.push(`export type GeneratedEventName =\n${names.map((n) => `  | ${q(n)}`).join('\n')};`);
  out.push('');
  out.push('/** Symbolic names of flag and enum values, per table, in the order they are tried. */');
  out.push('export const FLAG_TABLES: Readonly<Record<string, readonly (readonly [string, number])[]>> = {');
  for (const [t, list] of tables) {
    out.push(`  ${t}: [${list.map(([n, v]) => `[${q(n)}, ${v}]`).join(', ')}],`);
  }
  out.push('};');
  out.push('');
  out.push('/** PT_DYN tables: entry i is [type id, print format] of a value whose index byte is i. */');
  out.push(
    'export const DYNAMIC_PARAM_TABLES: Readonly<Record<string, readonly (readonly [number, number])[]>> = {',
  );
  for (const [t, list] of dynamic) {
    out.push(`  ${t}: [${list.map(([a, b]) => `[${a}, ${b}]`).join(', ')}],`);
  }
  out.push('};');
  out.push('');
  return out.join('\n');
}

/** Reads the data files under `pkgDir/data` and returns the generated source text. */
export function generateFromPackage(pkgDir: string): string {
  const read = (f: string) => readFileSync(join(pkgDir, 'data', f), 'utf8');
  return generateEventTableSource(
    read('event-table.tsv'),
    read('flag-tables.tsv'),
    read('dynamic-params.tsv'),
  );
}

/** Path of the generated file inside the package. */
export const GENERATED_PATH = 'src/scap/event-table.generated.ts';

const invokedAs = process.argv[1];
if (invokedAs && import.meta.url === pathToFileURL(invokedAs).href) {
  const pkgDir = process.argv[2] ?? 'packages/pcapng';
  writeFileSync(join(pkgDir, GENERATED_PATH), generateFromPackage(pkgDir));
  console.log(`wrote ${join(pkgDir, GENERATED_PATH)}`);
}
