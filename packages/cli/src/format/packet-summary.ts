/**
 * A one-line, tshark-like summary of a packet's protocols (Ethernet / Linux cooked / raw IP / BSD
 * loopback → IPv4 / IPv6 → TCP / UDP / ICMP, plus the first line of HTTP), for `dump`'s text output.
 * Deliberately small: anything it does not recognise is summarised by what it did recognise.
 */

const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

function ipv4(bytes: Uint8Array, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

function ipv6(bytes: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[at + i]! << 8) | bytes[at + i + 1]!).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 asks.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function firstLine(bytes: Uint8Array, at: number): string | undefined {
  const end = Math.min(bytes.length, at + 200);
  let text = '';
  for (let i = at; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0x0d || c === 0x0a) break;
    if (c < 0x20 || c > 0x7e) return undefined;
    text += String.fromCharCode(c);
  }
  return /^(?:[A-Z]+ \S+ HTTP\/\d(?:\.\d)?|HTTP\/\d(?:\.\d)? \d{3}\b.*)$/.test(text) ? text : undefined;
}

function transport(
  bytes: Uint8Array,
  at: number,
  protocol: number,
  src: string,
  dst: string,
  v6: boolean,
): string {
  const join = (s: string, port: number) => (v6 ? `[${s}]:${port}` : `${s}:${port}`);
  if (protocol === 6 && at + 20 <= bytes.length) {
    const sport = u16(bytes, at);
    const dport = u16(bytes, at + 2);
    const headerLength = (bytes[at + 12]! >> 4) * 4;
    const flags = TCP_FLAGS.filter((_, i) => bytes[at + 13]! & (1 << i)).join(',');
    const payload = Math.max(0, bytes.length - at - headerLength);
    const http = payload > 0 ? firstLine(bytes, at + headerLength) : undefined;
    return `${join(src, sport)} → ${join(dst, dport)} TCP [${flags}] len=${payload}${http ? `  ${http}` : ''}`;
  }
  if (protocol === 17 && at + 8 <= bytes.length) {
    return `${join(src, u16(bytes, at))} → ${join(dst, u16(bytes, at + 2))} UDP len=${Math.max(0, u16(bytes, at + 4) - 8)}`;
  }
  const name = protocol === 1 ? 'ICMP' : protocol === 58 ? 'ICMPv6' : `IP proto ${protocol}`;
  return `${src} → ${dst} ${name}`;
}

function ip(bytes: Uint8Array, at: number): string | undefined {
  if (at >= bytes.length) return undefined;
  const version = bytes[at]! >> 4;
  if (version === 4 && at + 20 <= bytes.length) {
    const headerLength = (bytes[at]! & 0x0f) * 4;
    return transport(
      bytes,
      at + headerLength,
      bytes[at + 9]!,
      ipv4(bytes, at + 12),
      ipv4(bytes, at + 16),
      false,
    );
  }
  if (version === 6 && at + 40 <= bytes.length) {
    return transport(bytes, at + 40, bytes[at + 6]!, ipv6(bytes, at + 8), ipv6(bytes, at + 24), true);
  }
  return undefined;
}

function ethertype(bytes: Uint8Array, type: number, at: number): string | undefined {
  if (type === 0x0800 || type === 0x86dd) return ip(bytes, at);
  if (type === 0x0806) return 'ARP';
  return undefined;
}

/** A one-line summary of a packet of link type `linkType`, or `undefined` when nothing was recognised. */
export function packetSummary(linkType: number, bytes: Uint8Array): string | undefined {
  switch (linkType) {
    case 1: // Ethernet
      return bytes.length >= 14 ? ethertype(bytes, u16(bytes, 12), 14) : undefined;
    case 113: // Linux cooked v1
      return bytes.length >= 16 ? ethertype(bytes, u16(bytes, 14), 16) : undefined;
    case 276: // Linux cooked v2
      return bytes.length >= 20 ? ethertype(bytes, u16(bytes, 0), 20) : undefined;
    case 0: // BSD loopback: 4-byte address family in the writer's byte order
    case 108:
      return ip(bytes, 4);
    case 12:
    case 101:
    case 228:
    case 229:
      return ip(bytes, 0);
    default:
      return undefined;
  }
}
