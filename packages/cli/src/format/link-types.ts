/**
 * Names of the common LINKTYPE_* values (tcpdump.org link-layer header types), as `tcpdump -L` and
 * capinfos name them, with a description.
 */
const LINK_TYPES: Record<number, [string, string]> = {
  0: ['NULL', 'BSD loopback'],
  1: ['EN10MB', 'Ethernet'],
  6: ['IEEE802_5', 'Token Ring'],
  9: ['PPP', 'PPP'],
  12: ['RAW', 'Raw IP'],
  101: ['RAW', 'Raw IP'],
  104: ['C_HDLC', 'Cisco HDLC'],
  105: ['IEEE802_11', 'IEEE 802.11 wireless'],
  108: ['LOOP', 'OpenBSD loopback'],
  113: ['LINUX_SLL', 'Linux cooked capture v1'],
  119: ['PRISM_HEADER', '802.11 with Prism header'],
  127: ['IEEE802_11_RADIOTAP', '802.11 with radiotap header'],
  187: ['BLUETOOTH_HCI_H4', 'Bluetooth HCI UART'],
  189: ['USB_LINUX', 'USB with Linux header'],
  192: ['PPI', 'Per-Packet Information'],
  195: ['IEEE802_15_4_WITHFCS', 'IEEE 802.15.4'],
  201: ['BLUETOOTH_HCI_H4_WITH_PHDR', 'Bluetooth HCI UART with direction'],
  220: ['USB_LINUX_MMAPPED', 'USB with padded Linux header'],
  228: ['IPV4', 'Raw IPv4'],
  229: ['IPV6', 'Raw IPv6'],
  249: ['NETLINK', 'Linux netlink'],
  252: ['WIRESHARK_UPPER_PDU', 'Wireshark upper PDU'],
  276: ['LINUX_SLL2', 'Linux cooked capture v2'],
};

/** `EN10MB` for 1; `LINKTYPE_<n>` for values not in the table (USER0–15 are named too). */
export function linkTypeName(linkType: number): string {
  const known = LINK_TYPES[linkType];
  if (known) return known[0];
  if (linkType >= 147 && linkType <= 162) return `USER${linkType - 147}`;
  return `LINKTYPE_${linkType}`;
}

/** `Ethernet` for 1, or `undefined` when the value is not in the table. */
export function linkTypeDescription(linkType: number): string | undefined {
  return LINK_TYPES[linkType]?.[1];
}
