import {
  type BodyRef,
  encodeFdListBlock,
  encodeInterfaceListBlock,
  encodeMachineInfoBlock,
  encodeProcessListBlock,
  encodeUserListBlock,
  parseFdList,
  parseInterfaceList,
  parseMachineInfo,
  parseProcessList,
  parseUserList,
  readScapSync,
  ScapBlockType,
  ScapFdType,
} from '@sysray/pcapng/scap';
import { describe, expect, test } from 'vitest';
import { capture } from './build.js';
import { captureFiles, plainBytes } from './helpers.js';

function body(block: Uint8Array): BodyRef {
  return {
    view: new DataView(block.buffer, block.byteOffset, block.byteLength),
    bytes: block,
    bodyOffset: 8,
    bodyLength: block.length - 12,
    littleEndian: true,
    base: 0,
  };
}

/** Re-encodes a parsed metadata block with this package's encoders (current versions only). */
function reencode(type: number, block: Uint8Array): Uint8Array | undefined {
  const b = body(block);
  switch (type) {
    case ScapBlockType.MI:
      return encodeMachineInfoBlock(parseMachineInfo(b));
    case ScapBlockType.PL_V9:
      return encodeProcessListBlock(parseProcessList(b, type));
    case ScapBlockType.FDL_V2: {
      const fds = parseFdList(b, type);
      const tid = Number(new DataView(block.buffer, block.byteOffset).getBigInt64(8, true));
      return encodeFdListBlock(tid, fds);
    }
    case ScapBlockType.IL_V2:
      return encodeInterfaceListBlock(parseInterfaceList(b, type));
    case ScapBlockType.UL_V2: {
      const { users, groups } = parseUserList(b, type);
      return encodeUserListBlock(users, groups);
    }
    default:
      return undefined;
  }
}

describe('metadata blocks', () => {
  test('every MI, PL v9, FDL v2, IL v2 and UL v2 block of the shared captures re-encodes to its own bytes', () => {
    const seen = new Map<number, number>();
    for (const file of captureFiles()) {
      const { batch } = readScapSync(plainBytes(file));
      for (const other of batch.others) {
        const again = reencode(other.blockType, other.bytes);
        if (!again) continue;
        seen.set(other.blockType, (seen.get(other.blockType) ?? 0) + 1);
        expect(Buffer.compare(Buffer.from(again), Buffer.from(other.bytes))).toBe(0);
      }
    }
    for (const t of [
      ScapBlockType.MI,
      ScapBlockType.PL_V9,
      ScapBlockType.FDL_V2,
      ScapBlockType.IL_V2,
      ScapBlockType.UL_V2,
    ])
      expect(seen.get(t) ?? 0).toBeGreaterThan(0);
  });

  test('encoded metadata reads back through the reader into the capture info', () => {
    const bytes = capture(
      encodeMachineInfoBlock({
        numCpus: 4,
        memorySizeBytes: 2 ** 33,
        maxPid: 32768,
        hostname: 'box',
        extra: [],
      }),
      encodeProcessListBlock([
        {
          tid: 10,
          pid: 10,
          ptid: 1,
          comm: 'sh',
          exe: '/bin/sh',
          args: ['-c', 'ls'],
          cwd: '/',
          fdlimit: 1024,
          flags: 0,
          uid: 0,
          gid: 0,
          loginuid: 1000,
        },
      ]),
      encodeFdListBlock(10, [
        { tid: 10, fd: 3, ino: 7, type: ScapFdType.FILE_V2, openFlags: 1, name: '/etc/hosts', dev: 0x803 },
        {
          tid: 10,
          fd: 4,
          ino: 0,
          type: ScapFdType.IPV6_SOCK,
          sip: '::1',
          dip: '2001:db8::2',
          sport: 1,
          dport: 443,
          l4proto: 6,
        },
      ]),
      encodeInterfaceListBlock([
        {
          family: 'ipv4',
          name: 'lo',
          addr: '127.0.0.1',
          netmask: '255.0.0.0',
          bcast: '127.0.0.1',
          linkspeed: 0,
        },
      ]),
      encodeUserListBlock(
        [{ uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/sh' }],
        [{ gid: 0, name: 'root' }],
      ),
    );
    const { info } = readScapSync(bytes);
    expect(info.machineInfo).toMatchObject({
      numCpus: 4,
      memorySizeBytes: 2 ** 33,
      maxPid: 32768,
      hostname: 'box',
    });
    expect(info.threads.get(10)).toMatchObject({
      comm: 'sh',
      exe: '/bin/sh',
      args: ['-c', 'ls'],
      loginuid: 1000,
    });
    expect(info.threads.get(10)?.capEffective).toBeUndefined();
    expect(info.fds).toEqual([
      { tid: 10, fd: 3, ino: 7, type: ScapFdType.FILE_V2, openFlags: 1, name: '/etc/hosts', dev: 0x803 },
      {
        tid: 10,
        fd: 4,
        ino: 0,
        type: ScapFdType.IPV6_SOCK,
        sip: '::1',
        dip: '2001:db8::2',
        sport: 1,
        dport: 443,
        l4proto: 6,
      },
    ]);
    expect(info.interfaces).toEqual([
      {
        family: 'ipv4',
        name: 'lo',
        addr: '127.0.0.1',
        netmask: '255.0.0.0',
        bcast: '127.0.0.1',
        linkspeed: 0,
      },
    ]);
    expect(info.users).toEqual([{ uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/sh' }]);
    expect(info.groups).toEqual([{ gid: 0, name: 'root' }]);
  });
});
