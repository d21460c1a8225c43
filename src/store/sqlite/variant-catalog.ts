import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { VariantCatalog, VariantRow } from '../variant-catalog.ts';

/** payload_variants rows (migration decoy-factory-001). */
export class SqliteVariantCatalog implements VariantCatalog {
  readonly #db: DatabaseSync;
  #get: StatementSync | undefined;
  constructor(db: DatabaseSync) { this.#db = db; }

  getVariant(sourceId: string, format: string): VariantRow | undefined {
    // Prepared once: `decoys build` asks once per name, and 100,000 statements prepared and left to the
    // garbage collector held ~330 MB of SQLite memory the JS heap does not see (issue 15 item 13).
    this.#get ??= this.#db.prepare('SELECT * FROM payload_variants WHERE source_id = ? AND format = ?');
    const r = this.#get.get(sourceId, format);
    return r ? { sourceId: String(r.source_id), format: String(r.format), variantId: String(r.variant_id), checkedBy: String(r.checked_by), checkedAt: Number(r.checked_at) } : undefined;
  }

  putVariant(v: VariantRow): void {
    this.#db.prepare('INSERT OR REPLACE INTO payload_variants (source_id, format, variant_id, checked_by, checked_at) VALUES (?, ?, ?, ?, ?)')
      .run(v.sourceId, v.format, v.variantId, v.checkedBy, v.checkedAt);
  }

  listVariants(sourceId: string): VariantRow[] {
    return this.#db.prepare('SELECT * FROM payload_variants WHERE source_id = ? ORDER BY format').all(sourceId)
      .map((r) => ({ sourceId: String(r.source_id), format: String(r.format), variantId: String(r.variant_id), checkedBy: String(r.checked_by), checkedAt: Number(r.checked_at) }));
  }
}
