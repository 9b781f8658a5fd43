import type { EventBatch } from '@sysray/pcapng/scap';
import { decodePluginEvent, ScapEvent } from '@sysray/pcapng/scap';

/** One plugin event as plain data, for comparisons. */
export interface PlainEvent {
  ts: bigint;
  pluginId: number;
  data: string;
}

/** Every event of the batches as plain data. */
export function plain(batches: Iterable<EventBatch>): PlainEvent[] {
  const out: PlainEvent[] = [];
  const ev = new ScapEvent();
  for (const b of batches)
    for (let i = 0; i < b.count; i++) {
      ev.load(b, i);
      const { pluginId, data } = decodePluginEvent(ev);
      out.push({ ts: ev.ts, pluginId, data: Buffer.from(data).toString('utf8') });
    }
  return out;
}

/** Collects an async iterable. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
