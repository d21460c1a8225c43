import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { encode } from '../../src/bencode/index.ts';
import type { DeliveryObservation } from '../../src/domain/observation.ts';
import { uuidV7 } from '../../src/domain/uuid-v7.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

/** UTC ms of record 0. */
export const T0 = 1_764_000_000_000;
const SIZE = 1_099_131;
const PIECE = 16_384;
const PIECES = Math.ceil(SIZE / PIECE);
const INFO = encode({ length: SIZE, name: 'holiday-video-0042.mp4', 'piece length': PIECE, pieces: Buffer.alloc(20 * PIECES) });

/**
 * The one decoy the evidence benchmarks' records name: consistent (its info dict hashes to its
 * infohash and holds its name and size, as the verifier checks); its content is never needed.
 */
export const BENCH_DECOY = { id: 1, name: 'holiday-video-0042.mp4', size: SIZE, pieceLength: PIECE, pieceCount: PIECES, info: INFO, infoHash: createHash('sha1').update(INFO).digest('hex') };

/** A store in `dir` holding BENCH_DECOY and its payload row. */
export function benchStore(dir: string): SqliteStore {
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  const d = BENCH_DECOY;
  store.insertPayload({ id: 'cd'.repeat(32), size: 1, label: 'p', mediaType: 'video/mp4', addedAt: 1 });
  store.database.prepare(`INSERT INTO decoys (id, info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 1)`).run(d.id, d.infoHash, d.name, 'cd'.repeat(32), d.size, d.pieceLength, d.pieceCount, d.info, 'cd'.repeat(32));
  return store;
}

/** Delivery i, shaped exactly as the seeder's DeliverySession.finish() builds it, from `remoteIp`. */
export function benchDelivery(i: number, remoteIp: string): DeliveryObservation {
  return {
    kind: 'delivery', blocksServed: PIECES, bytesServed: SIZE, client: 'Transmission 3.00', clientVersion: 'Transmission 3.00',
    completed: true, decoyId: BENCH_DECOY.id, disconnectReason: 'peer-closed', encryption: 'mse-rc4', endedAt: T0 + 4000 + i,
    infoHash: BENCH_DECOY.infoHash, listenPort: 51413, localIp: '198.18.0.2', localPort: 6881, metadataOnly: false, metadataPiecesServed: 1,
    peerId: '2d5452333030302d6162636465666768696a6b6c', peerPiecesAtEnd: 5, peerPiecesAtStart: 0,
    remoteIp, remotePort: 1024 + (i % 60_000), servedRanges: [[0, SIZE]],
    sessionId: uuidV7(T0 + i), startedAt: T0 + i, transport: 'tcp',
  };
}
