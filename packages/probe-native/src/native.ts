/** Loads the N-API addon (`native/probe.c`) with node-gyp-build: a prebuild from the tarball or a source build. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProbeError, type ProbeErrorCode } from './errors.js';

/** Options the addon reads from its first argument. */
export interface AddonOpenOptions {
  snaplen: number;
  wakeBytes: number;
  pollMs: number;
  chunkBytes: number;
  procEvents: number;
  ringBytes: number;
  /** Bytes handed to JS and not yet reported consumed beyond which the reader drops chunks. */
  maxQueuedBytes: number;
}

/** The addon's functions. */
export interface ProbeAddon {
  open(
    options: AddonOpenOptions,
    recipes: Uint8Array,
    ignored: Uint32Array,
    onChunk: (chunk: Uint8Array | null) => void,
  ): object;
  /**
   * Per counter (emitted, ring-buffer-full drops, oversize drops, pending bytes), one value per possible CPU;
   * then the probe programs' recursion misses; then the events of chunks dropped over `maxQueuedBytes`.
   */
  stats(
    handle: object,
  ): [
    emitted: number[],
    dropped: number[],
    overflow: number[],
    pendingBytes: number[],
    missed: number,
    droppedQueue: number,
  ];
  /** The consumer took `bytes` of delivered chunks off its queue. */
  consumed(handle: object, bytes: number): void;
  stop(handle: object): void;
  close(handle: object): void;
  possibleCpus(): number;
  recipeSize: number;
}

/** The package root (holding package.json, binding.gyp, prebuilds/), from src/ or dist/. */
function packageRoot(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  return join(here, '..');
}

let addon: ProbeAddon | undefined;

/** The addon, loaded once. @throws ProbeError `ADDON_MISSING` when no build fits this machine. */
export function loadAddon(): ProbeAddon {
  if (addon) return addon;
  const root = packageRoot();
  const require = createRequire(join(root, 'package.json'));
  try {
    const load = require('node-gyp-build') as (dir: string) => unknown;
    addon = load(root) as ProbeAddon;
  } catch (e) {
    throw new ProbeError(
      'ADDON_MISSING',
      `the eBPF probe addon is not built for ${process.platform}-${process.arch} ` +
        `(run \`pnpm build\` in packages/probe-native): ${(e as Error).message}`,
      { cause: e },
    );
  }
  return addon;
}

const CODES = new Set<ProbeErrorCode>([
  'NOT_PERMITTED',
  'LOAD_REFUSED',
  'ATTACH_REFUSED',
  'BAD_OPTIONS',
  'INTERNAL',
]);

/** Turns an error thrown by the addon (`code`, `errno`, message) into a {@link ProbeError}. */
export function addonError(e: unknown): ProbeError {
  if (e instanceof ProbeError) return e;
  const err = e as { code?: string; errno?: number; message?: string };
  const code = CODES.has(err.code as ProbeErrorCode) ? (err.code as ProbeErrorCode) : 'INTERNAL';
  return new ProbeError(code, err.message ?? String(e), { errno: err.errno, cause: e });
}
