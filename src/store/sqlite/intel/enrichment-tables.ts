import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Enrichment, GeoDatabase, NetworkCaveat } from '../../../domain/enrichment.ts';
import { InputError } from '../../../domain/errors.ts';
import type { DataPurpose, StoredEnrichment } from '../../intelligence.ts';

/** Rows per multi-row statement: 18 parameters a row stays under SQLite's 32,766 and PostgreSQL's 65,535. */
const CHUNK = 1000;
const HISTORY_COLUMNS = ['ip_id', 'enriched_at', 'placeable', 'not_placeable', 'country', 'region', 'city', 'latitude', 'longitude',
  'county_no', 'county_name', 'municipality_no', 'municipality_name', 'municipality_method', 'asn', 'as_org', 'caveats', 'databases'];

/**
 * The data directory's purpose, the geo databases used, and the enrichment history (never
 * updated, only appended). Writes are multi-row statements, a thousand addresses each: one
 * statement per address is a network round trip on PostgreSQL (issue 12: a year of addresses,
 * about 600,000 at 10 million deliveries, must enrich in minutes, not hours).
 */
export class EnrichmentTables {
  readonly #db: DatabaseSync;
  readonly #full = new Map<string, StatementSync>();
  constructor(db: DatabaseSync) { this.#db = db; }

  /** A statement for `n` rows of `one` (a parenthesised row), kept for the full chunk size only. */
  #rows(name: string, head: string, one: string, n: number, tail = ''): StatementSync {
    const make = () => this.#db.prepare(`${head} ${Array.from({ length: n }, () => one).join(', ')} ${tail}`);
    if (n !== CHUNK) return make();
    let st = this.#full.get(name);
    if (!st) { st = make(); this.#full.set(name, st); }
    return st;
  }

  /** Set once (setPurpose refuses a change), so a purpose once read is kept: every dossier and stats call asks. */
  #purpose: DataPurpose | undefined;
  purpose(): DataPurpose | undefined {
    if (this.#purpose !== undefined) return this.#purpose;
    const r = this.#db.prepare('SELECT purpose FROM data_purpose WHERE id = 1').get();
    this.#purpose = r ? (String(r.purpose) as DataPurpose) : undefined;
    return this.#purpose;
  }

  setPurpose(purpose: DataPurpose, note: string, at: number): void {
    const now = this.purpose();
    if (now === purpose) return;
    if (now !== undefined) throw new InputError(`this data directory holds ${now} data; it cannot become ${purpose}`);
    this.#db.prepare('INSERT INTO data_purpose (id, purpose, note, set_at) VALUES (1, ?, ?, ?)').run(purpose, note, at);
  }

  recordDatabases(dbs: readonly GeoDatabase[], at: number): void {
    const st = this.#db.prepare('INSERT OR IGNORE INTO geo_databases (sha256, name, kind, build_date, source, first_used_at) VALUES (?, ?, ?, ?, ?, ?)');
    for (const d of dbs) st.run(d.sha256, d.name, d.kind, d.buildDate, d.source, at);
  }

  databases(): GeoDatabase[] {
    return this.#db.prepare('SELECT * FROM geo_databases ORDER BY first_used_at, name').all().map((r) => ({
      sha256: String(r.sha256), name: String(r.name), kind: String(r.kind) as GeoDatabase['kind'], buildDate: String(r.build_date), source: String(r.source),
    }));
  }

  unenrichedIps(limit: number): string[] {
    // Refreshes enrich in ip_id order, a batch per transaction, so every address up to the highest
    // assessed id has an assessment: the rest is a range scan, not a scan of every address (dossier p95 target).
    return this.#db.prepare('SELECT ip FROM intel_ips WHERE ip_id > (SELECT COALESCE(MAX(ip_id), 0) FROM intel_ip_geo) ORDER BY ip_id LIMIT ?')
      .all(limit).map((r) => String(r.ip));
  }

  knownIps(afterIp: string, limit: number): string[] {
    return this.#db.prepare('SELECT ip FROM intel_ips WHERE ip > ? ORDER BY ip LIMIT ?').all(afterIp, limit).map((r) => String(r.ip));
  }

  /** Puts the ids of these addresses (made if new) into intel_stage_ips, which is emptied first. Inside the caller's transaction. */
  stageIps(ips: readonly string[]): void {
    this.#db.exec('DELETE FROM intel_stage_ips');
    for (let i = 0; i < ips.length; i += CHUNK) {
      const part = ips.slice(i, i + CHUNK);
      this.#rows('ips', 'INSERT OR IGNORE INTO intel_ips (ip) VALUES', '(?)', part.length).run(...part);
      this.#rows('stage', 'INSERT OR IGNORE INTO intel_stage_ips (ip_id) SELECT ip_id FROM intel_ips WHERE ip IN (', '?', part.length, ')')
        .run(...part);
    }
  }

  /** Appends the assessments to the history and makes the newest of each address its current one. Call after stageIps(the same addresses). */
  saveEnrichments(rows: readonly Enrichment[]): void {
    const before = Number(this.#db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM ip_enrichment').get()!.m);
    const one = `((SELECT ip_id FROM intel_ips WHERE ip = ?), ${HISTORY_COLUMNS.slice(1).map(() => '?').join(', ')})`;
    const n = <T>(v: T | undefined) => v ?? null;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const part = rows.slice(i, i + CHUNK);
      const args = part.flatMap((e) => [e.ip, e.enrichedAt, e.placeable ? 1 : 0, n(e.notPlaceable), n(e.country), n(e.region), n(e.city), n(e.latitude), n(e.longitude),
        n(e.countyNumber), n(e.countyName), n(e.municipalityNumber), n(e.municipalityName), n(e.municipalityMethod), n(e.asn), n(e.asOrg), e.caveats.join(','), e.databases.join(',')]);
      this.#rows('history', `INSERT INTO ip_enrichment (${HISTORY_COLUMNS.join(', ')}) VALUES`, one, part.length).run(...args);
    }
    this.#db.prepare(`INSERT INTO intel_ip_geo (ip_id, enrichment_id, placeable, country, county_no, county_name, municipality_no, municipality_name, asn, as_org, caveats)
      SELECT e.ip_id, e.id, e.placeable, e.country, e.county_no, e.county_name, e.municipality_no, e.municipality_name, e.asn, e.as_org, e.caveats
      FROM ip_enrichment e WHERE e.id IN (SELECT MAX(id) FROM ip_enrichment WHERE id > ? GROUP BY ip_id)
      ON CONFLICT (ip_id) DO UPDATE SET enrichment_id = excluded.enrichment_id, placeable = excluded.placeable,
      country = excluded.country, county_no = excluded.county_no, county_name = excluded.county_name, municipality_no = excluded.municipality_no,
      municipality_name = excluded.municipality_name, asn = excluded.asn, as_org = excluded.as_org, caveats = excluded.caveats`).run(before);
  }

  enrichmentHistory(ip: string): StoredEnrichment[] {
    return this.#db.prepare('SELECT e.* FROM ip_enrichment e JOIN intel_ips i ON i.ip_id = e.ip_id WHERE i.ip = ? ORDER BY e.enriched_at, e.id').all(ip).map((r) => {
      const o: Record<string, unknown> = {
        id: Number(r.id), ip, enrichedAt: Number(r.enriched_at), placeable: Number(r.placeable) === 1,
        caveats: String(r.caveats) === '' ? [] : String(r.caveats).split(',') as NetworkCaveat[],
        databases: String(r.databases).split(',').filter(Boolean),
      };
      const opt: [string, string, 'n' | 's'][] = [['notPlaceable', 'not_placeable', 's'], ['country', 'country', 's'], ['region', 'region', 's'], ['city', 'city', 's'],
        ['latitude', 'latitude', 'n'], ['longitude', 'longitude', 'n'], ['countyNumber', 'county_no', 's'], ['countyName', 'county_name', 's'],
        ['municipalityNumber', 'municipality_no', 's'], ['municipalityName', 'municipality_name', 's'], ['municipalityMethod', 'municipality_method', 's'],
        ['asn', 'asn', 'n'], ['asOrg', 'as_org', 's']];
      for (const [k, c, t] of opt) if (r[c] !== null && r[c] !== undefined) o[k] = t === 'n' ? Number(r[c]) : String(r[c]);
      return o as unknown as StoredEnrichment;
    });
  }
}
