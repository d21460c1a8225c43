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
  /**
   * insert() for builds too large to hold at once (issue 15 item 13: 100,000 decoys' info dicts are
   * ~800 MB): one transaction is opened now, `first` runs in it, and decoys are added slice by slice
   * as they are built; nothing is visible to others before commit(), and rollback() (or any failed
   * add or commit) leaves nothing. Only one batch may be open on a store at a time, and the caller
   * makes no other writes through the store while it is open.
   */
  begin(now: number, first?: () => void): DecoyInsertBatch;
  /** The files of a factory-built decoy, or undefined for a decoy built without the factory (content = payload). */
  files(decoyId: number): StoredFile[] | undefined;
  /** Whether some factory-built file of this variant already has this size (keeps unsized decoys unique). */
  sizeTaken(): (size: number, variantId: string) => boolean;
  /** Which of these names active decoys already carry (`decoys build` of a list built before). */
  activeNamesAmong(names: readonly string[]): Set<string>;
  /** The files of folder (multi-file) decoys that have exactly this size (`decoys identify` of one file taken out of a folder). */
  folderFilesOfSize(size: number): { decoyId: number; file: StoredFile }[];
}

/** An open all-or-nothing insert of decoys (DecoyFilesCatalog.begin). */
export interface DecoyInsertBatch {
  /** Inserts these decoys (a duplicate infohash throws and rolls back the whole batch); returns how many the batch holds now. */
  add(built: readonly BuiltDecoy[]): number;
  /** Makes every added decoy visible at once; returns how many. */
  commit(): number;
  /** Drops everything added (no-op once committed or rolled back). */
  rollback(): void;
}
