import type { KnownBlockName } from './block-types.js';

/**
 * How an option's value is laid out. Numbers are in the section's byte order.
 * - `string`: UTF-8, not NUL-terminated
 * - `u8`/`u32`/`u64`/`i64`: one integer
 * - `ipv4mask`: 4-byte address + 4-byte netmask; `ipv6prefix`: 16-byte address + 1-byte prefix length
 * - `ipv4`/`ipv6`: an address; `mac`: 6 bytes; `eui`: 8 bytes
 * - `timestamp`: two u32, high then low, in the interface's resolution
 * - `typed`: 1-byte type followed by bytes (`if_filter`, `epb_hash`, `epb_verdict`)
 * - `u32pair`: two u32 (`epb_processid_threadid`)
 * - `customString`/`customBytes`: 4-byte Private Enterprise Number followed by data
 * - `bytes`: anything else, kept as is
 */
export type OptionLayout =
  | 'string'
  | 'u8'
  | 'u32'
  | 'u64'
  | 'i64'
  | 'ipv4mask'
  | 'ipv6prefix'
  | 'ipv4'
  | 'ipv6'
  | 'mac'
  | 'eui'
  | 'timestamp'
  | 'typed'
  | 'u32pair'
  | 'customString'
  | 'customBytes'
  | 'bytes';

/** Name and layout of one option code, with whether it may repeat in one block. */
export interface OptionSpec {
  readonly code: number;
  readonly name: string;
  readonly layout: OptionLayout;
  /** The option may appear more than once in a block. */
  readonly repeatable: boolean;
}

/** Option code that ends an option list. */
export const OPT_ENDOFOPT = 0;
/** Option code of a comment, valid in every block. */
export const OPT_COMMENT = 1;

const common: OptionSpec[] = [
  { code: 1, name: 'opt_comment', layout: 'string', repeatable: true },
  { code: 2988, name: 'opt_custom_str', layout: 'customString', repeatable: true },
  { code: 2989, name: 'opt_custom_bin', layout: 'customBytes', repeatable: true },
  { code: 19372, name: 'opt_custom_str_nocopy', layout: 'customString', repeatable: true },
  { code: 19373, name: 'opt_custom_bin_nocopy', layout: 'customBytes', repeatable: true },
];

const specific: Partial<Record<KnownBlockName, OptionSpec[]>> = {
  SHB: [
    { code: 2, name: 'shb_hardware', layout: 'string', repeatable: false },
    { code: 3, name: 'shb_os', layout: 'string', repeatable: false },
    { code: 4, name: 'shb_userappl', layout: 'string', repeatable: false },
  ],
  IDB: [
    { code: 2, name: 'if_name', layout: 'string', repeatable: false },
    { code: 3, name: 'if_description', layout: 'string', repeatable: false },
    { code: 4, name: 'if_IPv4addr', layout: 'ipv4mask', repeatable: true },
    { code: 5, name: 'if_IPv6addr', layout: 'ipv6prefix', repeatable: true },
    { code: 6, name: 'if_MACaddr', layout: 'mac', repeatable: false },
    { code: 7, name: 'if_EUIaddr', layout: 'eui', repeatable: false },
    { code: 8, name: 'if_speed', layout: 'u64', repeatable: false },
    { code: 9, name: 'if_tsresol', layout: 'u8', repeatable: false },
    { code: 10, name: 'if_tzone', layout: 'u32', repeatable: false },
    { code: 11, name: 'if_filter', layout: 'typed', repeatable: false },
    { code: 12, name: 'if_os', layout: 'string', repeatable: false },
    { code: 13, name: 'if_fcslen', layout: 'u8', repeatable: false },
    { code: 14, name: 'if_tsoffset', layout: 'i64', repeatable: false },
    { code: 15, name: 'if_hardware', layout: 'string', repeatable: false },
    { code: 16, name: 'if_txspeed', layout: 'u64', repeatable: false },
    { code: 17, name: 'if_rxspeed', layout: 'u64', repeatable: false },
    { code: 18, name: 'if_iana_tzname', layout: 'string', repeatable: false },
  ],
  EPB: [
    { code: 2, name: 'epb_flags', layout: 'u32', repeatable: false },
    { code: 3, name: 'epb_hash', layout: 'typed', repeatable: true },
    { code: 4, name: 'epb_dropcount', layout: 'u64', repeatable: false },
    { code: 5, name: 'epb_packetid', layout: 'u64', repeatable: false },
    { code: 6, name: 'epb_queue', layout: 'u32', repeatable: false },
    { code: 7, name: 'epb_verdict', layout: 'typed', repeatable: true },
    { code: 8, name: 'epb_processid_threadid', layout: 'u32pair', repeatable: false },
  ],
  PB: [
    { code: 2, name: 'pack_flags', layout: 'u32', repeatable: false },
    { code: 3, name: 'pack_hash', layout: 'typed', repeatable: true },
  ],
  NRB: [
    { code: 2, name: 'ns_dnsname', layout: 'string', repeatable: false },
    { code: 3, name: 'ns_dnsIP4addr', layout: 'ipv4', repeatable: false },
    { code: 4, name: 'ns_dnsIP6addr', layout: 'ipv6', repeatable: false },
  ],
  ISB: [
    { code: 2, name: 'isb_starttime', layout: 'timestamp', repeatable: false },
    { code: 3, name: 'isb_endtime', layout: 'timestamp', repeatable: false },
    { code: 4, name: 'isb_ifrecv', layout: 'u64', repeatable: false },
    { code: 5, name: 'isb_ifdrop', layout: 'u64', repeatable: false },
    { code: 6, name: 'isb_filteraccept', layout: 'u64', repeatable: false },
    { code: 7, name: 'isb_osdrop', layout: 'u64', repeatable: false },
    { code: 8, name: 'isb_usrdeliv', layout: 'u64', repeatable: false },
  ],
};

const tables = new Map<string, Map<number, OptionSpec>>();
function tableFor(block: string): Map<number, OptionSpec> {
  let table = tables.get(block);
  if (!table) {
    table = new Map();
    for (const spec of common) table.set(spec.code, spec);
    for (const spec of specific[block as KnownBlockName] ?? []) table.set(spec.code, spec);
    tables.set(block, table);
  }
  return table;
}

/**
 * The spec of option `code` in a block of kind `block`, or a generic one (`opt_<code>`, raw bytes)
 * for codes the draft does not define there.
 */
export function optionSpec(block: string, code: number): OptionSpec {
  return tableFor(block).get(code) ?? { code, name: `opt_${code}`, layout: 'bytes', repeatable: true };
}

/** The spec of the option called `name` in a block of kind `block`, or `undefined`. */
export function optionSpecByName(block: string, name: string): OptionSpec | undefined {
  for (const spec of tableFor(block).values()) if (spec.name === name) return spec;
  const generic = /^opt_(\d+)$/.exec(name);
  return generic ? optionSpec(block, Number(generic[1])) : undefined;
}
