import { extname } from 'node:path';

export type PayloadKind = 'video' | 'image' | 'archive' | 'document';

/** A variant format: the container a decoy file of some extensions is written in. */
export interface VariantFormat {
  readonly format: string;
  readonly kind: PayloadKind;
  readonly mediaType: string;
  /** Extensions (lower case, with dot) whose decoys get this variant. */
  readonly extensions: readonly string[];
}

/**
 * Issue 3 §1: the payload kind follows the decoy name's extension. `.7z` and `.rar`
 * cannot be written with the free tools on the box (no p7zip, RAR is proprietary), so
 * they get the ZIP variant: 7-Zip, WinRAR, unar and libarchive detect the format from
 * the bytes, not the name, and open it. `.webp` gets the PNG variant (Debian's ffmpeg
 * has no WebP encoder); browsers and viewers sniff the signature. `.ts` (MPEG-TS) gets
 * the MPEG-PS variant: TS padding needs 188-byte null packets, which do not divide pieces.
 */
export const VARIANT_FORMATS: readonly VariantFormat[] = [
  { format: 'mp4', kind: 'video', mediaType: 'video/mp4', extensions: ['.mp4'] },
  { format: 'm4v', kind: 'video', mediaType: 'video/x-m4v', extensions: ['.m4v'] },
  { format: 'mov', kind: 'video', mediaType: 'video/quicktime', extensions: ['.mov', '.qt'] },
  { format: '3gp', kind: 'video', mediaType: 'video/3gpp', extensions: ['.3gp', '.3g2'] },
  { format: 'mkv', kind: 'video', mediaType: 'video/x-matroska', extensions: ['.mkv'] },
  { format: 'webm', kind: 'video', mediaType: 'video/webm', extensions: ['.webm'] },
  { format: 'avi', kind: 'video', mediaType: 'video/x-msvideo', extensions: ['.avi', '.divx'] },
  { format: 'wmv', kind: 'video', mediaType: 'video/x-ms-wmv', extensions: ['.wmv', '.asf'] },
  { format: 'mpg', kind: 'video', mediaType: 'video/mpeg', extensions: ['.mpg', '.mpeg', '.vob', '.ts'] },
  { format: 'flv', kind: 'video', mediaType: 'video/x-flv', extensions: ['.flv'] },
  { format: 'jpg', kind: 'image', mediaType: 'image/jpeg', extensions: ['.jpg', '.jpeg', '.jpe'] },
  { format: 'png', kind: 'image', mediaType: 'image/png', extensions: ['.png', '.webp'] },
  { format: 'gif', kind: 'image', mediaType: 'image/gif', extensions: ['.gif'] },
  { format: 'bmp', kind: 'image', mediaType: 'image/bmp', extensions: ['.bmp'] },
  { format: 'zip', kind: 'archive', mediaType: 'application/zip', extensions: ['.zip', '.7z', '.rar'] },
  { format: 'tar', kind: 'archive', mediaType: 'application/x-tar', extensions: ['.tar'] },
  { format: 'pdf', kind: 'document', mediaType: 'application/pdf', extensions: ['.pdf'] },
  { format: 'txt', kind: 'document', mediaType: 'text/plain; charset=utf-8', extensions: ['.txt', '.nfo'] },
  { format: 'html', kind: 'document', mediaType: 'text/html; charset=utf-8', extensions: ['.html', '.htm'] },
];

/** The operator's choice for any other extension (setting decoyFallbackFormat). */
export const DEFAULT_FALLBACK_FORMAT = 'mp4';

const BY_EXT = new Map<string, VariantFormat>(VARIANT_FORMATS.flatMap((f) => f.extensions.map((e) => [e, f] as const)));

export function formatByName(format: string): VariantFormat | undefined {
  return VARIANT_FORMATS.find((f) => f.format === format);
}

/** The variant format for a decoy file name: by extension, else the fallback. */
export function formatForName(name: string, fallback: string = DEFAULT_FALLBACK_FORMAT): string {
  return BY_EXT.get(extname(name).toLowerCase())?.format ?? fallback;
}

/** The variant format a file name's extension calls for, or undefined for an extension no format covers. */
export function formatByExtension(name: string): VariantFormat | undefined {
  return BY_EXT.get(extname(name).toLowerCase());
}
