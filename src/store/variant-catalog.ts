// Defined in domain/ (payload/ uses it, the store implements it; neither imports the other).
export type { VariantCatalog, VariantRow } from '../domain/variant.ts';
