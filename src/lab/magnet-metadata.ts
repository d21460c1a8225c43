import { createHash } from 'node:crypto';
import type Wire from 'bittorrent-protocol';
import utMetadata from 'ut_metadata';
import { MAX_INFO_BYTES } from './info-layout.ts';

export interface MetadataCallbacks {
  /** The info dictionary, already checked against the infohash. */
  onInfo(info: Uint8Array): void;
  onError(message: string): void;
}

/**
 * Magnet mode: fetch the info dictionary over BEP 9 with the npm ut_metadata
 * extension. Must be called before the handshake so that our BEP 10
 * handshake advertises ut_metadata. We refuse oversized metadata before
 * fetching and verify SHA-1(info) == infohash ourselves (BEP 9: "the
 * metadata ... must be verified against the info-hash").
 */
export function fetchMetadataOverWire(wire: Wire, infoHash: Uint8Array, cb: MetadataCallbacks): void {
  wire.use(utMetadata());
  const ext = wire.ut_metadata;
  if (ext === undefined) throw new Error('ut_metadata extension did not register');
  // ut_metadata writes data at piece*16KiB without a bounds check; a bad piece index would throw inside the Wire parser.
  const onMessage = ext.onMessage.bind(ext);
  ext.onMessage = (payload) => {
    try {
      onMessage(payload);
    } catch (err) {
      cb.onError(`malformed ut_metadata message: ${(err as Error).message}`);
    }
  };
  let done = false;
  wire.on('extended', (name, payload) => {
    if (name !== 'handshake' || done) return;
    const hs = payload as { m?: Record<string, unknown>; metadata_size?: unknown };
    if (typeof hs.m !== 'object' || hs.m === null || !('ut_metadata' in hs.m)) return fail('peer does not support ut_metadata (BEP 9)');
    const size = hs.metadata_size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0 || size > MAX_INFO_BYTES) {
      return fail(`peer announced metadata_size ${String(size)}, outside [1, ${MAX_INFO_BYTES}]`);
    }
    ext.fetch();
  });
  ext.on('warning', (err) => fail(`metadata: ${err.message}`));
  ext.on('metadata', () => {
    if (done) return;
    const info = ext.metadata;
    if (info === undefined) return fail('metadata event without metadata');
    if (!createHash('sha1').update(info).digest().equals(infoHash)) return fail('fetched metadata does not match the infohash');
    done = true;
    cb.onInfo(info);
  });

  function fail(message: string): void {
    if (done) return;
    done = true;
    cb.onError(message);
  }
}
