import { PcapngError } from '@sysray/pcapng';
import { decodeParamValue, encodeParamValue, PT, paramText, type ScapParamInput } from '@sysray/pcapng/scap';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

function dec(type: number, bytes: Uint8Array, info?: string) {
  return decodeParamValue(
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    bytes,
    0,
    bytes.length,
    type,
    info,
    true,
    1000,
  );
}
function le(size: number, v: bigint): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  if (size === 8) dv.setBigUint64(0, BigInt.asUintN(64, v), true);
  else if (size === 4) dv.setUint32(0, Number(BigInt.asUintN(32, v)), true);
  else if (size === 2) dv.setUint16(0, Number(BigInt.asUintN(16, v)), true);
  else b[0] = Number(BigInt.asUintN(8, v));
  return b;
}

describe('parameter decoders', () => {
  test('integers decode by width and signedness; 64-bit values beyond 2^53 become bigints', () => {
    expect(dec(PT.INT8, Uint8Array.of(0xff))).toBe(-1);
    expect(dec(PT.UINT8, Uint8Array.of(0xff))).toBe(255);
    expect(dec(PT.INT16, le(2, -2n))).toBe(-2);
    expect(dec(PT.UINT16, le(2, 65535n))).toBe(65535);
    expect(dec(PT.INT32, le(4, -7n))).toBe(-7);
    expect(dec(PT.UINT32, le(4, 4294967295n))).toBe(4294967295);
    expect(dec(PT.INT64, le(8, -(2n ** 40n)))).toBe(-(2 ** 40));
    expect(dec(PT.UINT64, le(8, 2n ** 64n - 1n))).toBe(2n ** 64n - 1n);
    expect(dec(PT.INT64, le(8, -(2n ** 60n)))).toBe(-(2n ** 60n));
    expect(dec(PT.ERRNO, le(8, -2n))).toBe(-2);
    expect(dec(PT.FD, le(8, -100n))).toBe(-100);
    expect(dec(PT.PID, le(8, 31337n))).toBe(31337);
    expect(dec(PT.UID, le(4, 0xffffffffn))).toBe(0xffffffff);
    expect(dec(PT.RELTIME, le(8, 1500000000n))).toBe(1500000000);
    expect(dec(PT.ABSTIME, le(8, 1700000000123456789n))).toBe(1700000000123456789n);
    expect(dec(PT.BOOL, le(4, 1n))).toBe(true);
    expect(dec(PT.SYSCALLID, le(2, 59n))).toBe(59);
    expect(dec(PT.SIGTYPE, Uint8Array.of(9))).toBe(9);
  });

  test('flags and enums carry their symbolic names', () => {
    expect(dec(PT.FLAGS32, le(4, 3n | 4096n), 'file_flags')).toEqual({
      value: 4099,
      names: ['O_RDWR', 'O_CLOEXEC'],
    });
    expect(dec(PT.ENUMFLAGS32, le(4, 2n), 'socket_families')).toEqual({ value: 2, names: ['AF_INET'] });
    expect(dec(PT.ENUMFLAGS8, Uint8Array.of(2), 'lseek_whence')).toEqual({ value: 2, names: ['SEEK_END'] });
    expect(dec(PT.MODE, le(4, 0o644n), 'chmod_mode')).toEqual({
      value: 0o644,
      names: ['S_IROTH', 'S_IRGRP', 'S_IWUSR', 'S_IRUSR'],
    });
    expect(dec(PT.FLAGS32, le(4, 4n), 'io_uring_enter_flags')).toEqual({
      value: 4,
      names: ['IORING_ENTER_SQ_WAIT'],
    });
    expect(dec(PT.ENUMFLAGS32, le(4, 44n), 'socket_families')).toEqual({ value: 44, names: [] });
  });

  test('char buffers stop at the NUL, byte buffers are views', () => {
    expect(dec(PT.CHARBUF, new TextEncoder().encode('/etc/hosts\0'))).toBe('/etc/hosts');
    expect(dec(PT.FSPATH, new TextEncoder().encode('/tmp/ünï\0junk'))).toBe('/tmp/ünï');
    const bytes = Uint8Array.of(1, 2, 3);
    const v = dec(PT.BYTEBUF, bytes) as Uint8Array;
    expect(v).toEqual(bytes);
    expect(v.buffer).toBe(bytes.buffer);
  });

  test('sockaddr and socket tuples decode IPv4, IPv6 and unix endpoints', () => {
    expect(dec(PT.SOCKADDR, Uint8Array.of(2, 127, 0, 0, 1, 0x50, 0))).toEqual({
      family: 'inet',
      addr: '127.0.0.1',
      port: 80,
    });
    const v6 = encodeParamValue(PT.SOCKADDR, { family: 'inet6', addr: '::ffff:10.1.2.3', port: 8080 });
    expect(v6.length).toBe(19);
    expect(dec(PT.SOCKADDR, v6)).toEqual({ family: 'inet6', addr: '::ffff:10.1.2.3', port: 8080 });
    expect(dec(PT.SOCKADDR, new Uint8Array([1, ...new TextEncoder().encode('/run/x.sock'), 0]))).toEqual({
      family: 'unix',
      path: '/run/x.sock',
    });
    const t6 = encodeParamValue(PT.SOCKTUPLE, {
      family: 'inet6',
      sip: 'fe80::1',
      sport: 1,
      dip: '2001:db8:0:0:1::2',
      dport: 2,
    });
    expect(t6.length).toBe(37);
    expect(dec(PT.SOCKTUPLE, t6)).toEqual({
      family: 'inet6',
      sip: 'fe80::1',
      sport: 1,
      dip: '2001:db8::1:0:0:2',
      dport: 2,
    });
    const tu = encodeParamValue(PT.SOCKTUPLE, {
      family: 'unix',
      source: 'ffff8880aa',
      dest: '0',
      path: '@abstract',
    });
    expect(dec(PT.SOCKTUPLE, tu)).toEqual({
      family: 'unix',
      source: 'ffff8880aa',
      dest: '0',
      path: '@abstract',
    });
    expect(dec(PT.SOCKADDR, Uint8Array.of(16, 9, 9))).toEqual({ family: 16, data: Uint8Array.of(9, 9) });
  });

  test('fd lists, dynamic params and string arrays decode', () => {
    const fds = encodeParamValue(PT.FDLIST, [
      { fd: 0, flags: 1 },
      { fd: 5, flags: 0x11 },
    ]);
    expect(fds.length).toBe(2 + 2 * 10);
    expect(dec(PT.FDLIST, fds)).toEqual([
      { fd: 0, flags: 1 },
      { fd: 5, flags: 0x11 },
    ]);
    expect(dec(PT.DYN, Uint8Array.of(1, 9), 'ptrace_dynamic_param')).toBe(9);
    expect(
      dec(
        PT.DYN,
        encodeParamValue(PT.DYN, { dynIndex: 0, value: 7 }, 'bpf_dynamic_param'),
        'bpf_dynamic_param',
      ),
    ).toBe(7);
    expect(dec(PT.CHARBUFARRAY, new TextEncoder().encode('a\0bc\0'))).toEqual(['a', 'bc']);
    expect(dec(PT.IPV4ADDR, Uint8Array.of(192, 168, 1, 2))).toBe('192.168.1.2');
  });

  test('an empty parameter decodes to null; a length that does not fit its type is a typed error with its offset', () => {
    expect(dec(PT.INT64, new Uint8Array(0))).toBeNull();
    expect(dec(PT.CHARBUF, new Uint8Array(0))).toBe('');
    let err: unknown;
    try {
      dec(PT.INT32, Uint8Array.of(1, 2, 3));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PcapngError);
    expect((err as PcapngError).code).toBe('SCAP_BAD_EVENT');
    expect((err as PcapngError).offset).toBe(1000);
    expect(() => dec(PT.FDLIST, Uint8Array.of(5, 0, 1))).toThrow(PcapngError);
    expect(() => dec(PT.SOCKADDR, new Uint8Array(0))).not.toThrow();
  });

  test('text rendering follows sysdig: errno names, flag names, signals, tuples', () => {
    const info = (type: number, fmt = 1) => ({
      name: 'x',
      type,
      typeName: '',
      fmt,
      flagTable: undefined,
      dynamicTable: undefined,
      dirfdParam: undefined,
    });
    expect(paramText(-2, info(PT.ERRNO))).toBe('-2(ENOENT)');
    expect(paramText(3, info(PT.ERRNO))).toBe('3');
    expect(paramText(9, info(PT.SIGTYPE))).toBe('9(SIGKILL)');
    expect(paramText({ value: 4097, names: ['O_RDONLY', 'O_CLOEXEC'] }, info(PT.FLAGS32, 2))).toBe(
      '4097(O_RDONLY|O_CLOEXEC)',
    );
    expect(paramText(0, info(PT.UINT32, 6))).toBe('0');
    expect(paramText(0o755, info(PT.UINT32, 6))).toBe('0755');
    expect(paramText(255, info(PT.UINT64, 2))).toBe('FF');
    expect(
      paramText({ family: 'inet', sip: '1.2.3.4', sport: 5, dip: '6.7.8.9', dport: 80 }, info(PT.SOCKTUPLE)),
    ).toBe('1.2.3.4:5->6.7.8.9:80');
    expect(paramText(Uint8Array.of(0x41, 0, 0x42), info(PT.BYTEBUF))).toBe('A.B');
  });

  test('encoding then decoding gives the value back for every integer width (property)', () => {
    const cases: [number, fc.Arbitrary<ScapParamInput>, (v: ScapParamInput) => unknown][] = [
      [PT.INT8, fc.integer({ min: -128, max: 127 }), (v) => v],
      [PT.UINT16, fc.integer({ min: 0, max: 65535 }), (v) => v],
      [PT.INT32, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => v],
      [PT.UINT32, fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => v],
      [
        PT.INT64,
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (v) => ((v as bigint) >= -(2n ** 53n) && (v as bigint) <= 2n ** 53n ? Number(v) : v),
      ],
      [PT.CHARBUF, fc.string().filter((s) => !s.includes('\0')), (v) => v],
    ];
    for (const [type, arb, expected] of cases) {
      fc.assert(
        fc.property(arb, (v) => {
          const got = dec(type, encodeParamValue(type, v));
          const want = expected(v);
          if (typeof got === 'number' && typeof want === 'number')
            return got === want || (Number.isNaN(got) && Number.isNaN(want));
          return got === want || (typeof got === 'bigint' && got === want);
        }),
        { seed: 42, numRuns: 300 },
      );
    }
  });

  test('encoding rejects values that do not fit their type with SCAP_ENCODE', () => {
    expect(() => encodeParamValue(PT.SOCKADDR, { family: 'inet', addr: '300.1.1.1', port: 1 })).toThrow(
      /IPv4/,
    );
    expect(() => encodeParamValue(PT.CHARBUF, 5)).toThrow(PcapngError);
    expect(() => encodeParamValue(PT.IPV6ADDR, '1::2::3')).toThrow(PcapngError);
  });
});
