/** The one error class of `@sysray/inspector`. */
import type { Diagnostic } from '@sysray/falco-rules';

/** What went wrong. */
export type InspectorErrorCode =
  /** The capture could not be read (wraps the reader's error). */
  | 'BAD_CAPTURE'
  /** An event could not be decoded while state was updated (only thrown in strict mode). */
  | 'BAD_EVENT'
  /** A rules file failed to load or compile. */
  | 'RULES_LOAD'
  /** A filter condition failed to compile. */
  | 'BAD_FILTER'
  /** A rule-test spec is malformed. */
  | 'BAD_SPEC';

/** Details attached to an {@link InspectorError}. */
export interface InspectorErrorDetails {
  /** 1-based number of the event in the capture. */
  eventNum?: number;
  /** Byte offset of the event in the (decompressed) capture. */
  offset?: number;
  /** File the error is about. */
  file?: string;
  /** Underlying error. */
  cause?: unknown;
  /** For `RULES_LOAD`: every error and warning of the load, as `@sysray/falco-rules` reports them. */
  diagnostics?: Diagnostic[];
}

/** A typed error with a {@link InspectorErrorCode} and, where it applies, the event number and offset. */
export class InspectorError extends Error {
  /** Machine-readable error code. */
  readonly code: InspectorErrorCode;
  /** 1-based event number, when the error is about an event. */
  eventNum: number | undefined;
  /** Byte offset in the capture, when known. */
  offset: number | undefined;
  /** File the error is about, when known. */
  file: string | undefined;
  /** For `RULES_LOAD`: the load's diagnostics (errors and warnings, with file, line and column). */
  diagnostics: Diagnostic[] | undefined;

  constructor(code: InspectorErrorCode, message: string, details: InspectorErrorDetails = {}) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'InspectorError';
    this.code = code;
    this.eventNum = details.eventNum;
    this.offset = details.offset;
    this.file = details.file;
    this.diagnostics = details.diagnostics;
  }
}
