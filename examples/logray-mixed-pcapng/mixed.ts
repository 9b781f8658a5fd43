/**
 * Reading a pcapng that holds both network packets and Falco syscall events (what Logray/Stratoshark and
 * Falco's own captures with packets look like): one pass, in file order, packets decoded with
 * `@sysray/pcapng` and events with `@sysray/pcapng/scap`, and the two joined on the TCP/UDP connection.
 */
import {
  BlockTypeId,
  type ByteSource,
  decodeBlock,
  type InterfaceInfo,
  PcapngError,
  pcapngWindows,
} from '@sysray/pcapng';
import {
  addMetadataBlock,
  EventBatch,
  emptyCaptureInfo,
  isEventBlock,
  type ScapCaptureInfo,
  ScapEvent,
  type ScapSockTuple,
  ThreadNames,
} from '@sysray/pcapng/scap';

/** A network packet of the file. */
export interface PacketItem {
  kind: 'packet';
  /** 0-based block index in the file. */
  block: number;
  /** Nanoseconds since the epoch (`undefined` for a Simple Packet Block, which has no timestamp). */
  ts: bigint | undefined;
  /** The packet's interface (link type, name, timestamp resolution). */
  iface: InterfaceInfo;
  /** Captured bytes: a view into the reader's window, valid until the next item. */
  data: Uint8Array;
  originalLength: number;
}

/** A syscall event of the file. */
export interface EventItem {
  kind: 'event';
  block: number;
  ts: bigint;
  /** The event, a reused cursor: read what you need before asking for the next item. */
  ev: ScapEvent;
  /** Process name of the event's thread, from the capture's process list and clone/execve events. */
  comm: string | undefined;
}

export type MixedItem = PacketItem | EventItem;

/** A mixed reader: iterate it once for the items; `info` fills with the capture's scap metadata as it goes. */
export class MixedReader implements AsyncIterable<MixedItem> {
  readonly info: ScapCaptureInfo = emptyCaptureInfo();
  private readonly names = new ThreadNames();

  constructor(private readonly source: ByteSource) {}

  async *[Symbol.asyncIterator](): AsyncIterator<MixedItem> {
    const ev = new ScapEvent();
    let events = 0;
    for await (const cursor of pcapngWindows(this.source)) {
      const batch = new EventBatch(cursor.bytes, cursor.nextFileOffset, 64, events + 1);
      while (cursor.next()) {
        const t = cursor.blockType >>> 0;
        if (isEventBlock(t)) {
          batch.addEventBlock(
            t,
            cursor.bodyOffset,
            cursor.bodyLength,
            cursor.littleEndian,
            cursor.blockIndex,
          );
          ev.load(batch, batch.count - 1);
          events++;
          if (ev.problem) throw ev.error()!;
          this.names.update(ev);
          yield { kind: 'event', block: cursor.blockIndex, ts: ev.ts, ev, comm: this.names.get(ev.tid) };
        } else if (t === BlockTypeId.EPB || t === BlockTypeId.SPB || t === BlockTypeId.PB) {
          const b = decodeBlock(cursor);
          if (b.type !== 'EPB' && b.type !== 'SPB' && b.type !== 'PB') continue;
          const iface = cursor.interfaceOf(b.interfaceId);
          if (!iface)
            throw new PcapngError('UNKNOWN_INTERFACE', `packet of undescribed interface ${b.interfaceId}`, {
              blockIndex: cursor.blockIndex,
            });
          yield {
            kind: 'packet',
            block: cursor.blockIndex,
            ts: b.type === 'SPB' ? undefined : b.timestamp,
            iface,
            data: b.data,
            originalLength: b.originalLength,
          };
        } else {
          addMetadataBlock(cursor, this.info); // machine info, process/fd/user lists, SHB, IDB, …
          this.names.seed(this.info);
        }
      }
    }
  }
}

/** Reads `source` (path, bytes, stream; gzip inflated) as one time-ordered stream of packets and events. */
export function readMixed(source: ByteSource): MixedReader {
  return new MixedReader(source);
}

/** The addresses of an IPv4 TCP or UDP packet. */
export interface Flow {
  proto: 'tcp' | 'udp';
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** Transport payload length. */
  payload: number;
}

const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_LINUX_SLL = 113;
const LINK_IPV4 = 228;

/** The IPv4 TCP/UDP addresses of a packet (Ethernet, raw IP, Linux cooked), or `undefined`. */
export function flowOf(linkType: number, data: Uint8Array): Flow | undefined {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let ip: number;
  if (linkType === LINK_ETHERNET) {
    if (data.length < 14 || v.getUint16(12) !== 0x0800) return undefined;
    ip = 14;
  } else if (linkType === LINK_LINUX_SLL) {
    if (data.length < 16 || v.getUint16(14) !== 0x0800) return undefined;
    ip = 16;
  } else if (linkType === LINK_RAW || linkType === LINK_IPV4) ip = 0;
  else return undefined;
  if (data.length < ip + 20 || data[ip]! >> 4 !== 4) return undefined;
  const ihl = (data[ip]! & 15) * 4;
  const total = v.getUint16(ip + 2);
  const proto = data[ip + 9];
  const l4 = ip + ihl;
  if ((proto !== 6 && proto !== 17) || data.length < l4 + (proto === 6 ? 20 : 8)) return undefined;
  const addr = (o: number) => `${data[o]}.${data[o + 1]}.${data[o + 2]}.${data[o + 3]}`;
  const header = proto === 6 ? (data[l4 + 12]! >> 4) * 4 : 8;
  return {
    proto: proto === 6 ? 'tcp' : 'udp',
    src: addr(ip + 12),
    sport: v.getUint16(l4),
    dst: addr(ip + 16),
    dport: v.getUint16(l4 + 2),
    payload: Math.max(0, total - ihl - header),
  };
}

/** One connection as both worlds saw it. */
export interface Connection {
  /** `client:port -> server:port`, as Falco's `fd.name` spells a socket. */
  name: string;
  packets: number;
  /** Transport payload bytes carried by the packets. */
  payloadBytes: number;
  /** `comm (tid)` of each thread that had a syscall on it with this tuple, in order of appearance. */
  processes: string[];
  /** Syscalls seen on it, by name. */
  syscalls: Record<string, number>;
}

/** Joins packets and syscall events on their IPv4 endpoints (either direction). */
export class ConnectionTable {
  private readonly byKey = new Map<string, Connection>();

  private entry(a: string, ap: number, b: string, bp: number, clientFirst: boolean): Connection {
    const one = `${a}:${ap}`;
    const two = `${b}:${bp}`;
    const key = one < two ? `${one}|${two}` : `${two}|${one}`;
    let c = this.byKey.get(key);
    if (!c) {
      c = {
        name: clientFirst ? `${one}->${two}` : `${two}->${one}`,
        packets: 0,
        payloadBytes: 0,
        processes: [],
        syscalls: {},
      };
      this.byKey.set(key, c);
    }
    return c;
  }

  addPacket(flow: Flow): void {
    // Without a syscall yet, guess the client: the side with the higher (ephemeral) port.
    const c = this.entry(flow.src, flow.sport, flow.dst, flow.dport, flow.sport > flow.dport);
    c.packets++;
    c.payloadBytes += flow.payload;
  }

  addEvent(ev: ScapEvent, comm: string | undefined): void {
    const i = ev.paramIndex('tuple');
    if (i < 0 || i >= ev.nparams) return;
    const t = ev.param(i) as ScapSockTuple | undefined;
    if (t?.family !== 'inet') return;
    const c = this.entry(t.sip, t.sport, t.dip, t.dport, true);
    c.name = `${t.sip}:${t.sport}->${t.dip}:${t.dport}`; // the kernel's tuple says who the client is
    const who = `${comm ?? '?'} (${ev.tid})`;
    if (!c.processes.includes(who)) c.processes.push(who);
    c.syscalls[ev.name] = (c.syscalls[ev.name] ?? 0) + 1;
  }

  connections(): Connection[] {
    return [...this.byKey.values()];
  }
}
