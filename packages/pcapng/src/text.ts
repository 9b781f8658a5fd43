/** Shared UTF-8 codecs: one instance each, reused everywhere in the package. */
export const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
export const utf8Encoder = new TextEncoder();

/**
 * The bytes as a string when they are valid UTF-8, else the bytes themselves: option and record text
 * that is not UTF-8 survives a read/write round trip unchanged.
 */
export function decodeTextOrBytes(bytes: Uint8Array): string | Uint8Array {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return bytes.slice();
  }
}

/** Lower-case hex of the bytes, two digits per byte. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += bytes[i]!.toString(16).padStart(2, '0');
  return out;
}
