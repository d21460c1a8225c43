import type { Decoy, NewDecoy } from '../domain/decoy.ts';

// Defined in domain/ (the factory builds them, the store keeps them; neither imports the other).
import type { BuiltDecoy, StoredFile } from '../domain/decoy.ts';
export type { BuiltDecoy, StoredFile };

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
