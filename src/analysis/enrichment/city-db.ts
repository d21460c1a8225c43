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
  }

  get databaseType(): string {
    return this.reader.metadata.databaseType;
  }

  lookup(ip: string): CityRecord | undefined {
    // DB-IP's layout is not one of MaxMind's response types mmdb-lib declares.
    return (this.reader.get(ip) as unknown as CityRecord | null) ?? undefined;
  }
}
