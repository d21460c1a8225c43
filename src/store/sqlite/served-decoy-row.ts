import type { ServedDecoy } from '../../domain/decoy.ts';

/**
 * A row of SqliteStore.listServedDecoys. A class, not an object literal: V8 tracks an allocation site
 * per literal and, if one scavenge finds nearly all of a site's objects alive (likely while a page is
 * being built in interpreted code), allocates every later object of that site straight in the old
 * space. Loading 100,000 decoys then left ~12-15 MB of garbage there, kept pooled and resident until
 * the next memory-reducing GC (the node's peak RSS, bench/many-decoys.bench.ts). `new` has no
 * allocation site, so the rows die young.
 */
export class ServedDecoyRow implements ServedDecoy {
  readonly id: number;
  readonly infoHash: string;
  readonly payloadId: string;
  readonly size: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
  readonly infoLength: number;

  constructor(id: number, infoHash: string, payloadId: string, size: number, pieceLength: number, pieceCount: number, infoLength: number) {
    this.id = id;
    this.infoHash = infoHash;
    this.payloadId = payloadId;
    this.size = size;
    this.pieceLength = pieceLength;
    this.pieceCount = pieceCount;
    this.infoLength = infoLength;
  }
}
