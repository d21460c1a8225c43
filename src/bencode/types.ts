/**
 * Bencode values (BEP 3). Byte strings stay bytes: torrent names and piece
 * hashes are not guaranteed to be UTF-8. Dictionary keys are kept as
 * latin1 strings so that every byte round-trips and sorts like raw bytes.
 */
export type BValue = number | bigint | Uint8Array | BValue[] | BDict;
export type BDict = Map<string, BValue>;

export interface BencodeLimits {
  /** Deepest nesting of lists/dicts accepted. */
  readonly maxDepth: number;
  /** Total number of values (ints, strings, list and dict nodes) accepted. */
  readonly maxItems: number;
  /** Longest single byte string accepted. */
  readonly maxStringLength: number;
}

/** Defaults sized for peer-wire and tracker messages; metainfo callers pass larger limits. */
export const DEFAULT_BENCODE_LIMITS: BencodeLimits = {
  maxDepth: 32,
  maxItems: 10_000,
  maxStringLength: 1 << 20,
};

export class BencodeError extends Error {
  override readonly name = 'BencodeError';
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.offset = offset;
  }
}
