/** An IPv4 address with its netmask (`if_IPv4addr`). */
export interface IPv4WithMask {
  address: string;
  netmask: string;
}

/** An IPv6 address with its prefix length (`if_IPv6addr`). */
export interface IPv6WithPrefix {
  address: string;
  prefixLength: number;
}

/** A one-byte type followed by data: `if_filter` (type 0 = libpcap filter string), `epb_hash`, `epb_verdict`. */
export interface TypedBytes {
  type: number;
  data: Uint8Array;
}

/** A custom option: a Private Enterprise Number and its data (text for 2988/19372, bytes for 2989/19373). */
export interface CustomOptionValue {
  pen: number;
  data: string | Uint8Array;
}

/** Two 32-bit numbers (`epb_processid_threadid`: process id, thread id). */
export interface U32Pair {
  first: number;
  second: number;
}

/**
 * A decoded option value; which one depends on the option's layout (see `optionSpec`):
 * text → `string` (or `Uint8Array` when not valid UTF-8); u8/u32 → `number`; u64/i64/timestamps
 * (raw ticks) → `bigint`; addresses → text forms; others as the interfaces above; unknown → bytes.
 */
export type OptionValue =
  | string
  | number
  | bigint
  | Uint8Array
  | IPv4WithMask
  | IPv6WithPrefix
  | TypedBytes
  | CustomOptionValue
  | U32Pair;

/** One option of a block, in file order. Repeated options appear once each. */
export interface PcapngOption {
  /** Option code. */
  code: number;
  /** Option name from the draft (`if_name`), or `opt_<code>` for codes it does not define. */
  name: string;
  /** Decoded value. */
  value: OptionValue;
}

/** What every typed block carries. */
export interface BlockCommon {
  /** Zero-based index of the block in its input (set by readers; ignored by writers). */
  index?: number;
  /** Absolute byte offset of the block in its input (set by readers; ignored by writers). */
  offset?: number;
  /** Zero-based index of the section the block belongs to (set by readers). */
  section?: number;
  /** Options in file order. */
  options: PcapngOption[];
  /**
   * Whether the option list ended with `opt_endofopt`. Readers set it as found; writers end a
   * non-empty list with it unless this is `false`, and write a lone one for an empty list if `true`.
   */
  optionsTerminated?: boolean;
  /**
   * Bytes found between `opt_endofopt` and the block trailer. Conforming files have none; some
   * writers leave stale packet bytes there. Kept so that such files round-trip byte for byte.
   */
  trailingBytes?: Uint8Array;
}

/** Section Header Block: starts a section and fixes its byte order. */
export interface SectionHeaderBlock extends BlockCommon {
  type: 'SHB';
  /** Byte order of the section (`true` = little endian). Writers use it for the whole section. */
  littleEndian: boolean;
  majorVersion: number;
  minorVersion: number;
  /** Length of the section in bytes after this block, or `-1n` when not given. */
  sectionLength: bigint;
}

/** Interface Description Block. */
export interface InterfaceDescriptionBlock extends BlockCommon {
  type: 'IDB';
  /** Link-layer header type (LINKTYPE_*). */
  linkType: number;
  /** The 16 reserved bits after the link type (0 in conforming files; kept for round trips). */
  reserved?: number;
  /** Maximum bytes captured per packet, 0 = no limit. */
  snapLength: number;
}

/** Enhanced Packet Block. */
export interface EnhancedPacketBlock extends BlockCommon {
  type: 'EPB';
  interfaceId: number;
  /** Nanoseconds since the epoch, from the interface's `if_tsresol` and `if_tsoffset`. */
  timestamp: bigint;
  /** The timestamp as stored, in ticks of the interface's resolution (readers set it; writers prefer it). */
  ticks?: bigint;
  /** Bytes captured (equals `data.length`). */
  capturedLength: number;
  /** Length of the packet on the wire. */
  originalLength: number;
  /** The captured bytes: a view into the reader's buffer, not a copy. */
  data: Uint8Array;
}

/** Simple Packet Block: a packet on interface 0 with no timestamp. */
export interface SimplePacketBlock extends BlockCommon {
  type: 'SPB';
  /** Always 0: a SPB belongs to the section's first interface. */
  interfaceId: 0;
  originalLength: number;
  /** Bytes captured (equals `data.length`). */
  capturedLength: number;
  /** The captured bytes: a view into the reader's buffer. */
  data: Uint8Array;
}

/** Obsolete Packet Block (draft appendix): a packet with a 16-bit interface id and a drops count. */
export interface PacketBlock extends BlockCommon {
  type: 'PB';
  interfaceId: number;
  dropsCount: number;
  timestamp: bigint;
  ticks?: bigint;
  capturedLength: number;
  originalLength: number;
  data: Uint8Array;
}

/** One record of a Name Resolution Block. */
export type NameRecord =
  | { type: 'ipv4' | 'ipv6' | 'eui48' | 'eui64'; address: string; names: string[] }
  /** A record type the draft does not define, kept as bytes. */
  | { type: 'unknown'; recordType: number; value: Uint8Array };

/** Name Resolution Block. */
export interface NameResolutionBlock extends BlockCommon {
  type: 'NRB';
  records: NameRecord[];
}

/** Interface Statistics Block. */
export interface InterfaceStatisticsBlock extends BlockCommon {
  type: 'ISB';
  interfaceId: number;
  /** Nanoseconds since the epoch. */
  timestamp: bigint;
  /** The timestamp in ticks of the interface's resolution. */
  ticks?: bigint;
}

/** Decryption Secrets Block. */
export interface DecryptionSecretsBlock extends BlockCommon {
  type: 'DSB';
  /** Secrets type (0x544c534b TLS key log, 0x57474b4c WireGuard, …). */
  secretsType: number;
  data: Uint8Array;
}

/**
 * Custom Block (`CB`, may be copied) or Do-not-Copy Custom Block (`DCB`). The bytes after the PEN are
 * kept whole in `data`: their split into data and options is private to the vendor.
 */
export interface CustomBlock extends BlockCommon {
  type: 'CB' | 'DCB';
  pen: number;
  data: Uint8Array;
}

/**
 * A block of a type this package does not decode (Falco's 0x2xx scap blocks are read by
 * `@sysray/pcapng/scap`): its body is kept verbatim and written back verbatim.
 */
export interface UnknownBlock {
  type: 'UNKNOWN';
  /** The block type id. */
  blockType: number;
  /** Body bytes between the 8-byte header and the 4-byte trailer: a view into the reader's buffer. */
  body: Uint8Array;
  /** Byte order of the section the block was read from (readers set it). */
  littleEndian?: boolean;
  index?: number;
  offset?: number;
  section?: number;
}

/** Every block a reader yields and a writer takes. Switch on `type`. */
export type PcapngBlock =
  | SectionHeaderBlock
  | InterfaceDescriptionBlock
  | EnhancedPacketBlock
  | SimplePacketBlock
  | PacketBlock
  | NameResolutionBlock
  | InterfaceStatisticsBlock
  | DecryptionSecretsBlock
  | CustomBlock
  | UnknownBlock;

/** A block with a packet in it. */
export type PacketLike = EnhancedPacketBlock | SimplePacketBlock | PacketBlock;

/** What a reader knows about an interface of the current section. */
export interface InterfaceInfo {
  /** Index of the interface in its section. */
  id: number;
  /** Section the interface belongs to. */
  section: number;
  linkType: number;
  snapLength: number;
  /** Ticks per second of its timestamps (`if_tsresol`, default 10^6). */
  ticksPerSecond: bigint;
  /** Seconds to add to every timestamp (`if_tsoffset`, default 0). */
  offsetSeconds: bigint;
  /** `if_name`, when the IDB has one. */
  name?: string;
}
