import { createHash } from 'node:crypto';
import { toServedDecoy, type Decoy, type ServedDecoy } from '../../domain/decoy.ts';
import type { PieceSource } from '../../domain/piece-source.ts';
import { infoHashFromHex } from '../../domain/info-hash.ts';
import type { ServedTorrent } from './served-torrent.ts';

export interface TorrentIndexDeps {
  sourceFor(d: ServedDecoy): PieceSource;
  /** The decoy's exact info dict, from the store. */
  loadInfo(d: ServedDecoy): Uint8Array;
  /** Info dicts kept in memory (BEP 9 requests cluster on new decoys). */
  infoCacheSize?: number;
}

/**
 * Routes an incoming handshake to its decoy by infohash: one Map lookup, no per-torrent
 * sockets or timers. Per decoy it keeps one compact ServedDecoy and two map entries keyed
 * by 20-char binary strings; info dicts live in a small LRU.
 * Also keeps MSE's HASH('req2', SKEY) -> infohash index, because an encrypted initiator
 * names the torrent only through that hash (MSE spec, step 3).
 */
export class TorrentIndex {
  readonly #byHash = new Map<string, ServedDecoy>();
  readonly #byReq2 = new Map<string, string>();
  readonly #info = new Map<number, Uint8Array>();
  readonly #deps: TorrentIndexDeps;

  constructor(deps: TorrentIndexDeps) {
    this.#deps = deps;
  }

  add(decoy: Decoy | ServedDecoy): void {
    const d = toServedDecoy(decoy);
    const key = binKey(d.infoHash);
    this.#byHash.set(key, d);
    this.#byReq2.set(req2Key(infoHashFromHex(d.infoHash)), key);
    // A caller that already holds the info dict saves the first BEP 9 request a lookup.
    if ('info' in decoy) this.#cacheInfo(d.id, decoy.info);
  }

  remove(infoHashHex: string): boolean {
    const key = binKey(infoHashHex);
    const d = this.#byHash.get(key);
    if (!d) return false;
    this.#byHash.delete(key);
    this.#byReq2.delete(req2Key(infoHashFromHex(d.infoHash)));
    this.#info.delete(d.id);
    return true;
  }

  get(infoHashHex: string): ServedTorrent | undefined {
    const d = this.#byHash.get(binKey(infoHashHex));
    return d && this.#wrap(d);
  }

  /** MSE responder hook: HASH('req2', SKEY) -> SKEY (the infohash), if it is ours. */
  resolveReq2(req2: Uint8Array): Uint8Array | undefined {
    const key = this.#byReq2.get(Buffer.from(req2).toString('latin1'));
    return key === undefined ? undefined : new Uint8Array(Buffer.from(key, 'latin1'));
  }

  get size(): number { return this.#byHash.size; }

  /** The compact entries themselves: for bulk work (scheduling 100,000 announces) without per-decoy wrappers. */
  decoys(): IterableIterator<ServedDecoy> {
    return this.#byHash.values();
  }

  *values(): IterableIterator<ServedTorrent> {
    for (const d of this.#byHash.values()) yield this.#wrap(d);
  }

  #wrap(d: ServedDecoy): ServedTorrent {
    return {
      decoy: d,
      infoHash: infoHashFromHex(d.infoHash),
      source: () => this.#deps.sourceFor(d),
      info: () => {
        let info = this.#info.get(d.id);
        if (info) { this.#info.delete(d.id); this.#info.set(d.id, info); return info; }
        info = this.#deps.loadInfo(d);
        if (info.length !== d.infoLength) throw new Error(`decoy ${d.id}: stored info dict is ${info.length} bytes, expected ${d.infoLength}`);
        this.#cacheInfo(d.id, info);
        return info;
      },
    };
  }

  #cacheInfo(id: number, info: Uint8Array): void {
    this.#info.set(id, info);
    if (this.#info.size > (this.#deps.infoCacheSize ?? 1024)) this.#info.delete(this.#info.keys().next().value!);
  }
}

const binKey = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');

function req2Key(infoHash: Uint8Array): string {
  return createHash('sha1').update('req2').update(infoHash).digest().toString('latin1');
}
