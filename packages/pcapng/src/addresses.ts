/**
 * Text forms of link-layer and IP addresses, both ways: IPv4 dotted quads, IPv6 in RFC 5952 form,
 * and colon-separated hex for MAC/EUI addresses.
 */

/** `a.b.c.d` from 4 bytes at `offset`. */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** RFC 5952 text (lower case, longest zero run of 2+ groups as `::`) from 16 bytes at `offset`. */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Colon-separated lower-case hex (`00:1a:2b:…`) of `length` bytes at `offset`. */
export function formatHardwareAddress(bytes: Uint8Array, offset: number, length: number): string {
  const parts: string[] = [];
  for (let i = 0; i < length; i++) parts.push(bytes[offset + i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** The 4 bytes of a dotted-quad IPv4 address; `undefined` if `text` is not one. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    out[i] = Number(part);
  }
  return out;
}

/** The 16 bytes of an IPv6 address in any RFC 4291 text form; `undefined` if `text` is not one. */
export function parseIPv6(text: string): Uint8Array | undefined {
  let head = text;
  const out = new Uint8Array(16);
  // An embedded IPv4 tail (::ffff:1.2.3.4) fills the last 4 bytes.
  let tailBytes: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailBytes = parseIPv4(text.slice(lastColon + 1));
    if (!tailBytes) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = toGroups(halves[0]!);
  const right = halves.length === 2 ? toGroups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const value = Number.parseInt(g, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  }
  if (tailBytes) out.set(tailBytes, 12);
  return out;
}

/** Bytes of a colon- or dash-separated hex hardware address of `length` bytes; `undefined` if not one. */
export function parseHardwareAddress(text: string, length: number): Uint8Array | undefined {
  const parts = text.split(/[:-]/);
  if (parts.length !== length) return undefined;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const part = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(part)) return undefined;
    out[i] = Number.parseInt(part, 16);
  }
  return out;
}
