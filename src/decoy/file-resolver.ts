import type { PaddingLayout } from '../payload/variants/layout.ts';
import { extname } from 'node:path';
import { formatByExtension, formatForName, VARIANT_FORMATS } from '../payload/variants/formats.ts';
import { formatKey, type Padding } from '../payload/variants/padding-bytes.ts';
import type { NameListIssue } from './errors.ts';

/** The part of VariantRegistry the factory callers use. */
export interface VariantSource {
  ensure(sourceId: string, format: string, opts?: { textPath?: string }): string;
  layout(variantId: string, format: string): PaddingLayout;
}

/**
 * Maps a decoy file name to the variant its extension calls for (issue 3 §1), with
 * the operator's fallback format for unknown extensions. Variants are made on first
 * use and then looked up. `padding` gives the deployment's padding per format (absent: the classic one).
 */
export function fileResolver(variants: VariantSource, opts: { fallbackFormat?: string; textPath?: string; padding?: (format: string) => Padding | undefined } = {}) {
  return (fileName: string, sourceId: string): { variantId: string; layout: PaddingLayout } => {
    const format = formatForName(fileName, opts.fallbackFormat);
    const variantId = variants.ensure(sourceId, format, opts.textPath ? { textPath: opts.textPath } : {});
    // Issue 10 item 3: the deployment's padding (byte, MP4 shift) for this format, kept in the stored format key.
    return { variantId, layout: variants.layout(variantId, formatKey(format, opts.padding?.(format))) };
  };
}

/**
 * Issue 15, item 9: a name whose extension no warning container covers (.exe, .docx, none) used to
 * get MP4 bytes without a word, so a decoy named like a program was a video. Such names are refused,
 * with their lines, before anything is built.
 */
export function extensionIssues(files: readonly { line: number; name: string }[]): NameListIssue[] {
  const issues: NameListIssue[] = [];
  for (const f of files) {
    if (formatByExtension(f.name) !== undefined) continue;
    const ext = extname(f.name);
    issues.push({ line: f.line, message: `${ext ? `extension "${ext}"` : `"${f.name}" has no extension and`} has no warning container; known: ${KNOWN}` });
  }
  return issues;
}

const KNOWN = [...new Set(VARIANT_FORMATS.flatMap((f) => f.extensions))].join(' ');
