import { HASH_BYTES } from './constants.ts';
import { req2Hash } from './hashes.ts';

/**
 * Builds the `resolveReq2` lookup for MseResponderOptions: the responder only sees
 * HASH('req2', SKEY), so a seeder serving many torrents maps that hash back to the infohash.
 * The index is a snapshot; rebuild it when the set of served torrents changes.
 */
export function buildReq2Resolver(infoHashes: Iterable<Uint8Array>): (req2: Uint8Array) => Uint8Array | undefined {
  const index = new Map<string, Uint8Array>();
  for (const ih of infoHashes) {
    if (ih.length !== 20) throw new RangeError(`infohash must be 20 bytes, got ${ih.length}`);
    index.set(Buffer.from(req2Hash(ih)).toString('hex'), new Uint8Array(ih));
  }
  return (req2) => {
    if (req2.length !== HASH_BYTES) return undefined;
    const hit = index.get(Buffer.from(req2).toString('hex'));
    return hit === undefined ? undefined : new Uint8Array(hit);
  };
}
