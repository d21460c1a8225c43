import { createHash, randomBytes } from 'node:crypto';
import { encode } from '../../src/bencode/index.ts';
import type { Decoy } from '../../src/domain/decoy.ts';
import type { PieceSource } from '../../src/domain/piece-source.ts';

/** A decoy over random bytes, built independently of src/decoy so seeder tests do not trust the builder. */
export function testDecoy(opts: { id?: number; size?: number; pieceLength?: number; name?: string } = {}): { decoy: Decoy; content: Uint8Array; source: PieceSource } {
  const size = opts.size ?? 100_000;
  const pieceLength = opts.pieceLength ?? 32_768;
  const content = new Uint8Array(randomBytes(size));
  const pieceCount = Math.ceil(size / pieceLength);
  const hashes: Buffer[] = [];
  for (let i = 0; i < pieceCount; i++) hashes.push(createHash('sha1').update(content.subarray(i * pieceLength, Math.min(size, (i + 1) * pieceLength))).digest());
  const info = encode({ length: size, name: opts.name ?? 'holiday-video-0042.mp4', 'piece length': pieceLength, pieces: new Uint8Array(Buffer.concat(hashes)) });
  const decoy: Decoy = {
    id: opts.id ?? 1, infoHash: createHash('sha1').update(info).digest('hex'), name: opts.name ?? 'holiday-video-0042.mp4',
    payloadId: createHash('sha256').update(content).digest('hex'), size, pieceLength, pieceCount, info,
    contentSha256: createHash('sha256').update(content).digest('hex'), status: 'active', createdAt: Date.now(),
  };
  const source: PieceSource = {
    length: size,
    read(offset, length) {
      if (offset < 0 || offset + length > size) throw new RangeError('out of range');
      return content.subarray(offset, offset + length);
    },
  };
  return { decoy, content, source };
}
