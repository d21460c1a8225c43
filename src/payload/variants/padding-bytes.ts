import { createHmac } from 'node:crypto';
import { PayloadError } from '../errors.ts';
import { MAX_MP4_SHIFT } from './mp4-shift.ts';

const all = (except: (b: number) => boolean = () => false) => Array.from({ length: 256 }, (_, b) => b).filter((b) => !except(b));

/**
 * The padding bytes each format's readers skip (issue 10 item 3: zeros everywhere were one more
 * constant). Zeros stay allowed; others only where the padding is never parsed, or parsed as
 * nothing a reader acts on:
 * - inside an MP4 `free` box, the unused gap of a ZIP, after a JPEG EOI, PNG IEND, BMP pixel array,
 *   tar end blocks, the ASF Data Object, the RIFF form, or the MPEG program end: never read;
 * - AVI: not an ASCII digit, so no run of the byte reads as a stream chunk tag ("00dc");
 * - FLV: ffmpeg reads on after the last tag, so not a byte whose low 5 bits name an audio (8),
 *   video (9) or script (18) tag: any other tag type is skipped;
 * - GIF: not an extension (0x21), image (0x2C) or trailer (0x3B) introducer;
 * - Matroska/WebM: 0x00-0x0F, which start no EBML ID (RFC 8794 §5: IDs are at most 4 octets);
 * - PDF: white space (ISO 32000-1 §7.2.2: NUL, HT, LF, FF, CR, SP); text and HTML: SP, HT, LF.
 * test/unit/payload/padding-bytes-decode.test.ts checks them with real decoders where installed.
 */
export const SAFE_FILLS: Readonly<Record<string, readonly number[]>> = {
  mp4: all(), m4v: all(), mov: all(), '3gp': all(), zip: all(), jpg: all(), png: all(), bmp: all(), tar: all(), wmv: all(), mpg: all(),
  avi: all((b) => b >= 0x30 && b <= 0x39),
  flv: all((b) => [8, 9, 18].includes(b & 0x1f)),
  gif: all((b) => b === 0x21 || b === 0x2c || b === 0x3b),
  mkv: all((b) => b > 0x0f), webm: all((b) => b > 0x0f),
  pdf: [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20],
  txt: [0x20, 0x09, 0x0a], html: [0x20, 0x09, 0x0a],
};

/**
 * A stored format key: the format, and after `~` the padding byte in hex when it is not the
 * format's classic one (`mp4~a7`). Decoys built before issue 10 keep their plain key (`mp4`), so
 * their bytes are recomputed as they were built.
 */
export function formatKey(format: string, padding: Padding | undefined): string {
  if (padding === undefined) return format;
  const fill = `${format}~${padding.fill.toString(16).padStart(2, '0')}`;
  return padding.shift === undefined ? fill : `${fill}~${padding.shift.toString(16).padStart(4, '0')}`;
}

/** A deployment's padding of one format: its padding byte, and for MP4-family files the shift (mp4-shift.ts). */
export interface Padding { readonly fill: number; readonly shift?: number }

/** Formats whose variant a deployment shifts with a `free` box after `ftyp`. */
export const SHIFTED_FORMATS: ReadonlySet<string> = new Set(['mp4', 'm4v', 'mov', '3gp']);

export function parseFormatKey(key: string): { format: string; fill?: number; shift?: number } {
  const m = /^([a-z0-9]+)~([0-9a-f]{2})(?:~([0-9a-f]{4}))?$/.exec(key);
  if (!m) return { format: key };
  const format = m[1]!;
  const fill = parseInt(m[2]!, 16);
  if (!SAFE_FILLS[format]?.includes(fill)) throw new PayloadError(`padding byte 0x${m[2]} is not one ${format} readers skip`);
  if (m[3] === undefined) return { format, fill };
  const shift = parseInt(m[3], 16);
  if (!SHIFTED_FORMATS.has(format) || shift < 8 || shift > MAX_MP4_SHIFT) throw new PayloadError(`format key ${key}: no such shift for ${format}`);
  return { format, fill, shift };
}

/** Per-deployment padding: a byte per format, and a shift per MP4-family format, drawn with the deployment's choice key. */
export function seededPadding(choiceKey: Uint8Array): (format: string) => Padding | undefined {
  return (format) => {
    const safe = SAFE_FILLS[format];
    if (!safe) return undefined; // BEP 47 pad files stay zeros.
    const h = createHmac('sha256', choiceKey).update(`padding/${format}`).digest();
    const fill = safe[h.readUInt32BE(0) % safe.length]!;
    return SHIFTED_FORMATS.has(format) ? { fill, shift: 8 + (h.readUInt32BE(4) % (MAX_MP4_SHIFT - 7)) } : { fill };
  };
}
