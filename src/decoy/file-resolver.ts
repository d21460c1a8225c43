import type { PaddingLayout } from '../payload/variants/layout.ts';
import { formatForName } from '../payload/variants/formats.ts';

/** The part of VariantRegistry the factory callers use. */
export interface VariantSource {
  ensure(sourceId: string, format: string, opts?: { textPath?: string }): string;
  layout(variantId: string, format: string): PaddingLayout;
}

/**
 * Maps a decoy file name to the variant its extension calls for (issue 3 §1), with
 * the operator's fallback format for unknown extensions. Variants are made on first
 * use and then looked up.
 */
export function fileResolver(variants: VariantSource, opts: { fallbackFormat?: string; textPath?: string } = {}) {
  return (fileName: string, sourceId: string): { variantId: string; layout: PaddingLayout } => {
    const format = formatForName(fileName, opts.fallbackFormat);
    const variantId = variants.ensure(sourceId, format, opts.textPath ? { textPath: opts.textPath } : {});
    return { variantId, layout: variants.layout(variantId, format) };
  };
}
