import { PayloadError } from '../errors.ts';
import { NONCE_BYTES, PAD_LAYOUT, simpleLayout, type PaddingLayout } from './layout.ts';
import { shiftMp4 } from './mp4-shift.ts';
import { parseFormatKey } from './padding-bytes.ts';
import { zipLayout } from './zip-padding.ts';

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const raw = (nonce: Uint8Array) => nonce;

/**
 * Container-specific ignorable padding per format (issue 3 §3). Every entry is
 * checked with a real decoder in test/unit/payload/variants-decode.test.ts.
 */
export function paddingLayout(key: string, variant: Uint8Array): PaddingLayout {
  const { format, fill, shift } = parseFormatKey(key);
  // Issue 10 item 3: the deployment's shifted MP4 and its padding byte, stored under its key.
  const layout = classicLayout(format, shift === undefined ? variant : shiftMp4(variant, shift, fill ?? 0));
  return fill === undefined ? layout : { ...layout, format: key, fill };
}

function classicLayout(format: string, variant: Uint8Array): PaddingLayout {
  switch (format) {
    case 'pad':
      return PAD_LAYOUT;
    case 'mp4': case 'm4v': case 'mov': case '3gp':
      // ISO/IEC 14496-12 §4.2: a box of size 0 "extends to the end of the file", and
      // readers skip `free` boxes (§8.1.2). The header is fixed, so it sits in the head.
      return simpleLayout(format, variant, {
        opener: new Uint8Array([0, 0, 0, 0, 0x66, 0x72, 0x65, 0x65]), closer: raw, tailLength: NONCE_BYTES,
        paddingDoc: 'a top-level `free` box of size 0 (extends to end of file, ISO/IEC 14496-12 §4.2, §8.1.2)',
      });
    case 'mkv': case 'webm':
      return trailing(format, variant, 'bytes after the Segment: its size is known, so EBML readers stop there (RFC 8794 §6, Matroska §7)');
    case 'avi':
      return trailing(format, variant, 'bytes after the RIFF form: the RIFF header gives its length (RIFF §2); readers stop there');
    case 'wmv':
      return trailing(format, variant, 'bytes after the ASF Data Object, whose size the header records (ASF §5.1)');
    case 'mpg':
      return trailing(format, variant, 'zero bytes after the MPEG_program_end_code; demuxers scan for the next start code (ISO/IEC 13818-1 §2.5.3)');
    case 'flv':
      return trailing(format, variant, 'bytes after the last FLV tag (readers stop at end of tags; ffmpeg notes a packet mismatch and decodes all frames)');
    case 'jpg':
      return trailing(format, variant, 'bytes after the EOI marker (ITU-T T.81 §B.2.1: decoding ends at EOI)');
    case 'png':
      return trailing(format, variant, 'bytes after the IEND chunk (PNG §5.6: IEND ends the datastream)');
    case 'gif':
      return trailing(format, variant, 'bytes after the GIF trailer 0x3B (GIF89a §27)');
    case 'bmp':
      return trailing(format, variant, 'bytes after the pixel array; the file header records its own size and offset');
    case 'tar':
      return trailing(format, variant, 'bytes after the end-of-archive zero blocks (POSIX ustar: two zero blocks end the archive)');
    case 'pdf':
      return pdfLayout(variant);
    case 'txt':
      return simpleLayout(format, variant, {
        fill: 0x20, closer: (n) => ascii(`\n${hex(n)}\n`), tailLength: NONCE_BYTES * 2 + 2,
        paddingDoc: 'spaces after the text, then a line with the decoy nonce in hex',
      });
    case 'html':
      return simpleLayout(format, variant, {
        fill: 0x20, closer: (n) => ascii(`\n<!-- ${hex(n)} -->\n`), tailLength: NONCE_BYTES * 2 + 11,
        paddingDoc: 'white space after </html>, then an HTML comment with the decoy nonce (whitespace and comments do not render)',
      });
    case 'zip':
      return zipLayout(variant);
    default:
      throw new PayloadError(`no padding layout for format ${format}`);
  }
}

function trailing(format: string, variant: Uint8Array, paddingDoc: string): PaddingLayout {
  return simpleLayout(format, variant, { closer: raw, tailLength: NONCE_BYTES, paddingDoc });
}

/**
 * PDF readers look for `startxref` and `%%EOF` near the end of the file (ISO 32000-1
 * §7.5.5), so after the padding the tail repeats the variant's startxref offset and
 * ends with %%EOF; the nonce is a PDF comment (§7.2.4). NUL and space are PDF white space.
 */
function pdfLayout(variant: Uint8Array): PaddingLayout {
  const text = Buffer.from(variant).toString('latin1');
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text);
  if (!m) throw new PayloadError('PDF variant has no startxref ... %%EOF at its end');
  const xref = m[1]!;
  const closer = (n: Uint8Array) => ascii(`\n%${hex(n)}\nstartxref\n${xref}\n%%EOF\n`);
  return simpleLayout('pdf', variant, {
    fill: 0x20, closer, tailLength: closer(new Uint8Array(NONCE_BYTES)).length,
    paddingDoc: 'white space after %%EOF, then a comment with the nonce and a repeated startxref/%%EOF (ISO 32000-1 §7.5.5)',
  });
}
