/** A payload's container variant (issue 3): which checked variant stands for `sourceId` in `format`. */
export interface VariantRow {
  readonly sourceId: string;
  readonly format: string;
  readonly variantId: string;
  readonly checkedBy: string;
  readonly checkedAt: number;
}

/** The persistence payload variants need (table payload_variants). Synchronous and small, like the payload catalog. */
export interface VariantCatalog {
  getVariant(sourceId: string, format: string): VariantRow | undefined;
  /** Inserts or replaces the row for (sourceId, format). */
  putVariant(v: VariantRow): void;
  /** A payload's variants, by format. */
  listVariants(sourceId: string): VariantRow[];
}
