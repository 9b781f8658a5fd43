/**
 * Writes a small pcapng like the ones Logray/Stratoshark save when a capture holds both network packets and
 * system calls: one section with an Ethernet interface and its packets, Falco's machine info and process list
 * blocks, and syscall event blocks, interleaved in time order. Here: `curl` (pid 4242) fetches a page from a
 * `node` server (pid 4100) over loopback TCP, and both sides' syscalls are recorded with the packets.
 */
import { concatBytes, makeOption, type PcapngBlock, writePcapngSync } from '@sysray/pcapng';
import {
  EVENT_TABLE,
  encodeEvent,
  encodeEventBlock,
  encodeMachineInfoBlock,
  encodeProcessListBlock,
  eventTypesByName,
  type ScapParamInput,
  type ScapSockAddr,
  type ScapSockTuple,
  type ScapThreadInfo,
} from '@sysray/pcapng/scap';

const T0 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z
const CLIENT = { ip: '127.0.0.1', port: 45_678 };
const SERVER = { ip: '127.0.0.1', port: 8080 };

/** The exit (`<`) or enter (`>`) event type id of a syscall name (its newest version). */
function typeId(name: string, dir: '>' | '<'): number {
  const ids = eventTypesByName(name).filter((t) => (t & 1) === (dir === '<' ? 1 : 0));
  const id = ids.at(-1);
  if (id === undefined) throw new Error(`no ${dir}${name} event`);
  return id;
}

/**
 * A scap event block, parameters given by name (missing ones empty), as a pcapng block the writer passes
 * through verbatim (`UNKNOWN`, body kept).
 */
function eventBlock(
  name: string,
  dir: '>' | '<',
  ts: bigint,
  tid: number,
  byName: Record<string, ScapParamInput>,
): PcapngBlock {
  const type = typeId(name, dir);
  const params = EVENT_TABLE[type]!.params.map((p) => byName[p.name] ?? null);
  return rawBlock(encodeEventBlock(encodeEvent({ type, ts, tid, params }), { cpu: 0 }));
}

/** A whole scap block (event, machine info, process list) as a pass-through pcapng block. */
function rawBlock(bytes: Uint8Array): PcapngBlock {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { type: 'UNKNOWN', blockType: view.getUint32(0, true), body: bytes.subarray(8, bytes.length - 4) };
}

function ipv4(s: string): number[] {
  return s.split('.').map(Number);
}

/** An Ethernet + IPv4 + TCP frame (checksums left 0: loopback captures show them unverified). */
export function tcpFrame(
  src: { ip: string; port: number },
  dst: { ip: string; port: number },
  flags: number,
  seq: number,
  ack: number,
  payload = '',
): Uint8Array {
  const data = new TextEncoder().encode(payload);
  const frame = new Uint8Array(14 + 20 + 20 + data.length);
  const v = new DataView(frame.buffer);
  v.setUint16(12, 0x0800); // IPv4 (MAC addresses 0, as on lo)
  v.setUint8(14, 0x45);
  v.setUint16(16, 20 + 20 + data.length);
  v.setUint8(22, 64); // TTL
  v.setUint8(23, 6); // TCP
  frame.set(ipv4(src.ip), 26);
  frame.set(ipv4(dst.ip), 30);
  v.setUint16(34, src.port);
  v.setUint16(36, dst.port);
  v.setUint32(38, seq);
  v.setUint32(42, ack);
  v.setUint8(46, 5 << 4); // header length 20
  v.setUint8(47, flags);
  v.setUint16(48, 65_495); // window
  frame.set(data, 54);
  return frame;
}

const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;
const FIN_ACK = 0x11;

function thread(tid: number, comm: string, exe: string, args: string[], ptid: number): ScapThreadInfo {
  return {
    tid,
    pid: tid,
    ptid,
    comm,
    exe,
    exepath: exe,
    args,
    cwd: '/home/dev',
    fdlimit: 1024,
    flags: 0,
    uid: 1000,
    gid: 1000,
    sid: tid,
    vpgid: tid,
    vtid: tid,
    vpid: tid,
    env: [],
    cgroups: [],
    loginuid: 1000,
    exeWritable: false,
    capInheritable: 0n,
    capPermitted: 0n,
    capEffective: 0n,
  };
}

/** The sample's blocks, in file order. */
export function sampleBlocks(): PcapngBlock[] {
  const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n';
  const response = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const tuple: ScapSockTuple = {
    family: 'inet',
    sip: CLIENT.ip,
    sport: CLIENT.port,
    dip: SERVER.ip,
    dport: SERVER.port,
  };
  const sockaddr: ScapSockAddr = { family: 'inet', addr: SERVER.ip, port: SERVER.port };
  const blocks: PcapngBlock[] = [
    {
      type: 'SHB',
      littleEndian: true,
      majorVersion: 1,
      minorVersion: 0,
      sectionLength: -1n,
      options: [makeOption('SHB', 'shb_userappl', 'sysray examples/logray-mixed-pcapng')],
    },
    {
      type: 'IDB',
      linkType: 1,
      snapLength: 262_144,
      options: [makeOption('IDB', 'if_name', 'lo'), makeOption('IDB', 'if_tsresol', 9)],
    },
    rawBlock(
      encodeMachineInfoBlock({
        numCpus: 2,
        memorySizeBytes: 1 << 30,
        maxPid: 4_194_304,
        hostname: 'dev-box',
        extra: [],
      }),
    ),
    rawBlock(
      encodeProcessListBlock([
        thread(4100, 'node', '/usr/bin/node', ['server.js'], 1),
        thread(4242, 'curl', '/usr/bin/curl', ['-s', 'http://127.0.0.1:8080/'], 4000),
      ]),
    ),
  ];
  let ts = T0;
  const next = () => {
    ts += 25_000n;
    return ts;
  };
  const packet = (frame: Uint8Array): PcapngBlock => ({
    type: 'EPB',
    interfaceId: 0,
    timestamp: next(),
    capturedLength: frame.length,
    originalLength: frame.length,
    data: frame,
    options: [],
  });
  const ev = (name: string, dir: '>' | '<', tid: number, params: Record<string, ScapParamInput>) =>
    eventBlock(name, dir, next(), tid, params);
  const c = 1000;
  const s = 5000;
  const req = new TextEncoder().encode(request);
  const res = new TextEncoder().encode(response);
  blocks.push(
    ev('socket', '<', 4242, { fd: 5, domain: 2, type: 1, proto: 0 }),
    ev('connect', '>', 4242, { fd: 5, addr: sockaddr }),
    packet(tcpFrame(CLIENT, SERVER, SYN, c, 0)),
    packet(tcpFrame(SERVER, CLIENT, SYN | ACK, s, c + 1)),
    packet(tcpFrame(CLIENT, SERVER, ACK, c + 1, s + 1)),
    ev('connect', '<', 4242, { res: 0, tuple, fd: 5, addr: sockaddr }),
    ev('accept4', '<', 4100, { fd: 7, tuple, queuepct: 0, queuelen: 0, queuemax: 128, flags: 0 }),
    ev('sendto', '<', 4242, { res: req.length, data: req, fd: 5, size: req.length, tuple }),
    packet(tcpFrame(CLIENT, SERVER, PSH_ACK, c + 1, s + 1, request)),
    ev('read', '<', 4100, { res: req.length, data: req, fd: 7, size: 65_536 }),
    ev('write', '<', 4100, { res: res.length, data: res, fd: 7, size: res.length }),
    packet(tcpFrame(SERVER, CLIENT, PSH_ACK, s + 1, c + 1 + req.length, response)),
    ev('recvfrom', '<', 4242, { res: res.length, data: res, tuple, fd: 5, size: 102_400 }),
    ev('close', '<', 4242, { res: 0, fd: 5 }),
    packet(tcpFrame(CLIENT, SERVER, FIN_ACK, c + 1 + req.length, s + 1 + res.length)),
    packet(tcpFrame(SERVER, CLIENT, FIN_ACK, s + 1 + res.length, c + 2 + req.length)),
    packet(tcpFrame(CLIENT, SERVER, ACK, c + 2 + req.length, s + 2 + res.length)),
  );
  return blocks;
}

/** The sample as file bytes. */
export function samplePcapng(): Uint8Array {
  return concatBytes([writePcapngSync(sampleBlocks())]);
}
