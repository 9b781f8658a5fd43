/**
 * State tables (plugin API "tables"): the host's registry of named, keyed tables shared by every native plugin
 * loaded in the process, as an inspector's tables are in Falco. Plugins see it in their init input (list, look
 * up and add tables, define fields) and read tables during field extraction. From TypeScript, define a table
 * plugins can read ({@link defineTable}), or open any registered table — also one a plugin added — and read
 * and write its entries ({@link stateTable}).
 */
import { PluginError, toPluginError } from './errors.js';
import { rawTables } from './native.js';

/** Types of state-table keys and fields (`ss_plugin_state_type`). */
export type StateType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'string'
  | 'bool';

/**
 * A key or field value: `bigint` for 64-bit integers (a safe-integer `number` is accepted when writing),
 * `number` for narrower ones, `string`, `boolean`.
 */
export type StateValue = number | bigint | string | boolean;

/** A registered table. */
export interface StateTableInfo {
  name: string;
  keyType: StateType;
  /** `host` for tables defined from TypeScript, else the name of the plugin that added it. */
  owner: string;
}

/** A field of a table's entries. */
export interface StateFieldInfo {
  name: string;
  type: StateType;
  readOnly: boolean;
}

const CODES: Record<StateType, number> = {
  int8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  uint8: 5,
  uint16: 6,
  uint32: 7,
  uint64: 8,
  string: 9,
  bool: 25,
};
const NAMES = new Map<number, StateType>(Object.entries(CODES).map(([k, v]) => [v, k as StateType]));

function typeName(code: number): StateType {
  const t = NAMES.get(code);
  if (t === undefined) throw new PluginError('TABLE_FAILED', `unknown state type ${code}`);
  return t;
}

function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toPluginError(e, undefined);
  }
}

/**
 * A handle on a registered table. Every call goes through the same vtables plugins use: for a table a plugin
 * added, into that plugin's code (on the JS thread, while its captures may run `next_batch` on the thread
 * pool: the plugin must guard its table as Falco plugins do).
 */
export class StateTable {
  /** @internal Use {@link defineTable} or {@link stateTable}. */
  constructor(readonly name: string) {}

  /** The table's key type and owner. */
  info(): StateTableInfo {
    const t = listTables().find((x) => x.name === this.name);
    if (!t) throw new PluginError('TABLE_FAILED', `no table named '${this.name}'`);
    return t;
  }

  /** The fields of the entries. */
  fields(): StateFieldInfo[] {
    return call(() => rawTables().tableFields(this.name)).map((f) => ({
      name: f.name,
      type: typeName(f.type),
      readOnly: f.readOnly,
    }));
  }

  /** Number of entries. */
  get size(): number {
    return call(() => rawTables().tableSize(this.name));
  }

  /** The entry at `key` as `{ field: value }`, or `undefined` when there is none. */
  get(key: StateValue): Record<string, StateValue> | undefined {
    return call(() => rawTables().tableGet(this.name, key)) as Record<string, StateValue> | undefined;
  }

  /**
   * Writes fields of the entry at `key`, adding the entry (other fields zero or empty) when there is none.
   * Values are checked against the field types first: a bad value writes nothing.
   * @throws PluginError `USAGE` for a value of the wrong type or range, `TABLE_FAILED` for an unknown or
   * read-only field or when the table's owner refuses
   */
  set(key: StateValue, values: Record<string, StateValue>): void {
    call(() => rawTables().tableSet(this.name, key, values));
  }

  /** Erases the entry at `key`; `false` when there was none. */
  delete(key: StateValue): boolean {
    return call(() => rawTables().tableDelete(this.name, key));
  }

  /** Erases every entry. */
  clear(): void {
    call(() => rawTables().tableClear(this.name));
  }
}

/** What {@link defineTable} takes. */
export interface TableDefinition {
  /** Name plugins look the table up by (`get_table`). */
  name: string;
  /** Key type (plugins must ask for the same one). */
  key: StateType;
  /** Fields of every entry, by name (plugins may add more with `add_table_field`). */
  fields: Record<string, StateType>;
}

/**
 * Defines a table owned by the host, for native plugins to read (in extraction) and for TypeScript to fill.
 * Define it before initialising the plugins that look it up. Tables live as long as the process.
 * @throws PluginError `TABLE_FAILED` when the name is taken, `USAGE` for an unknown type
 */
export function defineTable(def: TableDefinition): StateTable {
  const code = (t: string, what: string): number => {
    const c = CODES[t as StateType];
    if (c === undefined) throw new PluginError('USAGE', `${what} has an unknown state type '${t}'`);
    return c;
  };
  const fields = Object.entries(def.fields).map(
    ([n, t]) => [n, code(t, `field '${n}' of table '${def.name}'`)] as [string, number],
  );
  const key = code(def.key, `the key of table '${def.name}'`);
  call(() => rawTables().tableDefine(def.name, key, fields));
  return new StateTable(def.name);
}

/**
 * A handle on a registered table (defined from TypeScript or added by a plugin in its init).
 * @throws PluginError `TABLE_FAILED` when no table has that name
 */
export function stateTable(name: string): StateTable {
  if (!listTables().some((t) => t.name === name))
    throw new PluginError('TABLE_FAILED', `no table named '${name}'`);
  return new StateTable(name);
}

/** Every registered table. */
export function listTables(): StateTableInfo[] {
  return call(() => rawTables().tablesList()).map((t) => ({
    name: t.name,
    keyType: typeName(t.keyType),
    owner: t.owner,
  }));
}
