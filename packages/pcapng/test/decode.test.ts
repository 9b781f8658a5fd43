import {
  BlockEncoder,
  type DecryptionSecretsBlock,
  type EnhancedPacketBlock,
  type InterfaceDescriptionBlock,
  type InterfaceStatisticsBlock,
  type NameResolutionBlock,
  type PacketBlock,
  type PcapngBlock,
  readPcapngSync,
  type SectionHeaderBlock,
  type SimplePacketBlock,
  writePcapngSync,
} from '@sysray/pcapng/sync';
import { describe, expect, it } from 'vitest';
import { concat, hexBytes, Raw, text } from './helpers/build.js';

function decodeAll(bytes: Uint8Array): PcapngBlock[] {
  return [...readPcapngSync(bytes)];
}

/** Encodes blocks as one file with a fresh encoder (the writer under test). */
function encodeAll(blocks: PcapngBlock[]): Uint8Array {
  const encoder = new BlockEncoder();
  return concat(...blocks.map((b) => encoder.encode(b)));
}

const payload = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

for (const le of [true, false]) {
  const order = le ? 'little-endian' : 'big-endian';
  const r = new Raw(le);

  describe(`${order} sections`, () => {
    it('reads SHB version 1.0 with section length -1 and every SHB option, comments repeated, custom options', () => {
      const bytes = r.shb([
        r.opt(1, text('first comment')),
        r.opt(2, text('x86_64 box')),
        r.opt(3, text('Linux 6.1')),
        r.opt(4, text('sysray test')),
        r.opt(1, text('second comment')),
        r.opt(2988, concat(r.u32(32473), text('custom text'))),
        r.opt(2989, concat(r.u32(32473), hexBytes('deadbeef01'))),
        r.opt(19372, concat(r.u32(12345), text('no copy'))),
        r.opt(19373, concat(r.u32(12345), hexBytes('0102'))),
        r.opt(0x7ff0, hexBytes('aabbcc')),
        r.end(),
      ]);
      const [shb] = decodeAll(bytes) as [SectionHeaderBlock];
      expect(shb).toMatchObject({
        type: 'SHB',
        littleEndian: le,
        majorVersion: 1,
        minorVersion: 0,
        sectionLength: -1n,
      });
      expect(shb.options.map((o) => [o.code, o.name])).toEqual([
        [1, 'opt_comment'],
        [2, 'shb_hardware'],
        [3, 'shb_os'],
        [4, 'shb_userappl'],
        [1, 'opt_comment'],
        [2988, 'opt_custom_str'],
        [2989, 'opt_custom_bin'],
        [19372, 'opt_custom_str_nocopy'],
        [19373, 'opt_custom_bin_nocopy'],
        [0x7ff0, `opt_${0x7ff0}`],
      ]);
      expect(shb.options.map((o) => o.value)).toEqual([
        'first comment',
        'x86_64 box',
        'Linux 6.1',
        'sysray test',
        'second comment',
        { pen: 32473, data: 'custom text' },
        { pen: 32473, data: hexBytes('deadbeef01') },
        { pen: 12345, data: 'no copy' },
        { pen: 12345, data: hexBytes('0102') },
        hexBytes('aabbcc'),
      ]);
      expect(encodeAll([shb])).toEqual(bytes);
    });

    it('reads SHB version 1.2 with a real section length, and a section of SHB alone', () => {
      const idb = r.idb(1, 0);
      const shb = r.shb([], 1, 2, BigInt(idb.length));
      const blocks = decodeAll(concat(shb, idb));
      expect(blocks[0]).toMatchObject({
        type: 'SHB',
        majorVersion: 1,
        minorVersion: 2,
        sectionLength: BigInt(idb.length),
      });
      expect(blocks[0]!.offset).toBe(0);
      expect(blocks[1]).toMatchObject({ type: 'IDB', offset: shb.length, index: 1, section: 0 });
      expect(encodeAll(blocks)).toEqual(concat(shb, idb));
      expect(decodeAll(shb)).toHaveLength(1);
    });

    it('reads every IDB option with its draft layout, repeated addresses and unknown codes', () => {
      const options = [
        r.opt(2, text('eth0')),
        r.opt(3, text('uplink')),
        r.opt(4, hexBytes('c0a80001 ffffff00')),
        r.opt(4, hexBytes('0a000001 ff000000')),
        r.opt(5, hexBytes('20010db8000000000000000000000001 40')),
        r.opt(6, hexBytes('00005e005301')),
        r.opt(7, hexBytes('02005efffe005301')),
        r.opt(8, r.u64(10_000_000_000n)),
        r.opt(9, r.u8(9)),
        r.opt(10, r.u32(3600)),
        r.opt(11, concat(r.u8(0), text('tcp port 80'))),
        r.opt(12, text('Linux')),
        r.opt(13, r.u8(4)),
        r.opt(14, r.i64(-3600n)),
        r.opt(15, text('Intel X710')),
        r.opt(16, r.u64(1_000_000_000n)),
        r.opt(17, r.u64(2_500_000_000n)),
        r.opt(18, text('Europe/Paris')),
        r.opt(1, text('c1')),
        r.opt(1, text('c2')),
        r.opt(0x1234, hexBytes('01')),
        r.end(),
      ];
      const bytes = concat(r.shb(), r.idb(228, 65535, options));
      const idb = decodeAll(bytes)[1] as InterfaceDescriptionBlock;
      expect(idb).toMatchObject({ type: 'IDB', linkType: 228, snapLength: 65535 });
      expect(
        Object.fromEntries(
          idb.options.filter((o) => o.code !== 4 && o.code !== 1).map((o) => [o.name, o.value]),
        ),
      ).toEqual({
        if_name: 'eth0',
        if_description: 'uplink',
        if_IPv6addr: { address: '2001:db8::1', prefixLength: 64 },
        if_MACaddr: '00:00:5e:00:53:01',
        if_EUIaddr: '02:00:5e:ff:fe:00:53:01',
        if_speed: 10_000_000_000n,
        if_tsresol: 9,
        if_tzone: 3600,
        if_filter: { type: 0, data: text('tcp port 80') },
        if_os: 'Linux',
        if_fcslen: 4,
        if_tsoffset: -3600n,
        if_hardware: 'Intel X710',
        if_txspeed: 1_000_000_000n,
        if_rxspeed: 2_500_000_000n,
        if_iana_tzname: 'Europe/Paris',
        [`opt_${0x1234}`]: hexBytes('01'),
      });
      expect(idb.options.filter((o) => o.code === 4).map((o) => o.value)).toEqual([
        { address: '192.168.0.1', netmask: '255.255.255.0' },
        { address: '10.0.0.1', netmask: '255.0.0.0' },
      ]);
      expect(idb.options.filter((o) => o.code === 1).map((o) => o.value)).toEqual(['c1', 'c2']);
      expect(encodeAll(decodeAll(bytes))).toEqual(bytes);
    });

    it('resolves EPB/ISB/PB timestamps to ns per interface: default µs, decimal and binary if_tsresol, if_tsoffset', () => {
      const bytes = concat(
        r.shb(),
        r.idb(1, 0), // 0: default 10^-6
        r.idb(1, 0, [r.opt(9, r.u8(9)), r.end()]), // 1: ns
        r.idb(1, 0, [r.opt(9, r.u8(3)), r.opt(14, r.i64(1_000_000_000n)), r.end()]), // 2: ms + offset
        r.idb(1, 0, [r.opt(9, r.u8(0x80 | 20)), r.end()]), // 3: 2^-20 s
        r.idb(1, 0, [r.opt(9, r.u8(0x80 | 10)), r.opt(14, r.i64(-5n)), r.end()]), // 4: 2^-10 s, -5 s
        r.epb(0, 1_700_000_000_123_456n, payload(3)),
        r.epb(1, 1_700_000_000_123_456_789n, payload(3)),
        r.epb(2, 700_000_000_123n, payload(3)),
        r.epb(3, (1_700_000_000n << 20n) + (1n << 19n) + (1n << 18n), payload(3)),
        r.epb(4, (100n << 10n) + 512n, payload(3)),
        r.block(2, r.u16(3), r.u16(7), r.ts((5n << 20n) + 1n), r.u32(2), r.u32(9), payload(2)),
        r.block(5, r.u32(1), r.ts(42n)),
      );
      const blocks = decodeAll(bytes);
      const stamps = blocks.filter((b) => 'timestamp' in b).map((b) => (b as EnhancedPacketBlock).timestamp);
      expect(stamps).toEqual([
        1_700_000_000_123_456_000n,
        1_700_000_000_123_456_789n,
        1_700_000_000_123_000_000n,
        1_700_000_000_750_000_000n,
        95_500_000_000n,
        // 2^-20 s is 953.67431640625 ns: one tick past 5 s truncates to 953 ns.
        5_000_000_953n,
        42n,
      ]);
      const pb = blocks[11] as PacketBlock;
      expect(pb).toMatchObject({
        type: 'PB',
        interfaceId: 3,
        dropsCount: 7,
        capturedLength: 2,
        originalLength: 9,
      });
      expect(pb.ticks).toBe((5n << 20n) + 1n);
      expect(encodeAll(blocks)).toEqual(bytes);
      // Given only nanoseconds, the writer stores ticks in each interface's resolution.
      const fromNs = blocks.map((b) =>
        b.type === 'EPB' || b.type === 'PB' || b.type === 'ISB' ? { ...b, ticks: undefined } : b,
      );
      expect(encodeAll(fromNs as PcapngBlock[])).toEqual(bytes);
    });

    it('reads EPB fields, padded data and every EPB option', () => {
      const data = payload(61);
      const bytes = concat(
        r.shb(),
        r.idb(1, 0),
        r.epb(0, 1234n, data, 1500, [
          r.opt(2, r.u32(0x1)),
          r.opt(3, concat(r.u8(2), hexBytes('0011223344556677'))),
          r.opt(4, r.u64(17n)),
          r.opt(5, r.u64(0x0102030405060708n)),
          r.opt(6, r.u32(3)),
          r.opt(7, concat(r.u8(1), hexBytes('aa'))),
          r.opt(7, concat(r.u8(2), hexBytes('bbcc'))),
          r.opt(8, concat(r.u32(4242), r.u32(4343))),
          r.opt(1, text('packet comment')),
          r.end(),
        ]),
      );
      const epb = decodeAll(bytes)[2] as EnhancedPacketBlock;
      expect(epb).toMatchObject({
        type: 'EPB',
        interfaceId: 0,
        capturedLength: 61,
        originalLength: 1500,
        ticks: 1234n,
        timestamp: 1_234_000n,
      });
      expect(epb.data).toEqual(data);
      expect(epb.options.map((o) => [o.name, o.value])).toEqual([
        ['epb_flags', 1],
        ['epb_hash', { type: 2, data: hexBytes('0011223344556677') }],
        ['epb_dropcount', 17n],
        ['epb_packetid', 0x0102030405060708n],
        ['epb_queue', 3],
        ['epb_verdict', { type: 1, data: hexBytes('aa') }],
        ['epb_verdict', { type: 2, data: hexBytes('bbcc') }],
        ['epb_processid_threadid', { first: 4242, second: 4343 }],
        ['opt_comment', 'packet comment'],
      ]);
      expect(encodeAll(decodeAll(bytes))).toEqual(bytes);
    });

    it('reads SPBs: interface 0, captured length min(original, snaplen, room)', () => {
      const bytes = concat(
        r.shb(),
        r.idb(1, 10),
        r.block(3, r.u32(7), payload(7)),
        r.block(3, r.u32(100), payload(10)), // snaplen 10 cuts it
      );
      const [, , a, b] = decodeAll(bytes) as SimplePacketBlock[];
      expect(a).toMatchObject({ type: 'SPB', interfaceId: 0, originalLength: 7, capturedLength: 7 });
      expect(a!.data).toEqual(payload(7));
      expect(b).toMatchObject({ originalLength: 100, capturedLength: 10 });
      expect(b!.data).toEqual(payload(10));
      expect(encodeAll(decodeAll(bytes))).toEqual(bytes);
    });

    it('reads the obsolete Packet Block with pack_flags and pack_hash', () => {
      const bytes = concat(
        r.shb(),
        r.idb(1, 0),
        r.idb(1, 0),
        r.block(
          2,
          r.u16(1),
          r.u16(65535),
          r.ts(99n),
          r.u32(5),
          r.u32(5),
          payload(5),
          new Uint8Array(3),
          r.opt(2, r.u32(2)),
          r.opt(3, concat(r.u8(3), hexBytes('01020304'))),
          r.end(),
        ),
      );
      const pb = decodeAll(bytes)[3] as PacketBlock;
      expect(pb).toMatchObject({
        type: 'PB',
        interfaceId: 1,
        dropsCount: 65535,
        timestamp: 99_000n,
        capturedLength: 5,
      });
      expect(pb.options.map((o) => [o.name, o.value])).toEqual([
        ['pack_flags', 2],
        ['pack_hash', { type: 3, data: hexBytes('01020304') }],
      ]);
      expect(encodeAll(decodeAll(bytes))).toEqual(bytes);
    });

    it('reads every NRB record type (ipv4, ipv6, eui48, eui64, unknown) with several names, and NRB options', () => {
      const rec = (type: number, value: Uint8Array) => {
        const padded = concat(value, new Uint8Array((4 - (value.length % 4)) % 4));
        return concat(r.u16(type), r.u16(value.length), padded);
      };
      const bytes = concat(
        r.shb(),
        r.block(
          4,
          rec(1, concat(hexBytes('c0000201'), text('a.example\0b.example\0'))),
          rec(2, concat(hexBytes('20010db8000000000000000000000042'), text('v6.example\0'))),
          rec(3, concat(hexBytes('00005e005302'), text('mac48\0'))),
          rec(4, concat(hexBytes('02005efffe005302'), text('eui64\0'))),
          rec(99, hexBytes('0102030405')),
          r.u32(0),
          r.opt(2, text('dns.example')),
          r.opt(3, hexBytes('c0000235')),
          r.opt(4, hexBytes('20010db8000000000000000000000053')),
          r.end(),
        ),
      );
      const nrb = decodeAll(bytes)[1] as NameResolutionBlock;
      expect(nrb.records).toEqual([
        { type: 'ipv4', address: '192.0.2.1', names: ['a.example', 'b.example'] },
        { type: 'ipv6', address: '2001:db8::42', names: ['v6.example'] },
        { type: 'eui48', address: '00:00:5e:00:53:02', names: ['mac48'] },
        { type: 'eui64', address: '02:00:5e:ff:fe:00:53:02', names: ['eui64'] },
        { type: 'unknown', recordType: 99, value: hexBytes('0102030405') },
      ]);
      expect(nrb.options.map((o) => [o.name, o.value])).toEqual([
        ['ns_dnsname', 'dns.example'],
        ['ns_dnsIP4addr', '192.0.2.53'],
        ['ns_dnsIP6addr', '2001:db8::53'],
      ]);
      expect(encodeAll(decodeAll(bytes))).toEqual(bytes);
    });

    it('reads every ISB option, with timestamps in ticks of the interface', () => {
      const bytes = concat(
        r.shb(),
        r.idb(1, 0, [r.opt(9, r.u8(9)), r.end()]),
        r.block(
          5,
          r.u32(0),
          r.ts(5_000_000_000n),
          r.opt(2, r.ts(1_000_000_000n)),
          r.opt(3, r.ts(4_000_000_000n)),
          r.opt(4, r.u64(100n)),
          r.opt(5, r.u64(1n)),
          r.opt(6, r.u64(90n)),
          r.opt(7, r.u64(2n)),
          r.opt(8, r.u64(88n)),
          r.opt(1, text('stats')),
          r.end(),
        ),
      );
      const isb = decodeAll(bytes)[2] as InterfaceStatisticsBlock;
      expect(isb).toMatchObject({ type: 'ISB', interfaceId: 0, timestamp: 5_000_000_000n });
      expect(Object.fromEntries(isb.options.map((o) => [o.name, o.value]))).toEqual({
        isb_starttime: 1_000_000_000n,
        isb_endtime: 4_000_000_000n,
        isb_ifrecv: 100n,
        isb_ifdrop: 1n,
        isb_filteraccept: 90n,
        isb_osdrop: 2n,
        isb_usrdeliv: 88n,
        opt_comment: 'stats',
      });
      expect(encodeAll(decodeAll(bytes))).toEqual(bytes);
    });

    it('reads a Decryption Secrets Block with its secrets and a comment', () => {
      const secrets = text('CLIENT_RANDOM 00 11\n');
      const bytes = concat(
        r.shb(),
        r.block(10, r.u32(0x544c534b), r.u32(secrets.length), secrets, r.opt(1, text('keys')), r.end()),
      );
      const dsb = decodeAll(bytes)[1] as DecryptionSecretsBlock;
      expect(dsb).toMatchObject({ type: 'DSB', secretsType: 0x544c534b });
      expect(dsb.data).toEqual(secrets);
      expect(dsb.options).toEqual([{ code: 1, name: 'opt_comment', value: 'keys' }]);
      expect(encodeAll(decodeAll(bytes))).toEqual(bytes);
    });

    it('reads custom blocks 0x0BAD and 0x40000BAD with their PEN and keeps unknown block types opaque', () => {
      const body = hexBytes('0102030405060708');
      const bytes = concat(
        r.shb(),
        r.block(0x0bad, r.u32(32473), body),
        r.block(0x40000bad, r.u32(19999), hexBytes('ff00ff00')),
        r.block(0x0c0ffee0, hexBytes('cafebabe 00000001')),
      );
      const [, cb, dcb, unknown] = decodeAll(bytes);
      expect(cb).toMatchObject({ type: 'CB', pen: 32473, data: body });
      expect(dcb).toMatchObject({ type: 'DCB', pen: 19999, data: hexBytes('ff00ff00') });
      expect(unknown).toMatchObject({
        type: 'UNKNOWN',
        blockType: 0x0c0ffee0,
        body: hexBytes('cafebabe00000001'),
        littleEndian: le,
      });
      expect(writePcapngSync(decodeAll(bytes))).toEqual(bytes);
    });

    it('keeps a block with options but no opt_endofopt, and bytes after opt_endofopt, byte for byte', () => {
      const bytes = concat(
        r.shb([r.opt(1, text('no end'))]),
        r.idb(1, 0, [r.opt(2, text('x')), r.end(), hexBytes('abababab')]),
      );
      const blocks = decodeAll(bytes);
      expect(blocks[0]).toMatchObject({ optionsTerminated: false });
      expect((blocks[1] as InterfaceDescriptionBlock).trailingBytes).toEqual(hexBytes('abababab'));
      expect(writePcapngSync(blocks)).toEqual(bytes);
    });
  });
}

describe('sections of different byte order in one file', () => {
  it('switches byte order at each SHB and resets the interface table', () => {
    const le = new Raw(true);
    const be = new Raw(false);
    const bytes = concat(
      le.shb(),
      le.idb(1, 0),
      le.idb(1, 0),
      le.epb(1, 1n, payload(4)),
      be.shb(),
      be.idb(105, 0, [be.opt(9, be.u8(9)), be.end()]),
      be.epb(0, 7n, payload(4)),
    );
    const blocks = decodeAll(bytes);
    expect(blocks.map((b) => [b.type, b.section])).toEqual([
      ['SHB', 0],
      ['IDB', 0],
      ['IDB', 0],
      ['EPB', 0],
      ['SHB', 1],
      ['IDB', 1],
      ['EPB', 1],
    ]);
    expect(blocks[4]).toMatchObject({ littleEndian: false });
    expect(blocks[5]).toMatchObject({ linkType: 105 });
    expect((blocks[6] as EnhancedPacketBlock).timestamp).toBe(7n);
    expect(writePcapngSync(blocks)).toEqual(bytes);
    // The second section describes one interface: interface 1 there is an error.
    const bad = concat(bytes, be.epb(1, 1n, payload(1)));
    expect(() => decodeAll(bad)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_INTERFACE', blockIndex: 7 }),
    );
  });

  it('writes a default little-endian SHB before a first block that is not one', () => {
    const bytes = writePcapngSync([{ type: 'IDB', linkType: 1, snapLength: 0, options: [] }]);
    const le = new Raw(true);
    expect(bytes).toEqual(concat(le.shb(), le.idb(1, 0)));
  });

  it('keeps non-UTF-8 option text, IDB reserved bits and NRB names without NUL as bytes, and writes them back', () => {
    const r = new Raw(true);
    const nrb = r.block(4, r.u16(1), r.u16(7), hexBytes('c0000201 616263 00'), r.u32(0));
    const idb = r.block(1, r.u16(1), r.u16(0xbeef), r.u32(0), r.opt(2, hexBytes('ff fe 41')), r.end());
    const bytes = concat(r.shb(), idb, nrb);
    const blocks = decodeAll(bytes);
    expect(blocks[1]).toMatchObject({ type: 'IDB', reserved: 0xbeef });
    expect((blocks[1] as InterfaceDescriptionBlock).options[0]!.value).toEqual(hexBytes('fffe41'));
    expect((blocks[2] as NameResolutionBlock).records).toEqual([
      { type: 'unknown', recordType: 1, value: hexBytes('c0000201616263') },
    ]);
    expect(writePcapngSync(blocks)).toEqual(bytes);
  });
});
