import { PayloadError } from '../errors.ts';
import { NONCE_BYTES, type PaddingLayout } from './layout.ts';

const EOCD_SIG = 0x06054b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;

/**
 * ZIP padding (APPNOTE 6.3.10): the local entries stay at the start, the padding goes
 * between them and the central directory, and the end records say where the central
 * directory now is. Readers find the central directory through the end records
 * (§4.3.16), so the unused gap is never read. The nonce is the archive comment.
 * The end records are always ZIP64 (§4.3.14-15) so the same tail works for decoys
 * over 4 GiB; the classic EOCD then holds 0xFFFFFFFF for the offset.
 */
export function zipLayout(variant: Uint8Array): PaddingLayout {
  const v = Buffer.from(variant.buffer, variant.byteOffset, variant.byteLength);
  const eocd = v.length - 22;
  if (eocd < 0 || v.readUInt32LE(eocd) !== EOCD_SIG || v.readUInt16LE(eocd + 20) !== 0) throw new PayloadError('ZIP variant must end with an EOCD record without comment');
  const entries = v.readUInt16LE(eocd + 10);
  const cdSize = v.readUInt32LE(eocd + 12);
  const cdOffset = v.readUInt32LE(eocd + 16);
  if (cdOffset + cdSize !== eocd) throw new PayloadError('ZIP variant: central directory must sit right before the EOCD');
  const head = new Uint8Array(variant.subarray(0, cdOffset));
  const cd = new Uint8Array(variant.subarray(cdOffset, eocd));
  const tailLength = cd.length + 56 + 20 + 22 + NONCE_BYTES;
  return {
    format: 'zip', head, fill: 0, tailLength,
    paddingDoc: 'unused bytes between the last entry and the central directory, located through ZIP64 end records; nonce in the archive comment (APPNOTE §4.3.6, §4.3.14-16)',
    tail(size, nonce) {
      const t = Buffer.alloc(tailLength);
      const cdAt = size - tailLength;
      t.set(cd, 0);
      let p = cd.length;
      const z64At = cdAt + cd.length;
      // ZIP64 end of central directory record (§4.3.14).
      t.writeUInt32LE(ZIP64_EOCD_SIG, p); t.writeBigUInt64LE(44n, p + 4);
      t.writeUInt16LE(45, p + 12); t.writeUInt16LE(45, p + 14);
      t.writeUInt32LE(0, p + 16); t.writeUInt32LE(0, p + 20);
      t.writeBigUInt64LE(BigInt(entries), p + 24); t.writeBigUInt64LE(BigInt(entries), p + 32);
      t.writeBigUInt64LE(BigInt(cd.length), p + 40); t.writeBigUInt64LE(BigInt(cdAt), p + 48);
      p += 56;
      // ZIP64 end of central directory locator (§4.3.15).
      t.writeUInt32LE(ZIP64_LOCATOR_SIG, p); t.writeUInt32LE(0, p + 4); t.writeBigUInt64LE(BigInt(z64At), p + 8); t.writeUInt32LE(1, p + 16);
      p += 20;
      // Classic EOCD (§4.3.16): counts kept, offset deferred to ZIP64, comment = nonce.
      t.writeUInt32LE(EOCD_SIG, p); t.writeUInt16LE(0, p + 4); t.writeUInt16LE(0, p + 6);
      t.writeUInt16LE(entries, p + 8); t.writeUInt16LE(entries, p + 10);
      t.writeUInt32LE(cd.length, p + 12); t.writeUInt32LE(0xffffffff, p + 16); t.writeUInt16LE(NONCE_BYTES, p + 20);
      t.set(nonce, p + 22);
      return new Uint8Array(t.buffer, t.byteOffset, t.length);
    },
  };
}
