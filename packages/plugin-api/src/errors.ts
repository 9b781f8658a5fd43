/** The one error class of `@sysray/plugin-api`. */

/** What went wrong, as a stable code. */
export type PluginErrorCode =
  /** The shared library could not be loaded (`dlopen` failed) or the addon is missing. */
  | 'LOAD_FAILED'
  /** The plugin requires a plugin API version this host does not provide. */
  | 'API_VERSION'
  /** A symbol every plugin must export is missing. */
  | 'MISSING_SYMBOL'
  /** The plugin returned malformed metadata (version string, fields JSON, schema, open params). */
  | 'BAD_METADATA'
  /** The init config does not match the plugin's init schema (or is not JSON when a schema is declared). */
  | 'BAD_CONFIG'
  /** `init` failed. */
  | 'INIT_FAILED'
  /** `open` failed. */
  | 'OPEN_FAILED'
  /** `next_batch` failed. */
  | 'NEXT_FAILED'
  /** The plugin produced an event the host cannot trust (bad length, nparams, type, plugin id, NULL). */
  | 'BAD_EVENT'
  /** Field extraction failed or returned a malformed result. */
  | 'EXTRACT_FAILED'
  /** The plugin lacks the capability (or the optional function) asked for. */
  | 'NOT_SUPPORTED'
  /** The call is not valid in the plugin's current state (not initialised, closed, busy). */
  | 'BAD_STATE'
  /** A field name or argument the plugin does not define. */
  | 'UNKNOWN_FIELD'
  /** Bad arguments or usage (extcap command lines, rules-run options, state-table values). */
  | 'USAGE'
  /** A state-table operation failed (no such table or field, a type mismatch, the owning plugin refused). */
  | 'TABLE_FAILED'
  /** An isolated plugin's child process died (the plugin crashed): the message is the host's crash report. */
  | 'CRASHED'
  /** `parse_event` failed. */
  | 'PARSE_FAILED'
  /**
   * The plugin consumes syscall events and requires an event schema version the host does not provide
   * (`get_required_event_schema_version`, API 3.12), or gave a malformed one.
   */
  | 'SCHEMA_VERSION'
  /** `capture_open` or `capture_close` failed. */
  | 'LISTEN_FAILED'
  /** `set_async_event_handler` or `dump_state` failed. */
  | 'ASYNC_FAILED';

/**
 * Every failure of a plugin or of the host around it: load, version check, init, open, next batch,
 * extraction, malformed plugin output. `lastError` is what the plugin's `get_last_error` said, when it said
 * something.
 */
export class PluginError extends Error {
  override readonly name = 'PluginError';
  readonly code: PluginErrorCode;
  /** Name (or path, before the name is known) of the plugin. */
  plugin: string | undefined;
  /** The plugin's own last error string, when it had one. */
  lastError: string | undefined;
  /** The plugin API return code (`ss_plugin_rc`) that caused the error, when there was one. */
  rc: number | undefined;

  constructor(
    code: PluginErrorCode,
    message: string,
    extra: { plugin?: string; lastError?: string; rc?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.plugin = extra.plugin;
    this.lastError = extra.lastError;
    this.rc = extra.rc;
  }
}

const CODES = new Set<string>([
  'LOAD_FAILED',
  'API_VERSION',
  'MISSING_SYMBOL',
  'BAD_METADATA',
  'BAD_CONFIG',
  'INIT_FAILED',
  'OPEN_FAILED',
  'NEXT_FAILED',
  'BAD_EVENT',
  'EXTRACT_FAILED',
  'NOT_SUPPORTED',
  'BAD_STATE',
  'UNKNOWN_FIELD',
  'USAGE',
  'TABLE_FAILED',
  'CRASHED',
  'PARSE_FAILED',
  'SCHEMA_VERSION',
  'LISTEN_FAILED',
  'ASYNC_FAILED',
]);

/** Turns an error thrown by the native addon (an `Error` with `code`, `lastError`, `rc`) into a PluginError. */
export function toPluginError(e: unknown, plugin: string | undefined): PluginError {
  if (e instanceof PluginError) return e;
  const err = e as { code?: unknown; message?: unknown; lastError?: unknown; rc?: unknown };
  const code =
    typeof err?.code === 'string' && CODES.has(err.code) ? (err.code as PluginErrorCode) : undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const extra: { plugin?: string; lastError?: string; rc?: number; cause?: unknown } = { cause: e };
  if (plugin !== undefined) extra.plugin = plugin;
  if (typeof err?.lastError === 'string' && err.lastError !== '') extra.lastError = err.lastError;
  if (typeof err?.rc === 'number') extra.rc = err.rc;
  return new PluginError(code ?? 'EXTRACT_FAILED', message, extra);
}
