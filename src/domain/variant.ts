/** One checked container variant of a source payload (issue 3): a registered payload of its own. */
export interface VariantRow {
  readonly sourceId: string;
  readonly format: string;
  readonly variantId: string;
  readonly checkedBy: string;
  readonly checkedAt: number;
}

/** The persistence variants need (SQLite: SqliteVariantCatalog). */
export interface VariantCatalog {
  getVariant(sourceId: string, format: string): VariantRow | undefined;
  putVariant(v: VariantRow): void;
  listVariants(sourceId: string): VariantRow[];
}
