/**
 * Computes a decoy's content bytes on demand (cf. libtorrent's disk_interface).
 * Nothing is stored per decoy; the bytes are a function of the payload and decoy parameters.
 */
export interface PieceSource {
  /** Total content length. */
  readonly length: number;
  /**
   * Returns exactly `length` bytes starting at `offset`.
   * Throws RangeError if the range leaves [0, this.length).
   */
  read(offset: number, length: number): Uint8Array;
}
