/**
 * Erasure of chained records (issue 13 §7; docs/retention.md). A record's row goes, a tombstone
 * takes its place, and its leaf hash stays in the chain: the chain, the Merkle tree and every
 * proof over other records still verify, and the erased record reads as erased, never as tampered.
 * SQLite implementation: sqlite/erasure-table.ts.
 */

/** Which records: those of `kinds` whose time is before `before` (UTC ms), optionally of one address, never of `exceptIps`. */
export interface ErasureSelection {
  readonly kinds: readonly string[];
  readonly before: number;
  /** Normalised address: only this address's records. */
  readonly ip?: string;
  /** Normalised addresses under legal hold: never erased. */
  readonly exceptIps: readonly string[];
  /**
   * Only chained records below this seq: those an audited, signed checkpoint already covers (the
   * erasure job signs one first), so no record is erased before its hash and key-index entries are
   * signed and its content was checked against them. Rows no run names are not records: they go too.
   */
  readonly belowSeq?: number;
}

export interface DueCount {
  readonly kind: string;
  /** Records selected (what an erasure would remove now). */
  readonly records: number;
  /** Records that match by time but are kept by a legal hold. */
  readonly held: number;
  /** The oldest selected record's time (UTC ms). */
  readonly oldest: number | null;
}

export interface ErasedCount { readonly kind: string; readonly records: number; readonly unchained: number; readonly firstSeq: number | null; readonly lastSeq: number | null }

/** A tombstone: what is left of an erased record. */
export interface Tombstone { readonly seq: number; readonly kind: string; readonly rowId: number; readonly at: number; readonly erasedAt: number; readonly erasure: string }

export interface ErasureTable {
  /** What `erase` would remove now, per kind, and what legal holds keep. */
  due(sel: ErasureSelection): DueCount[];
  /**
   * Deletes the selected rows and writes a tombstone for each chained one, in transactions of at
   * most `batch` rows (a node writing the same database waits for one batch, not the whole job).
   * Addresses left with no record at all also leave the analysis tables (their enrichment).
   */
  erase(sel: ErasureSelection, ref: { readonly erasure: string; readonly at: number }, batch?: number): ErasedCount[];
  tombstone(seq: number): Tombstone | undefined;
  /** Tombstones grouped by erasure: what each erasure left, to check against the access log. */
  byErasure(): { readonly erasure: string; readonly records: number; readonly firstSeq: number; readonly lastSeq: number }[];
  /** Tombstones in all. */
  count(): number;
}
