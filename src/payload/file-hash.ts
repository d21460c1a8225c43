import { createHash } from 'node:crypto';
import { readSync, writeSync } from 'node:fs';
import { SNIFF_BYTES } from './media-type.ts';

/** Read size for hashing; keeps memory flat however large the file (BEP-sized payloads are small anyway). */
const CHUNK = 1 << 20;

export interface HashResult {
  /** SHA-256, lowercase hex. */
  readonly sha256: string;
  /** Bytes actually read; differs from the expected size if the file changed under us. */
  readonly bytesRead: number;
  /** The first bytes (up to SNIFF_BYTES), for media-type sniffing. */
  readonly head: Uint8Array;
}

/**
 * Streams an open file from offset 0 through SHA-256, optionally copying every
 * byte to `copyTo`. Reads at most `limit` + 1 bytes so a file that grows while we
 * read cannot make us loop or buffer without bound.
 */
export function hashFile(fd: number, limit: number, copyTo?: number): HashResult {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  let head = new Uint8Array(0);
  let pos = 0;
  while (pos <= limit) {
    const n = readSync(fd, buf, 0, Math.min(CHUNK, limit + 1 - pos), pos);
    if (n === 0) break;
    const chunk = buf.subarray(0, n);
    if (pos === 0) head = Uint8Array.from(chunk.subarray(0, SNIFF_BYTES));
    h.update(chunk);
    if (copyTo !== undefined) writeAll(copyTo, chunk);
    pos += n;
  }
  return { sha256: h.digest('hex'), bytesRead: pos, head };
}

function writeAll(fd: number, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
}
