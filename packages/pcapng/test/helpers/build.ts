/**
 * Hand-built pcapng bytes, written field by field from the draft's layouts without the package's
 * encoder, so decoder tests have an independent source of truth (and encoder tests a target).
 */

const utf8 = new TextEncoder();

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function text(s: string): Uint8Array {
  return utf8.encode(s);
}

export function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/[^0-9a-f]/gi, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const pad = (bytes: Uint8Array) => concat(bytes, new Uint8Array((4 - (bytes.length % 4)) % 4));

/** Field writers in one byte order. */
export class Raw {
  constructor(readonly le: boolean) {}

  u8(n: number): Uint8Array {
    return Uint8Array.of(n);
  }
  u16(n: number): Uint8Array {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, n, this.le);
    return b;
  }
  u32(n: number): Uint8Array {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0, this.le);
    return b;
  }
  u64(n: bigint): Uint8Array {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, n), this.le);
    return b;
  }
  i64(n: bigint): Uint8Array {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, n, this.le);
    return b;
  }
  /** A pcapng timestamp: high 32 bits then low 32 bits. */
  ts(ticks: bigint): Uint8Array {
    return concat(this.u32(Number(ticks >> 32n)), this.u32(Number(ticks & 0xffffffffn)));
  }

  /** One option: code, length, value padded to 4. */
  opt(code: number, value: Uint8Array): Uint8Array {
    return concat(this.u16(code), this.u16(value.length), pad(value));
  }
  /** opt_endofopt. */
  end(): Uint8Array {
    return new Uint8Array(4);
  }

  /** A whole block: type, total length, body padded to 4, total length. */
  block(type: number, ...body: Uint8Array[]): Uint8Array {
    const content = pad(concat(...body));
    const total = 12 + content.length;
    return concat(this.u32(type), this.u32(total), content, this.u32(total));
  }

  shb(options: Uint8Array[] = [], major = 1, minor = 0, sectionLength = -1n): Uint8Array {
    return this.block(
      0x0a0d0d0a,
      this.u32(0x1a2b3c4d),
      this.u16(major),
      this.u16(minor),
      this.i64(sectionLength),
      ...options,
    );
  }
  idb(linkType: number, snapLength: number, options: Uint8Array[] = []): Uint8Array {
    return this.block(1, this.u16(linkType), this.u16(0), this.u32(snapLength), ...options);
  }
  epb(
    iface: number,
    ticks: bigint,
    data: Uint8Array,
    originalLength = data.length,
    options: Uint8Array[] = [],
  ) {
    return this.block(
      6,
      this.u32(iface),
      this.ts(ticks),
      this.u32(data.length),
      this.u32(originalLength),
      pad(data),
      ...options,
    );
  }
}
