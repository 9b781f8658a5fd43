/** Exit status of a successful run. */
export const EXIT_OK = 0;
/** Exit status when the input cannot be read: missing file, malformed capture, I/O failure. */
export const EXIT_INPUT_ERROR = 1;
/** Exit status for a command line that does not parse: unknown command or option, missing argument. */
export const EXIT_USAGE_ERROR = 2;

/**
 * A command line that does not parse. `runCli` prints it with a hint to `--help` and exits with
 * {@link EXIT_USAGE_ERROR}.
 */
export class UsageError extends Error {
  /** The command the error is about (`'dump'`), so the hint can name its `--help`; `''` for the top level. */
  readonly command: string;

  constructor(message: string, command = '') {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/**
 * An input that cannot be read for a reason other than its content (a missing file, a directory, no
 * permission). Content errors are `PcapngError`s. `runCli` prints it as one line and exits with
 * {@link EXIT_INPUT_ERROR}.
 */
export class InputError extends Error {
  /** A stable machine-readable code: the Node errno code (`ENOENT`, `EISDIR`, `EACCES`, …). */
  readonly code: string;
  /** The file the error is about. */
  readonly file: string | undefined;

  constructor(code: string, message: string, file?: string) {
    super(message);
    this.name = 'InputError';
    this.code = code;
    this.file = file;
  }

  /** One line: `CODE: message (file)`, like `PcapngError.describe()`. */
  describe(): string {
    return `${this.code}: ${this.message}${this.file === undefined ? '' : ` (${this.file})`}`;
  }
}

/**
 * Thrown by an {@link Output} once its destination has gone away (a closed pipe: `sysray dump big | head`).
 * `runCli` ends the command quietly with {@link EXIT_OK}.
 */
export class OutputClosedError extends Error {
  constructor() {
    super('output closed');
    this.name = 'OutputClosedError';
  }
}
