/**
 * Isolated native plugins (`loadPlugin(path, { isolate: true })`): the plugin runs in a child process
 * (`scripts/plugin-child.mjs`, the same native host) and its batches come back over the IPC channel, so a
 * plugin that crashes ends the child, not this process: pending and later calls fail with `CRASHED`.
 * Extraction and `event_to_string` are synchronous calls and stay in-process only: an isolated plugin sources
 * events; its extraction capability is reported off (in `info.broken`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { FieldValue } from '@sysray/falco-rules';
import type { ScapEvent } from '@sysray/pcapng/scap';
import type { DriverCapture, ExtractRequest, PluginDriver } from './driver.js';
import { PluginError, toPluginError } from './errors.js';
import {
  NativeCapture,
  packageRoot,
  parseOpenParams,
  type RawCapture,
  type RawInfo,
  readInfo,
} from './native.js';
import type { OpenParam, PluginInfo } from './types.js';

type Reply = { id: number; value?: unknown; error?: Record<string, unknown>; lastError?: string | null };

function childScript(): string {
  return join(packageRoot(), 'scripts', 'plugin-child.mjs');
}

/** The crash report line the native host printed in the child, if any. */
function crashLine(stderr: string): string | undefined {
  return stderr
    .split('\n')
    .find((l) => l.includes('sysray plugin-api: plugin ') && l.includes(' crashed with '))
    ?.replace(/^sysray plugin-api: /, '');
}

/** @internal The driver of a native plugin that runs in a child process. */
export class IsolatedDriver implements PluginDriver {
  readonly info: PluginInfo;
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private seq = 0;
  private error: string | undefined;
  private openParams: OpenParam[] = [];
  private dead: PluginError | undefined;
  private stderr = '';
  private destroyed = false;

  constructor(private readonly path: string) {
    const r = spawnSync(process.execPath, [childScript(), 'info', path], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.signal || r.status !== 0) {
      const line = crashLine(r.stderr ?? '');
      throw new PluginError(
        'CRASHED',
        `plugin ${path} ${line ? `crashed while loading: ${line}` : `failed while loading in its child process (${r.signal ?? `exit ${r.status}`})`}`,
        { plugin: path },
      );
    }
    let out: { info?: RawInfo; error?: Record<string, unknown> };
    try {
      out = JSON.parse(r.stdout) as typeof out;
    } catch (e) {
      throw new PluginError('LOAD_FAILED', `the child process of plugin ${path} answered garbage`, {
        cause: e,
      });
    }
    if (out.error) throw toPluginError(Object.assign(new Error(String(out.error.message)), out.error), path);
    const info = readInfo(out.info!);
    // What only runs in-process is not offered by an isolated plugin: each such capability is reported broken.
    const inProcessOnly: [keyof typeof info.capabilities, string][] = [
      ['extraction', 'extraction is synchronous and runs only in-process'],
      ['parsing', 'parsing is synchronous and runs only in-process'],
      ['captureListening', 'capture listening runs only in-process'],
      ['async', 'async events are received only in-process'],
      ['metrics', 'metrics are read only in-process'],
    ];
    for (const [capability, why] of inProcessOnly) {
      if (!info.capabilities[capability]) continue;
      info.capabilities[capability] = false;
      info.broken.push({ capability, reason: `the plugin is isolated in a child process: ${why}` });
    }
    if (!info.capabilities.extraction) info.fields = [];
    if (!info.capabilities.async) info.dumpsState = false;
    this.info = info;
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn(process.execPath, [childScript(), 'serve', this.path], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      process.stderr.write(d); // what the plugin logs stays visible
      this.stderr = (this.stderr + d).slice(-8192);
    });
    child.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.idle();
      if (m.error) {
        if (typeof m.lastError === 'string' && m.lastError !== '') this.error = m.lastError;
        p.reject(toPluginError(Object.assign(new Error(String(m.error.message)), m.error), this.info.name));
      } else p.resolve(m.value);
    });
    child.on('close', (code, signal) => {
      if (this.destroyed && this.pending.size === 0) return;
      const line = crashLine(this.stderr);
      this.dead = new PluginError(
        'CRASHED',
        line ??
          `plugin '${this.info.name}' (${this.path}): its child process ended (${signal ?? `exit ${code}`})`,
        { plugin: this.info.name },
      );
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    });
    this.child = child;
    this.idle();
    return child;
  }

  /** The child keeps this process alive only while a call waits for it. */
  private idle(): void {
    const c = this.child;
    if (!c) return;
    const channel = (c as unknown as { channel?: { ref(): void; unref(): void } }).channel;
    if (this.pending.size === 0) {
      c.unref();
      channel?.unref();
    } else {
      c.ref();
      channel?.ref();
    }
  }

  /** @internal One request to the child. */
  call(op: string, args: Record<string, unknown> = {}): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const child = this.start();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.idle();
      child.send({ id, op, ...args });
    });
  }

  async init(config: string): Promise<void> {
    const r = (await this.call('init', { config })) as {
      openParams: string | null;
      openParamsError?: Record<string, unknown>;
    };
    this.openParams = r.openParamsError ? [] : parseOpenParams(r.openParams, this.info.name);
  }

  async setConfig(config: string): Promise<void> {
    await this.call('setConfig', { config });
  }

  lastError(): string | undefined {
    return this.error;
  }

  /** The open params the plugin listed right after init (the call is synchronous; the child is not). */
  listOpenParams(): OpenParam[] {
    return this.openParams;
  }

  async open(params: string): Promise<DriverCapture> {
    const id = (await this.call('open', { params })) as number;
    let last: { pct: number; text?: string } | undefined;
    const raw: RawCapture = {
      next: async () => {
        const r = (await this.call('next', { capture: id })) as Awaited<ReturnType<RawCapture['next']>>;
        if (r.progress) last = r.progress;
        return r;
      },
      progress: () => last,
      close: () => {
        if (!this.dead && this.child) this.call('close', { capture: id }).catch(() => {});
      },
    };
    return new NativeCapture(raw, this.info.name);
  }

  eventToString(_event: ScapEvent): string | undefined {
    return undefined;
  }

  extractor(_req: ExtractRequest): (event: ScapEvent) => FieldValue | undefined {
    throw new PluginError('NOT_SUPPORTED', `plugin '${this.info.name}' is isolated: it extracts no fields`, {
      plugin: this.info.name,
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.child && !this.dead) this.call('destroy').catch(() => {});
  }
}
