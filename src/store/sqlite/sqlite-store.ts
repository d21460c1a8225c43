import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Decoy, NewDecoy, ServedDecoy } from '../../domain/decoy.ts';
import { InputError } from '../../domain/errors.ts';
import type { DeliveryObservation, Observation, TrackerAnnounceObservation } from '../../domain/observation.ts';
import type { Payload } from '../../domain/payload.ts';
import type { AnnounceQuery, DecoyQuery, DecoyRetirement, DeliveryQuery } from '../evidence-store.ts';
import type { AppendHook, EvidenceLogBackend } from '../evidence-log.ts';
import type { Store } from '../store.ts';
import * as queries from './store-queries.ts';
import { CampaignStore } from './campaign-store.ts';
import { DecoyFilesStore } from './decoy-files-store.ts';
import { SqliteHealthQueries } from './dht-health.ts';
import { SQLITE_INTEL } from './intel/intel-dialect.ts';
import { IntelStore } from './intel/intel-store.ts';
import { SqliteSyntheticWriter } from './intel/synthetic-writer.ts';
import { SqliteCases } from './referrals/case-tables.ts';
import { SqliteReferrals } from './referrals/referral-tables.ts';
import { SqliteRiskStore } from './sources/risk-store.ts';
import { SqliteSourceStore } from './sources/source-store.ts';
import { SqliteNodeRuns } from './node-runs.ts';
import { EvidenceLogTable } from './evidence-log.ts';
import { RunMarkersTable } from './run-markers.ts';
import { SqliteVariantCatalog } from './variant-catalog.ts';
import { MIGRATIONS } from './schema.ts';
import { RecordRowWriter } from './record-tables/row-writer.ts';
import { decoyFromRow, payloadFromRow } from './rows.ts';
import { ServedDecoyRow } from './served-decoy-row.ts';

export type { AppendHook };

/** Page cache of the store's connection (KiB), and during a bulk read. */
const CACHE_KIB = 16 * 1024;
const BULK_READ_CACHE_KIB = 1024;

/** The embedded evidence store (node:sqlite). WAL + synchronous=FULL: a committed batch survives a crash or power loss. */
export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #counter: StatementSync;
  readonly #rows: RecordRowWriter;
  readonly #appendHooks: AppendHook[] = [];
  readonly decoyFiles: DecoyFilesStore;
  readonly variants: SqliteVariantCatalog;
  readonly campaigns: CampaignStore;
  readonly health: SqliteHealthQueries;
  readonly intel: IntelStore;
  readonly referrals: SqliteReferrals;
  readonly cases: SqliteCases;
  readonly sources: SqliteSourceStore;
  readonly risk: SqliteRiskStore;
  readonly nodeRuns: SqliteNodeRuns;

  readonly #path: string;
  #snapshot: { db: DatabaseSync; table: EvidenceLogTable } | undefined;
  #getPayload: StatementSync | undefined;
  #getInfo: StatementSync | undefined;

  constructor(path: string) {
    this.#path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    // A 16 MiB page cache holds a whole recorder batch (observations + evidence log + indexes, ~7 MB), so
    // a transaction does not spill pages to disk before its commit.
    this.#db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA cache_size = ${-CACHE_KIB};`);
    this.#migrate();
    this.#rows = new RecordRowWriter(this.#db);
    this.#counter = this.#db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value');
    this.decoyFiles = new DecoyFilesStore(this);
    this.variants = new SqliteVariantCatalog(this.#db);
    this.campaigns = new CampaignStore(this);
    this.health = new SqliteHealthQueries(this.#db);
    this.intel = new IntelStore(this.#db, SQLITE_INTEL, () => new SqliteSyntheticWriter(this.#db));
    this.referrals = new SqliteReferrals(this.#db);
    this.cases = new SqliteCases(this.#db);
    this.sources = new SqliteSourceStore(this.#db);
    this.risk = new SqliteRiskStore(this.#db);
    this.nodeRuns = new SqliteNodeRuns(this.#db);
  }

  runMarkers(): RunMarkersTable { return new RunMarkersTable(this.#db); }

  evidenceLog(): EvidenceLogBackend {
    return {
      tables: new EvidenceLogTable(this.#db), transaction: (fn) => this.transaction(fn), addAppendHook: (hook) => this.addAppendHook(hook),
      ...(this.#path === ':memory:' ? {} : { snapshot: this.#evidenceSnapshot() }),
    };
  }

  /**
   * The evidence tables on a second, read-only connection to the file: a read transaction there is
   * one snapshot of the database (WAL), and never blocks nor waits for this connection's writes.
   * Checkpoint audits read there, so that the writer keeps ingesting while they run (issue 16 target:
   * chained ingest >= 50,000 deliveries/s with every checkpoint audited).
   */
  #evidenceSnapshot(): NonNullable<EvidenceLogBackend['snapshot']> {
    if (!this.#snapshot) {
      const db = new DatabaseSync(this.#path, { readOnly: true });
      db.exec(`PRAGMA busy_timeout = 5000; PRAGMA cache_size = ${-CACHE_KIB};`);
      this.#snapshot = { db, table: new EvidenceLogTable(db) };
    }
    const { db, table } = this.#snapshot;
    return {
      table,
      read: (fn) => {
        db.exec('BEGIN');
        try { return fn(); } finally { db.exec('COMMIT'); }
      },
    };
  }

  #migrate(): void {
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    const applied = new Set(this.#db.prepare('SELECT name FROM schema_migrations').all().map((r) => String(r.name)));
    for (const m of MIGRATIONS) {
      if (applied.has(m.name)) continue;
      this.#tx(() => {
        this.#db.exec(m.sql);
        this.#db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(m.name, Date.now());
      });
    }
  }

  /** The connection, for feature modules that keep their own SQL beside their own tables (evidence log, DHT, campaigns). */
  get database(): DatabaseSync { return this.#db; }

  /**
   * Runs `hook` inside every appendObservations transaction (the evidence chain): see AppendHook.
   * A throw rolls the whole batch back, so observations and their chain records commit together.
   */
  addAppendHook(hook: AppendHook): () => void {
    this.#appendHooks.push(hook);
    return () => { const i = this.#appendHooks.indexOf(hook); if (i >= 0) this.#appendHooks.splice(i, 1); };
  }

  /** Runs `fn` in one IMMEDIATE transaction. */
  transaction<T>(fn: () => T): T { return this.#tx(fn); }

  #tx<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const r = fn();
      this.#db.exec('COMMIT');
      return r;
    } catch (e) {
      // On some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM: https://sqlite.org/lang_transaction.html,
      // "Response To Errors Within A Transaction") SQLite has already rolled back; a ROLLBACK then fails
      // with "cannot rollback - no transaction is active", and throwing that would hide the real error.
      if (this.#db.isTransaction) {
        try { this.#db.exec('ROLLBACK'); } catch { /* `e` is the error that matters; the connection is rolled back or closed */ }
      }
      throw e;
    }
  }

  /** The database file (':memory:' for an in-memory store): the evidence writer thread opens its own connection to it. */
  get path(): string { return this.#path; }

  insertPayload(p: Payload): void {
    this.#db.prepare('INSERT OR IGNORE INTO payloads (id, size, label, media_type, added_at) VALUES (?, ?, ?, ?, ?)')
      .run(p.id, p.size, p.label, p.mediaType, p.addedAt);
  }
  getPayload(id: string): Payload | undefined {
    // Statements asked once per decoy are prepared once: each one prepared and left to the garbage
    // collector holds a few KB of SQLite memory the JS heap does not see (issue 15 item 13: ~180 MB
    // for a 100,000-name build).
    this.#getPayload ??= this.#db.prepare('SELECT * FROM payloads WHERE id = ?');
    const r = this.#getPayload.get(id);
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
    return this.#tx(() => decoys.map((d) => {
      if (seen.get(d.infoHash)) throw new InputError(`a decoy with infohash ${d.infoHash} (${d.name}) already exists`);
      const r = ins.run(d.infoHash, d.name, d.payloadId, d.size, d.pieceLength, d.pieceCount, d.info, d.contentSha256, now);
      return { ...d, id: Number(r.lastInsertRowid), status: 'active' as const, createdAt: now };
    }));
  }

  async listDecoys(q: DecoyQuery = {}): Promise<Decoy[]> { return queries.listDecoys(this.#db, q); }

  async countServedDecoys(): Promise<number> {
    // A one-pass scan of the status index (~1.5 MB with 100,000 decoys), made at start-up just before
    // servedDecoyPages: with the same small cache, so its pages do not stay resident either.
    return this.bulkRead(async () => Number(this.#db.prepare("SELECT COUNT(*) AS n FROM decoys WHERE status = 'active'").get()!.n));
  }

  async listServedDecoys(q: { afterId: number; limit: number }): Promise<ServedDecoy[]> {
    // Rows as arrays, made into ServedDecoyRow here: node:sqlite's row objects, and object literals made
    // from them, were promoted or pretenured into the old space (loading 100,000 decoys left 12-30 MB of
    // garbage there, the node's peak RSS: bench/many-decoys.bench.ts); arrays and class instances die young.
    const page = this.#db.prepare(`SELECT id, info_hash, payload_id, size, piece_length, piece_count, length(info)
      FROM decoys WHERE status = 'active' AND id > ? ORDER BY id LIMIT ?`);
    page.setReturnArrays(true);
    const out: ServedDecoy[] = [];
    let payloadId = '';
    for (const r of page.iterate(q.afterId, q.limit) as IterableIterator<unknown[]>) {
      // Most decoys share a payload: one string kept, not one per row.
      const p = String(r[2]);
      if (p !== payloadId) payloadId = p;
      out.push(new ServedDecoyRow(Number(r[0]), String(r[1]), payloadId, Number(r[3]), Number(r[4]), Number(r[5]), Number(r[6])));
    }
    return out;
  }

  async retireDecoys(ids: readonly number[], now: number, reason: string): Promise<number[]> {
    return queries.retireDecoys(this.#db, (fn) => this.#tx(fn), ids, now, reason);
  }

  async decoyRetirements(q: { readonly decoyId?: number } = {}): Promise<DecoyRetirement[]> { return queries.decoyRetirements(this.#db, q); }

  /** The exact info dict, synchronously: the seeder answers BEP 9 requests from inside its frame loop. */
  decoyInfoSync(id: number): Uint8Array | undefined {
    this.#getInfo ??= this.#db.prepare('SELECT info FROM decoys WHERE id = ?');
    const r = this.#getInfo.get(id);
    return r ? new Uint8Array(r.info as Uint8Array) : undefined;
  }

  async getDecoy(id: number): Promise<Decoy | undefined> {
    const r = this.#db.prepare('SELECT * FROM decoys WHERE id = ?').get(id);
    return r ? decoyFromRow(r) : undefined;
  }

  async appendObservations(batch: readonly Observation[], counters: Readonly<Record<string, number>> = {}): Promise<void> {
    const names = Object.keys(counters);
    if (batch.length === 0 && names.length === 0) return;
    this.#tx(() => {
      if (batch.length > 0) this.#rows.writeAll(batch, (rows) => { for (const hook of this.#appendHooks) hook(rows); });
      for (const n of names) this.#counter.run(n, counters[n]!);
    });
  }

  async quarantineObservation(o: Observation, error: string): Promise<void> {
    this.#tx(() => {
      this.#db.prepare('INSERT INTO observation_quarantine (quarantined_at, kind, error, record) VALUES (?, ?, ?, ?)')
        .run(Date.now(), o.kind, error, JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      this.#counter.run(`observations.quarantined.${o.kind}`, 1);
    });
  }

  async queryDeliveries(q: DeliveryQuery = {}): Promise<DeliveryObservation[]> { return queries.queryDeliveries(this.#db, q); }

  async queryAnnounces(q: AnnounceQuery = {}): Promise<TrackerAnnounceObservation[]> { return queries.queryAnnounces(this.#db, q); }

  async addToCounter(name: string, delta: number): Promise<void> {
    this.#counter.run(name, delta);
  }

  async counters(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of this.#db.prepare('SELECT name, value FROM counters ORDER BY name').all()) out[String(r.name)] = Number(r.value);
    return out;
  }

  async *servedDecoyPages(pageSize: number): AsyncGenerator<ServedDecoy[]> {
    // The start-up scan of 100,000 decoys would fill the whole 16 MiB page cache, and the pages, freed or
    // not, stay resident in the malloc heap: ~10-45 MB more RSS at ready (bench/many-decoys.bench.ts).
    this.#db.exec(`PRAGMA cache_size = ${-BULK_READ_CACHE_KIB}`);
    try {
      for (let afterId = 0, page; (page = await this.listServedDecoys({ afterId, limit: pageSize })).length > 0; afterId = page.at(-1)!.id) yield page;
    } finally { this.#db.exec(`PRAGMA cache_size = ${-CACHE_KIB}`); }
  }

  /** Runs a one-pass read with the small cache of servedDecoyPages (SQLite only; tests and benchmarks). */
  async bulkRead<T>(fn: () => Promise<T>): Promise<T> {
    this.#db.exec(`PRAGMA cache_size = ${-BULK_READ_CACHE_KIB}`);
    try { return await fn(); } finally { this.#db.exec(`PRAGMA cache_size = ${-CACHE_KIB}`); }
  }

  async close(): Promise<void> {
    if (this.#snapshot?.db.isOpen) this.#snapshot.db.close();
    if (this.#db.isOpen) this.#db.close();
  }
}
