/** What the reader collects from rules files, before compilation (Falco's `rule_loader` infos). */
import type { Node } from 'yaml';
import type { Priority } from '../priority.js';
import type { ErrorCode, WarningCode } from './diagnostics.js';
import type { SourceFile, Where } from './source.js';
import { whereNode } from './source.js';

/** Where an item lives. */
export interface Ctx {
  src: SourceFile;
  node: Node | null;
  kind: string;
  name?: string;
}

/** One piece of a condition's text (several when `append`ed), and where its text is in YAML. */
export interface TextSegment {
  /** Offset of this piece in the combined text. */
  offset: number;
  value: string;
  src: SourceFile;
  node: Node | null;
}

/** An exception entry: a scalar, or a list of entries. */
export type ExEntry = { isList: false; item: string } | { isList: true; items: ExEntry[] };

/** A rule exception as read. */
export interface ExceptionInfo {
  name: string;
  fields?: ExEntry;
  comps?: ExEntry;
  values: ExEntry[];
  ctx: Ctx;
}

/** A list as collected. */
export interface ListInfo {
  name: string;
  items: string[];
  index: number;
  visibility: number;
  ctx: Ctx;
}

/** A macro as collected. */
export interface MacroInfo {
  name: string;
  cond: string;
  segments: TextSegment[];
  index: number;
  visibility: number;
  ctx: Ctx;
}

/** A rule as collected. */
export interface RuleInfo {
  name: string;
  cond: string;
  segments: TextSegment[];
  output: string;
  outputCtx: Ctx;
  desc: string;
  priority: Priority;
  source: string;
  enabled: boolean;
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  tags: string[];
  exceptions: ExceptionInfo[];
  capture: boolean;
  captureDuration: number;
  unknownSource: boolean;
  index: number;
  visibility: number;
  ctx: Ctx;
}

/** A plugin version requirement and its alternatives. */
export interface PluginRequirement {
  name: string;
  version: string;
  alternatives: { name: string; version: string }[];
}

/** Thrown inside the loader to stop at the first error, as Falco does. */
export class LoadFailure {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly where: Where,
    readonly ctx?: Ctx,
  ) {}
}

/** Builds a {@link LoadFailure} at a context. */
export function failAt(code: ErrorCode, message: string, ctx: Ctx, node?: Node | null): LoadFailure {
  return new LoadFailure(code, message, whereNode(ctx.src, node === undefined ? ctx.node : node), ctx);
}

/** A warning to report. */
export interface PendingWarning {
  code: WarningCode;
  message: string;
  where: Where;
  ctx?: Ctx;
}
