import { extname } from 'node:path';

/** How many leading bytes sniffMediaType looks at; callers read at least this many when they can. */
export const SNIFF_BYTES = 4096;

const OCTET = 'application/octet-stream';

const BY_EXTENSION: Readonly<Record<string, string>> = {
  '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska', '.webm': 'video/webm', '.avi': 'video/x-msvideo',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg',
  '.pdf': 'application/pdf', '.zip': 'application/zip',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Guesses a media type from the first bytes (magic numbers), falling back to the
 * file name's extension, then application/octet-stream. Content wins over the
 * name because operators rename files; the type is informational only.
 */
export function sniffMediaType(head: Uint8Array, fileName?: string): string {
  return sniffMagic(head) ?? byExtension(fileName) ?? OCTET;
}

/** The video type the content itself shows (magic numbers only, never the file name), or undefined. */
export function sniffVideo(head: Uint8Array): string | undefined {
  const t = sniffMagic(head);
  return t?.startsWith('video/') ? t : undefined;
}

function sniffMagic(b: Uint8Array): string | undefined {
  // ISO BMFF (ISO/IEC 14496-12 §4.3): box size, then "ftyp", then the major brand.
  if (ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand === 'M4A ') return 'audio/mp4';
    return 'video/mp4';
  }
  // EBML header (RFC 8794 §8.1); the DocType says whether it is WebM or Matroska.
  if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])) {
    return ascii(b, 0, Math.min(b.length, 64)).includes('webm') ? 'video/webm' : 'video/x-matroska';
  }
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(b, 0, 5) === '%PDF-') return 'application/pdf';
  // Local file header, or end-of-central-directory of an empty archive (APPNOTE §4.3).
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) return 'application/zip';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'AVI ') return 'video/x-msvideo';
  // FLV header (Adobe FLV spec §E.2): "FLV", version 1.
  if (ascii(b, 0, 3) === 'FLV' && b[3] === 1) return 'video/x-flv';
  // ASF header object GUID 75B22630-668E-11CF-A6D9-00AA0062CE6C (ASF spec §3.1), as WMV uses it.
  if (startsWith(b, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c])) return 'video/x-ms-wmv';
  // MPEG program stream pack header start code (ISO/IEC 13818-1 §2.5.3.3).
  if (startsWith(b, [0x00, 0x00, 0x01, 0xba])) return 'video/mpeg';
  if (looksLikeText(b)) return 'text/plain; charset=utf-8';
  return undefined;
}

function byExtension(fileName: string | undefined): string | undefined {
  return fileName === undefined ? undefined : BY_EXTENSION[extname(fileName).toLowerCase()];
}

/** Valid UTF-8 (a sequence cut at the end of the sample is fine) with no control bytes but tab, LF, CR, FF. */
function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  const sample = b.subarray(0, SNIFF_BYTES);
  for (const c of sample) {
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) || c === 0x7f) return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function startsWith(b: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((m, i) => b[i] === m);
}

function ascii(b: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}
