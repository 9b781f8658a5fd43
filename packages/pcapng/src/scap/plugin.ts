import { PcapngError } from '../errors.js';
import type { ScapAsyncEvent, ScapPluginEvent } from './encode.js';
import type { ScapEvent } from './event.js';
import { EventType } from './event-table.js';

function need(ev: ScapEvent, type: number, what: string): void {
  if (ev.type !== type) {
    throw new PcapngError('SCAP_BAD_EVENT', `event #${ev.num} is ${ev.name} (type ${ev.type}), not ${what}`, {
      offset: ev.fileOffset,
    });
  }
}

/** Plugin id and payload of a plugin event (type 322). @throws PcapngError for another type or bad params. */
export function decodePluginEvent(ev: ScapEvent): ScapPluginEvent {
  need(ev, EventType.PLUGIN, 'a plugin event');
  const id = ev.param(0);
  if (typeof id !== 'number')
    throw (
      ev.error() ??
      new PcapngError('SCAP_BAD_EVENT', 'plugin event without plugin id', { offset: ev.fileOffset })
    );
  return { pluginId: id, data: ev.nparams > 1 ? ev.rawParam(1) : new Uint8Array(0) };
}

/** Plugin id, name and payload of an async event (type 402). @throws PcapngError for another type or bad params. */
export function decodeAsyncEvent(ev: ScapEvent): ScapAsyncEvent {
  need(ev, EventType.ASYNC, 'an async event');
  const id = ev.param(0);
  const name = ev.param(1);
  if (typeof id !== 'number' || typeof name !== 'string')
    throw new PcapngError('SCAP_BAD_EVENT', 'async event without plugin id or name', {
      offset: ev.fileOffset,
    });
  return { pluginId: id, name, data: ev.nparams > 2 ? ev.rawParam(2) : new Uint8Array(0) };
}
