import { createHash } from 'node:crypto';
import type { Decoy } from '../../domain/decoy.ts';
import type { PieceSource } from '../../domain/piece-source.ts';
import { infoHashFromHex } from '../../domain/info-hash.ts';
import type { ServedTorrent } from './served-torrent.ts';

/**
 * Routes an incoming handshake to its decoy by infohash: one Map lookup, no per-torrent
 * sockets or timers, so 100,000 decoys cost two map entries each.
 * Also keeps MSE's HASH('req2', SKEY) -> infohash index, because an encrypted initiator
 * names the torrent only through that hash (MSE spec, step 3).
 */
export class TorrentIndex {
  readonly #byHash = new Map<string, ServedTorrent>();
  readonly #byReq2 = new Map<string, string>();
  readonly #sourceFor: (d: Decoy) => PieceSource;

  constructor(deps: { sourceFor: (d: Decoy) => PieceSource }) {
    this.#sourceFor = deps.sourceFor;
  }

  add(decoy: Decoy): void {
    const infoHash = infoHashFromHex(decoy.infoHash);
    const sourceFor = this.#sourceFor;
    this.#byHash.set(decoy.infoHash, { decoy, infoHash, source: () => sourceFor(decoy) });
    this.#byReq2.set(req2Key(infoHash), decoy.infoHash);
  }

  remove(infoHashHex: string): boolean {
    const t = this.#byHash.get(infoHashHex);
    if (!t) return false;
    this.#byHash.delete(infoHashHex);
    this.#byReq2.delete(req2Key(t.infoHash));
    return true;
  }

  get(infoHashHex: string): ServedTorrent | undefined {
    return this.#byHash.get(infoHashHex);
  }

  /** MSE responder hook: HASH('req2', SKEY) -> SKEY (the infohash), if it is ours. */
  resolveReq2(req2: Uint8Array): Uint8Array | undefined {
    const hex = this.#byReq2.get(Buffer.from(req2).toString('hex'));
    return hex === undefined ? undefined : this.#byHash.get(hex)?.infoHash;
  }

  get size(): number { return this.#byHash.size; }
  values(): IterableIterator<ServedTorrent> { return this.#byHash.values(); }
}

function req2Key(infoHash: Uint8Array): string {
  return createHash('sha1').update('req2').update(infoHash).digest('hex');
}
