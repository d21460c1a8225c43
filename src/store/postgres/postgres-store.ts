import type { DatabaseSync } from 'node:sqlite';
import type { Decoy, NewDecoy, ServedDecoy } from '../../domain/decoy.ts';
import { InputError } from '../../domain/errors.ts';
import type { DeliveryObservation, Observation, TrackerAnnounceObservation } from '../../domain/observation.ts';
import type { Payload } from '../../domain/payload.ts';
import type { DecoyRetirement } from '../evidence-store.ts';
import type { IntelligenceStore } from '../intelligence.ts';
import { SqliteCases } from '../sqlite/referrals/case-tables.ts';
import { SqliteReferrals } from '../sqlite/referrals/referral-tables.ts';
import type { AnnounceQuery, DecoyQuery, DeliveryQuery } from '../evidence-store.ts';
import type { AppendHook, EvidenceLogBackend } from '../evidence-log.ts';
import type { Store } from '../store.ts';
import * as queries from '../sqlite/store-queries.ts';
import { CampaignStore } from '../sqlite/campaign-store.ts';
import { DecoyFilesStore } from '../sqlite/decoy-files-store.ts';
import { SqliteHealthQueries } from '../sqlite/dht-health.ts';
import { EvidenceLogTable } from '../sqlite/evidence-log.ts';
import { SqliteNodeRuns } from '../sqlite/node-runs.ts';
import { RecordRowWriter } from '../sqlite/record-tables/row-writer.ts';
import { decoyFromRow, payloadFromRow } from '../sqlite/rows.ts';
import { RunMarkersTable } from '../sqlite/run-markers.ts';
import { ServedDecoyRow } from '../sqlite/served-decoy-row.ts';
import { SqliteVariantCatalog } from '../sqlite/variant-catalog.ts';
import { IntelStore } from '../sqlite/intel/intel-store.ts';
import { PG_INTEL } from './intel-dialect.ts';
import { PgRiskStore } from './pg-risk.ts';
import { PgSourceStore } from './pg-sources.ts';
import { ensureMonths, migrate } from './migrate.ts';
import { PgSyntheticWriter } from './synthetic-writer.ts';
import { PgDatabase } from './pg-database.ts';
import { SyncConnection } from './sync-connection.ts';

export interface PostgresStoreOptions {
  /** postgres://user@host:port/database */
  readonly url: string;
  /** A schema to keep the store's tables in (created if missing); default: the connection's search_path (public). */
  readonly schema?: string;
}

/**
 * The PostgreSQL store (issue 12 item 1): the same contract as the SQLite store, and the same
 * feature modules (src/store/sqlite/'s evidence log, record tables, campaigns, decoy files, run
 * markers, health) over PgDatabase, so the chain's SQL exists once. The chain is written in the
 * same transaction as the rows it covers, as in SQLite. Observation tables are partitioned by
 * month (pg-partitions-001).
 */
export class PostgresStore implements Store {
  readonly #conn: SyncConnection;
  readonly #pg: PgDatabase;
  readonly #db: DatabaseSync;
  readonly #rows: RecordRowWriter;
  readonly #appendHooks: AppendHook[] = [];
  readonly decoyFiles: DecoyFilesStore;
  readonly variants: SqliteVariantCatalog;
  readonly campaigns: CampaignStore;
  readonly health: SqliteHealthQueries;
  readonly nodeRuns: SqliteNodeRuns;
  readonly referrals: SqliteReferrals;
  readonly cases: SqliteCases;
  /** Other sources and cross-matching (issue 14 §1-§2; pg-sources-001): SQLite's SQL, imported rows by COPY. */
  readonly sources: PgSourceStore;
  /** Explainable risk (issue 14 §3; pg-sources-001): SQLite's SQL, scores stored by COPY. */
  readonly risk: PgRiskStore;

  constructor(opts: PostgresStoreOptions) {
    this.#conn = new SyncConnection(opts.url, opts.schema);
    try {
      if (opts.schema !== undefined) this.#conn.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema.replace(/"/g, '""')}"`);
      migrate(this.#conn);
      ensureMonths(this.#conn, Date.now());
    } catch (e) { void this.#conn.close(); throw e; }
    this.#pg = new PgDatabase(this.#conn);
    this.#pg.learnShape();
    this.#db = this.#pg.asSqlite();
    this.#rows = new RecordRowWriter(this.#db);
    this.decoyFiles = new DecoyFilesStore(this);
    this.variants = new SqliteVariantCatalog(this.#db);
    this.campaigns = new CampaignStore(this);
    this.health = new SqliteHealthQueries(this.#db);
    this.nodeRuns = new SqliteNodeRuns(this.#db);
    // The agency and retention tables, referrals made, the due list (over pg-intel-001's tables) and
    // the case register: SQLite's SQL (sqlite/referrals/), through the facade.
    this.referrals = new SqliteReferrals(this.#db);
    this.cases = new SqliteCases(this.#db);
    this.sources = new PgSourceStore(this.#db, this.#conn);
    this.risk = new PgRiskStore(this.#db, this.#conn);
    this.intel = new IntelStore(this.#db, PG_INTEL, () => new PgSyntheticWriter(this.#conn));
  }

  /** The intelligence queries (issue 11): the SQLite store's, over this connection, with PostgreSQL's date arithmetic (pg-intel-001's tables). */
  readonly intel: IntelligenceStore;

  /** The connection as the shared feature modules take it (SqliteHandle). */
  get database(): DatabaseSync { return this.#db; }

  runMarkers(): RunMarkersTable { return new RunMarkersTable(this.#db); }

  evidenceLog(): EvidenceLogBackend {
    return { tables: new EvidenceLogTable(this.#db), transaction: (fn) => this.transaction(fn), addAppendHook: (hook) => this.addAppendHook(hook) };
  }

  addAppendHook(hook: AppendHook): () => void {
    this.#appendHooks.push(hook);
    return () => { const i = this.#appendHooks.indexOf(hook); if (i >= 0) this.#appendHooks.splice(i, 1); };
  }

  /** Runs `fn` in one transaction; a throw rolls it back. */
  transaction<T>(fn: () => T): T { return this.#pg.transaction(fn); }

  insertPayload(p: Payload): void {
    this.#db.prepare('INSERT OR IGNORE INTO payloads (id, size, label, media_type, added_at) VALUES (?, ?, ?, ?, ?)')
      .run(p.id, p.size, p.label, p.mediaType, p.addedAt);
  }
  getPayload(id: string): Payload | undefined {
    const r = this.#db.prepare('SELECT * FROM payloads WHERE id = ?').get(id);
    return r ? payloadFromRow(r) : undefined;
  }
  relabelPayload(id: string, label: string): void {
    this.#db.prepare('UPDATE payloads SET label = ? WHERE id = ?').run(label, id);
  }
  listPayloads(): Payload[] {
    return this.#db.prepare('SELECT * FROM payloads ORDER BY added_at, id').all().map(payloadFromRow);
  }

  async insertDecoys(decoys: readonly NewDecoy[], now: number): Promise<Decoy[]> {
    const ins = this.#db.prepare(`INSERT INTO decoys (info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)`);
    const seen = this.#db.prepare('SELECT id FROM decoys WHERE info_hash = ?');
    return this.transaction(() => decoys.map((d) => {
      if (seen.get(d.infoHash)) throw new InputError(`a decoy with infohash ${d.infoHash} (${d.name}) already exists`);
      const r = ins.run(d.infoHash, d.name, d.payloadId, d.size, d.pieceLength, d.pieceCount, d.info, d.contentSha256, now);
      return { ...d, id: Number(r.lastInsertRowid), status: 'active' as const, createdAt: now };
    }));
  }

  async listDecoys(q: DecoyQuery = {}): Promise<Decoy[]> { return queries.listDecoys(this.#db, q); }

  async countServedDecoys(): Promise<number> {
    return Number(this.#db.prepare("SELECT COUNT(*) AS n FROM decoys WHERE status = 'active'").get()!.n);
  }

  async listServedDecoys(q: { afterId: number; limit: number }): Promise<ServedDecoy[]> {
    const page = this.#db.prepare(`SELECT id, info_hash, payload_id, size, piece_length, piece_count, length(info)
      FROM decoys WHERE status = 'active' AND id > ? ORDER BY id LIMIT ?`);
    page.setReturnArrays(true);
    return (page.all(q.afterId, q.limit) as unknown as unknown[][])
      .map((r) => new ServedDecoyRow(Number(r[0]), String(r[1]), String(r[2]), Number(r[3]), Number(r[4]), Number(r[5]), Number(r[6])));
  }

  async retireDecoys(ids: readonly number[], now: number, reason: string): Promise<number[]> {
    return queries.retireDecoys(this.#db, (fn) => this.transaction(fn), ids, now, reason);
  }

  async decoyRetirements(q: { readonly decoyId?: number } = {}): Promise<DecoyRetirement[]> { return queries.decoyRetirements(this.#db, q); }

  decoyInfoSync(id: number): Uint8Array | undefined {
    const r = this.#db.prepare('SELECT info FROM decoys WHERE id = ?').get(id);
    return r ? new Uint8Array(r.info as Uint8Array) : undefined;
  }

  async getDecoy(id: number): Promise<Decoy | undefined> {
    const r = this.#db.prepare('SELECT * FROM decoys WHERE id = ?').get(id);
    return r ? decoyFromRow(r) : undefined;
  }

  async appendObservations(batch: readonly Observation[], counters: Readonly<Record<string, number>> = {}): Promise<void> {
    const names = Object.keys(counters);
    if (batch.length === 0 && names.length === 0) return;
    const counter = this.#counterStatement();
    this.transaction(() => {
      if (batch.length > 0) this.#rows.writeAll(batch, (rows) => { for (const hook of this.#appendHooks) hook(rows); });
      for (const n of names) counter.run(n, counters[n]!);
    });
  }

  #counterStatement() {
    return this.#db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = counters.value + excluded.value');
  }

  async quarantineObservation(o: Observation, error: string): Promise<void> {
    this.transaction(() => {
      this.#db.prepare('INSERT INTO observation_quarantine (quarantined_at, kind, error, record) VALUES (?, ?, ?, ?)')
        .run(Date.now(), o.kind, error, JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      this.#counterStatement().run(`observations.quarantined.${o.kind}`, 1);
    });
  }

  async queryDeliveries(q: DeliveryQuery = {}): Promise<DeliveryObservation[]> { return queries.queryDeliveries(this.#db, q); }

  async queryAnnounces(q: AnnounceQuery = {}): Promise<TrackerAnnounceObservation[]> { return queries.queryAnnounces(this.#db, q); }

  async addToCounter(name: string, delta: number): Promise<void> {
    this.#counterStatement().run(name, delta);
  }

  async counters(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of this.#db.prepare('SELECT name, value FROM counters ORDER BY name').all()) out[String(r.name)] = Number(r.value);
    return out;
  }

  async *servedDecoyPages(pageSize: number): AsyncGenerator<ServedDecoy[]> {
    for (let afterId = 0, page; (page = await this.listServedDecoys({ afterId, limit: pageSize })).length > 0; afterId = page.at(-1)!.id) yield page;
  }

  async close(): Promise<void> { await this.#conn.close(); }
}
