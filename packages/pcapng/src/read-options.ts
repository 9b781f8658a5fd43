import type { ReaderLimits } from './cursor.js';

/** Options every reader takes. */
export interface ReadOptions extends ReaderLimits {
  /**
   * Fail with `NO_INTERFACES` when the input describes no interface at all, as libpcap does when it
   * opens a file. Off by default: the pcapng draft allows sections without interfaces, and Falco
   * captures have none.
   */
  requireInterface?: boolean;
}
