/**
 * A small direct-mapped cache of decoded ASCII strings keyed by their bytes: paths, command names and
 * argument lists repeat from event to event, so decoding them again (and flattening the result) is mostly
 * avoidable. The cached strings are the values the scap decoder would produce (for ASCII bytes UTF-8 and
 * Latin-1 agree); non-ASCII bytes are left to the caller's decoder.
 */
export class AsciiStringCache {
  private readonly slots: (string | undefined)[];
  private readonly mask: number;

  /** `size` slots (a power of two); strings longer than `maxLength` bytes are decoded but not kept. */
  constructor(
    size: number,
    private readonly maxLength: number,
  ) {
    this.slots = new Array<string | undefined>(size).fill(undefined);
    this.mask = size - 1;
  }

  /**
   * The string of `bytes[off, off + len)`, up to the first NUL when `stopAtNul`; `undefined` when the bytes
   * are not all ASCII (decode them with UTF-8 instead).
   */
  get(bytes: Uint8Array, off: number, len: number, stopAtNul: boolean): string | undefined {
    const stop = off + len;
    let h = 0x811c9dc5;
    let end = off;
    for (; end < stop; end++) {
      const c = bytes[end]!;
      if (c === 0 && stopAtNul) break;
      if (c >= 0x80) return undefined;
      h = Math.imul(h ^ c, 0x01000193);
    }
    const n = end - off;
    if (n === 0) return '';
    if (n > this.maxLength) return latin1(bytes, off, end);
    const slot = (h ^ (h >>> 15)) & this.mask;
    const s = this.slots[slot];
    if (s !== undefined && s.length === n) {
      let k = 0;
      while (k < n && s.charCodeAt(k) === bytes[off + k]) k++;
      if (k === n) return s;
    }
    const fresh = latin1(bytes, off, end);
    this.slots[slot] = fresh;
    return fresh;
  }
}

const LATIN1 = new TextDecoder('latin1');

/** A flat string of the (ASCII) bytes `[off, end)`. */
function latin1(bytes: Uint8Array, off: number, end: number): string {
  const n = end - off;
  if (n <= 128) return String.fromCharCode.apply(null, bytes.subarray(off, end) as unknown as number[]);
  return LATIN1.decode(bytes.subarray(off, end));
}
