import type { Decoy, NewDecoy } from '../domain/decoy.ts';

/** One file of a factory-built decoy: enough to recompute every byte from its payload variant. */
export interface StoredFile {
  readonly variantId: string;
  readonly format: string;
  readonly size: number;
  readonly nonce: Uint8Array;
  readonly path?: readonly string[];
}

/** A decoy from the factory, before it has an id, with the parameters of its files. */
export interface BuiltDecoy {
  readonly decoy: NewDecoy;
  readonly files: readonly StoredFile[];
}

/**
 * Per-decoy parameters of factory-built decoys. Synchronous: a serving node reads them when a
 * decoy's bytes are first needed, inside the seeder's frame loop (a networked store serves a node
 * from the node's own local copy).
 */
export interface DecoyFilesCatalog {
  /**
   * Inserts decoys (status active) with their files, all or nothing; a duplicate infohash fails
   * the whole batch. In the same transaction, `first` runs before them (registering the variants
   * they use) and `within` after them (a campaign links its items there).
   */
  insert(built: readonly BuiltDecoy[], now: number, within?: (decoys: Decoy[]) => void, first?: () => void): Decoy[];
  /** The files of a factory-built decoy, or undefined for a decoy built without the factory (content = payload). */
  files(decoyId: number): StoredFile[] | undefined;
  /** Whether some factory-built file of this variant already has this size (keeps unsized decoys unique). */
  sizeTaken(): (size: number, variantId: string) => boolean;
}
