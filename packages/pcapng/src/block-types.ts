/** Numeric block type ids of the pcapng draft (and the vendor ids readers commonly meet). */
export const BlockTypeId = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  /** Obsolete Packet Block. */
  PB: 0x00000002,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  /** systemd Journal Export Block. */
  JEB: 0x00000009,
  DSB: 0x0000000a,
  /** Custom Block that rewriters may copy. */
  CB: 0x00000bad,
  /** Custom Block that rewriters must not copy. */
  DCB: 0x40000bad,
} as const;

/** Name of a block type this package decodes into a typed block. */
export type KnownBlockName = 'SHB' | 'IDB' | 'PB' | 'SPB' | 'NRB' | 'ISB' | 'EPB' | 'DSB' | 'CB' | 'DCB';

const namesById = new Map<number, KnownBlockName>([
  [BlockTypeId.SHB, 'SHB'],
  [BlockTypeId.IDB, 'IDB'],
  [BlockTypeId.PB, 'PB'],
  [BlockTypeId.SPB, 'SPB'],
  [BlockTypeId.NRB, 'NRB'],
  [BlockTypeId.ISB, 'ISB'],
  [BlockTypeId.EPB, 'EPB'],
  [BlockTypeId.DSB, 'DSB'],
  [BlockTypeId.CB, 'CB'],
  [BlockTypeId.DCB, 'DCB'],
]);

/** The short name (`"EPB"`) of a block type id this package decodes, or `undefined`. */
export function blockTypeName(id: number): KnownBlockName | undefined {
  return namesById.get(id >>> 0);
}

/** Magic that marks a section's byte order, as read in that byte order. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
