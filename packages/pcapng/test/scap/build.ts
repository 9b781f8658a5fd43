import {
  type EventBlockOptions,
  encodeEvent,
  encodeEventBlock,
  PT,
  type ScapEventSpec,
  type ScapParamInput,
  scapSectionHeader,
} from '@sysray/pcapng/scap';

/** A little-endian capture: a libscap section header followed by the given blocks. */
export function capture(...blocks: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat([scapSectionHeader(), ...blocks]));
}

/** One encoded event in its block. */
export function eventBlock(spec: ScapEventSpec, opts: EventBlockOptions = {}): Uint8Array {
  return encodeEventBlock(encodeEvent(spec), opts);
}

/** Sets a little-endian u32 / u16 inside a byte array (returns the array). */
export function poke32(b: Uint8Array, at: number, v: number): Uint8Array {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, v, true);
  return b;
}
export function poke16(b: Uint8Array, at: number, v: number): Uint8Array {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint16(at, v, true);
  return b;
}

/** A value of each parameter type, and what decoding it must give back. */
export function sample(type: number, i: number): { input: ScapParamInput; expected: unknown } {
  switch (type) {
    case PT.INT8:
      return { input: -5, expected: -5 };
    case PT.INT16:
      return { input: -300, expected: -300 };
    case PT.INT32:
      return { input: -70000 - i, expected: -70000 - i };
    case PT.UINT8:
    case PT.SIGTYPE:
    case PT.L4PROTO:
    case PT.SOCKFAMILY:
      return { input: 9, expected: 9 };
    case PT.UINT16:
    case PT.SYSCALLID:
    case PT.PORT:
      return { input: 4242, expected: 4242 };
    case PT.UINT32:
    case PT.UID:
    case PT.GID:
    case PT.SIGSET:
      return { input: 3000000000, expected: 3000000000 };
    case PT.INT64:
    case PT.ERRNO:
    case PT.FD:
    case PT.PID:
      return { input: -2 - i, expected: -2 - i };
    case PT.UINT64:
    case PT.RELTIME:
    case PT.ABSTIME:
      return { input: 2n ** 63n + BigInt(i), expected: 2n ** 63n + BigInt(i) };
    case PT.CHARBUF:
    case PT.FSPATH:
    case PT.FSRELPATH:
      return { input: `/tmp/é${i}`, expected: `/tmp/é${i}` };
    case PT.BYTEBUF:
      return { input: Uint8Array.of(0, 1, 2, 255, i & 255), expected: Uint8Array.of(0, 1, 2, 255, i & 255) };
    case PT.FLAGS8:
    case PT.ENUMFLAGS8:
      return { input: 1, expected: 1 };
    case PT.FLAGS16:
    case PT.ENUMFLAGS16:
      return { input: 2, expected: 2 };
    case PT.FLAGS32:
    case PT.ENUMFLAGS32:
    case PT.MODE:
      return { input: 3, expected: 3 };
    case PT.SOCKADDR:
      return {
        input: { family: 'inet6', addr: '2001:db8::1', port: 443 },
        expected: { family: 'inet6', addr: '2001:db8::1', port: 443 },
      };
    case PT.SOCKTUPLE:
      return {
        input: { family: 'inet', sip: '10.0.0.1', sport: 5555, dip: '10.0.0.2', dport: 80 },
        expected: { family: 'inet', sip: '10.0.0.1', sport: 5555, dip: '10.0.0.2', dport: 80 },
      };
    case PT.FDLIST:
      return {
        input: [
          { fd: 3, flags: 1 },
          { fd: 7, flags: 4 },
        ],
        expected: [
          { fd: 3, flags: 1 },
          { fd: 7, flags: 4 },
        ],
      };
    case PT.DYN:
      // Index 1 is ERRNO (sockopt, bpf) or SIGTYPE (ptrace): 9 fits both.
      return { input: { dynIndex: 1, value: 9 }, expected: 9 };
    case PT.IPV4ADDR:
      return { input: '10.1.2.3', expected: '10.1.2.3' };
    case PT.IPV6ADDR:
      return { input: '2001:db8::7', expected: '2001:db8::7' };
    case PT.CHARBUFARRAY:
    case PT.CHARBUF_PAIR_ARRAY:
      return { input: ['a', 'b'], expected: ['a', 'b'] };
    default:
      return { input: Uint8Array.of(1, 2, 3), expected: Uint8Array.of(1, 2, 3) };
  }
}
