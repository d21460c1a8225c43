import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { BuiltDecoy, Decoy, StoredFile } from '../../domain/decoy.ts';
import { InputError } from '../../domain/errors.ts';
import type { DecoyFilesCatalog, DecoyInsertBatch } from '../decoy-files.ts';

/** What the decoy-files store needs from SqliteStore: its connection and its transactions. */
export interface SqliteHandle {
  readonly database: DatabaseSync;
  transaction<T>(fn: () => T): T;
}

/** Bounds for stored JSON paths (a corrupted row must not make us allocate without limit). */
const MAX_PATH_JSON = 4096;

/**
 * Per-decoy parameters of factory-built decoys (table decoy_files): enough to
 * recompute every byte. Decoys and their files are inserted in one transaction, so a
 * decoy never exists without the parameters that define its content.
 */
export class DecoyFilesStore implements DecoyFilesCatalog {
  readonly #h: SqliteHandle;
  #get: StatementSync | undefined;

  constructor(h: SqliteHandle) {
    this.#h = h;
  }

  /**
   * Inserts decoys (status active) and their files, all or nothing; `within` runs in the same
   * transaction after them, `first` before them (e.g. registering the variants they use).
   */
  insert(built: readonly BuiltDecoy[], now: number, within?: (decoys: Decoy[]) => void, first?: () => void): Decoy[] {
    const insertOne = this.#inserter(now);
    return this.#h.transaction(() => {
      first?.();
      const out = built.map(insertOne);
      within?.(out);
      return out;
    });
  }

  /** One IMMEDIATE transaction held open across slices (see DecoyFilesCatalog.begin). */
  begin(now: number, first?: () => void): DecoyInsertBatch {
    const db = this.#h.database;
    const insertOne = this.#inserter(now);
    let open = true;
    let n = 0;
    const rollback = () => {
      if (!open) return;
      open = false;
      // SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR...): see SqliteStore's transaction.
      if (db.isOpen && db.isTransaction) try { db.exec('ROLLBACK'); } catch { /* the error that got us here is the one that matters */ }
    };
    const guarded = <T>(fn: () => T): T => {
      if (!open) throw new Error('this decoy insert batch is closed');
      try { return fn(); } catch (e) { rollback(); throw e; }
    };
    db.exec('BEGIN IMMEDIATE');
    guarded(() => first?.());
    return {
      add: (built) => guarded(() => { for (const b of built) insertOne(b); n += built.length; return n; }),
      commit: () => guarded(() => { db.exec('COMMIT'); open = false; return n; }),
      rollback,
    };
  }

  /** Inserts one decoy and its files (the caller holds the transaction). */
  #inserter(now: number): (b: BuiltDecoy) => Decoy {
    const db = this.#h.database;
    const ins = db.prepare(`INSERT INTO decoys (info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)`);
    const seen = db.prepare('SELECT id FROM decoys WHERE info_hash = ?');
    const file = db.prepare('INSERT INTO decoy_files (decoy_id, idx, variant_id, format, size, nonce, path) VALUES (?, ?, ?, ?, ?, ?, ?)');
    return ({ decoy: d, files }) => {
      if (seen.get(d.infoHash)) throw new InputError(`a decoy with infohash ${d.infoHash} (${d.name}) already exists`);
      const r = ins.run(d.infoHash, d.name, d.payloadId, d.size, d.pieceLength, d.pieceCount, d.info, d.contentSha256, now);
      const id = Number(r.lastInsertRowid);
      files.forEach((f, i) => file.run(id, i, f.variantId, f.format, f.size, f.nonce, f.path ? JSON.stringify(f.path) : null));
      return { ...d, id, status: 'active' as const, createdAt: now };
    };
  }

  /** The files of a factory-built decoy, or undefined for decoys built without the factory (content = payload). */
  files(decoyId: number): StoredFile[] | undefined {
    this.#get ??= this.#h.database.prepare('SELECT * FROM decoy_files WHERE decoy_id = ? ORDER BY idx');
    const rows = this.#get.all(decoyId);
    if (rows.length === 0) return undefined;
    return rows.map(storedFile);
  }

  /** Whether some factory-built file of this variant already has this size (keeps unsized decoys unique). */
  sizeTaken(): (size: number, variantId: string) => boolean {
    const q = this.#h.database.prepare('SELECT 1 FROM decoy_files WHERE variant_id = ? AND size = ? LIMIT 1');
    return (size, variantId) => q.get(variantId, size) !== undefined;
  }

  /** Which of these names active decoys carry: 500 names a query (no index on name: one scan of decoys each). */
  activeNamesAmong(names: readonly string[]): Set<string> {
    const found = new Set<string>();
    for (let i = 0; i < names.length; i += 500) {
      const part = names.slice(i, i + 500);
      const rows = this.#h.database.prepare(`SELECT DISTINCT name FROM decoys WHERE status = 'active' AND name IN (${part.map(() => '?').join(',')})`).all(...part);
      for (const r of rows) found.add(String(r.name));
    }
    return found;
  }

  /** Files of folder decoys of exactly this size. No index on size alone: a scan, fine for an examiner's look-up. */
  folderFilesOfSize(size: number): { decoyId: number; file: StoredFile }[] {
    const rows = this.#h.database.prepare('SELECT * FROM decoy_files WHERE size = ? AND path IS NOT NULL ORDER BY decoy_id, idx LIMIT 1000').all(size);
    return rows.map((r) => ({ decoyId: Number(r.decoy_id), file: storedFile(r) }));
  }
}

function storedFile(r: Record<string, unknown>): StoredFile {
  const path = r.path === null ? undefined : parsePath(String(r.path));
  return { variantId: String(r.variant_id), format: String(r.format), size: Number(r.size), nonce: new Uint8Array(r.nonce as Uint8Array), ...(path ? { path } : {}) };
}

function parsePath(json: string): string[] {
  if (json.length > MAX_PATH_JSON) throw new Error('stored decoy file path too long');
  const v: unknown = JSON.parse(json);
  if (!Array.isArray(v) || !v.every((c) => typeof c === 'string')) throw new Error('stored decoy file path is not a list of strings');
  return v as string[];
}
