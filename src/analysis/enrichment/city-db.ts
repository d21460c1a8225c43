import { Reader, type Response } from 'mmdb-lib';
import { InputError } from '../../domain/errors.ts';

/** The fields of DB-IP Lite city in @ip-location-db's MMDB layout. */
export interface CityRecord {
  readonly country_code?: string;
  readonly state1?: string;
  readonly city?: string;
  readonly latitude?: number;
  readonly longitude?: number;
}

/**
 * A city MMDB read with mmdb-lib. mmdb-lib decodes a record per look-up; its cache option
 * (keyed by the record's offset) keeps decoded records, bounded here at CACHE_MAX so the
 * 500,000 look-ups/s target (bench/enrichment.bench.ts) holds: without it ~260,000/s.
 */
const CACHE_MAX = 200_000;

export class CityDb {
  private readonly reader: Reader<Response>;
  readonly buildEpoch: Date;
  readonly ipVersion: number;
  private readonly tree: Buffer;
  private readonly nodeCount: number;
  private readonly nodeBytes: number;
  private readonly recordBits: number;
  private readonly v4Root: number;
  /** Record by data pointer, for lookupV4: the tree walk gives the pointer, and most look-ups share one. */
  private readonly byPointer = new Map<number, CityRecord | null>();

  constructor(bytes: Buffer) {
    const cache = new Map<string | number, unknown>();
    try {
      this.reader = new Reader(bytes, {
        cache: {
          get: (k) => cache.get(k),
          set: (k, v) => { if (cache.size >= CACHE_MAX) cache.clear(); cache.set(k, v); },
        },
      });
    } catch (e) {
      throw new InputError(`not a MaxMind DB (mmdb) file: ${(e as Error).message}`);
    }
    this.buildEpoch = this.reader.metadata.buildEpoch;
    this.ipVersion = this.reader.metadata.ipVersion;
    this.tree = bytes;
    this.nodeCount = this.reader.metadata.nodeCount;
    this.nodeBytes = this.reader.metadata.nodeByteSize;
    this.recordBits = this.reader.metadata.recordSize;
    if (![24, 28, 32].includes(this.recordBits)) throw new InputError(`mmdb record size ${this.recordBits}: only 24, 28 and 32 are defined`);
    // IPv4 in an IPv6 tree: the ::/96 prefix (96 left branches), as mmdb-lib does.
    let node = 0;
    if (this.ipVersion === 6) for (let i = 0; i < 96 && node < this.nodeCount; i++) node = this.record(node, 0);
    this.v4Root = node;
  }

  /** The left (0) or right (1) record of a search-tree node (MaxMind DB format 2.0, section "Search Tree"). */
  private record(node: number, bit: number): number {
    const b = this.tree;
    const o = node * this.nodeBytes;
    switch (this.recordBits) {
      case 24: { const p = o + 3 * bit; return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!; }
      case 28: return bit === 0 ? ((b[o + 3]! & 0xf0) << 20) | (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!
        : ((b[o + 3]! & 0x0f) << 24) | (b[o + 4]! << 16) | (b[o + 5]! << 8) | b[o + 6]!;
      default: { const p = o + 4 * bit; return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!); }
    }
  }

  get databaseType(): string {
    return this.reader.metadata.databaseType;
  }

  /**
   * The record of an IPv4 address given as its 32-bit number (`ip` its dotted form, decoded only
   * the first time its record is met). Walks the search tree itself instead of mmdb-lib parsing
   * the address text again: the enricher has the number already (500,000 look-ups/s target,
   * bench/enrichment.bench.ts). Same answer as lookup(ip) (test/unit/analysis/enrichment).
   */
  lookupV4(n: number, ip: string): CityRecord | undefined {
    const count = this.nodeCount;
    let node = this.v4Root;
    for (let bit = 31; bit >= 0 && node < count; bit--) node = this.record(node, (n >>> bit) & 1);
    if (node <= count) return undefined; // == nodeCount: no data for the address
    let rec = this.byPointer.get(node);
    if (rec === undefined) {
      rec = this.lookup(ip) ?? null;
      if (this.byPointer.size >= CACHE_MAX) this.byPointer.clear();
      this.byPointer.set(node, rec);
    }
    return rec ?? undefined;
  }

  lookup(ip: string): CityRecord | undefined {
    // DB-IP's layout is not one of MaxMind's response types mmdb-lib declares.
    return (this.reader.get(ip) as unknown as CityRecord | null) ?? undefined;
  }
}
