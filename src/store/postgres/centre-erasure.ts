import { recordKeys } from '../../evidence/key-index.ts';
import { leafHashOfText } from '../../evidence/merkle.ts';
import type { ErasureSelection } from '../erasure.ts';
import { RECORD_CODECS } from '../sqlite/record-tables/registry.ts';
import type { DatabaseSync } from 'node:sqlite';

/** What one erasure did at the centre. */
export interface CentreErasedCount { readonly records: number; readonly nodes: number }

/** Tombstones per statement, as on a node (erasure-table.ts): 7 parameters each. */
const BATCH = 2_000;
/** Records projected per transaction (CentreDb.project), and chunks at most per erasure run (200,000,000 records). */
const PROJECT_CHUNK = 20_000;
const MAX_PROJECT_CHUNKS = 10_000;

/** The fields a kind's table declares as its IP, network and decoy: what the node's audit files a record under. */
function keyFields(kind: string): { ipField?: string; decoyField?: string; networkField?: string } {
  const spec = RECORD_CODECS.get(kind)?.spec;
  return spec ? { ...(spec.ipField ? { ipField: spec.ipField } : {}), ...(spec.decoyField ? { decoyField: spec.decoyField } : {}), ...(spec.networkField ? { networkField: spec.networkField } : {}) } : {};
}

/** A record of a segment as the accessor gives it (cs_centre_records). */
interface StoredRecord { readonly seq: number; readonly hash: Buffer; readonly text: string }
/** A record chosen for erasure, read from its text. */
interface Due { readonly seq: number; readonly at: number; readonly kind: string; readonly obs: Record<string, unknown>; readonly hash: Buffer; readonly text: string }

/**
 * Erasure of the records nodes shipped to the centre (centre_segments, pg-centre-007; migration
 * pg-centre-erasure-001; docs/retention.md "At the centre"). The centre stores a node's records as
 * segments (a row per run of records: their texts, one a line, and their leaf hashes). A segment is
 * erased in one transaction: each selected record's text is checked against its leaf hash (the
 * content that goes was the content the node signed), a tombstone is written to centre_erased (time,
 * kind, the key-index keys it was filed under, when, which erasure), and the segment is rewritten with
 * the record's line emptied. Its seq, its leaf hash and the hash before it stay: the node's chain, its
 * Merkle tree and its signed key index still verify at the centre, and a centre export carries the
 * record as a stub.
 *
 * Only records the centre has verified and already projected into its analysis tables
 * (seq < centre_projection.projected, itself below the node's verified size): what is projected is
 * erased from those tables by the store's own erasure (the projected rows are not chained at the centre).
 * Selection as on a node: kinds, a time cut-off, optionally one address (the record's obs.remoteIp),
 * never an address under legal hold.
 */
export class PgCentreErasure {
  /** The PostgreSQL store's connection (PgDatabase), typed as the SQLite API it mirrors, as erasure-table.ts takes it. */
  readonly #db: DatabaseSync;
  readonly #tx: <T>(fn: () => T) => T;

  constructor(db: DatabaseSync, transaction: <T>(fn: () => T) => T) {
    this.#db = db;
    this.#tx = transaction;
  }

  /** Whether any node is registered here: a centre. */
  isCentre(): boolean {
    return Number((this.#db.prepare('SELECT count(*) AS n FROM centre_nodes').get() as { n: number }).n) > 0;
  }

  /** Projects the nodes' verified records into the analysis tables (pg-centre-007: a bounded transaction per chunk), so that the store's erasure finds their copies there. */
  project(): void {
    for (let i = 0; i < MAX_PROJECT_CHUNKS; i++) {
      const k = Number((this.#db.prepare('SELECT cs_project_centre_chunk(?) AS k').get(PROJECT_CHUNK) as { k: number }).k);
      if (k === 0) break;
    }
  }

  /** Segments that may hold a record to erase: some record before the cut-off, not all erased, some projected. */
  #candidates(sel: ErasureSelection): { node: number; first: number; last: number; projected: number }[] {
    return (this.#db.prepare(`SELECT s.node_id AS node, s.first_seq AS first, s.last_seq AS last, p.projected AS projected
      FROM centre_segments s JOIN centre_projection p ON p.node_id = s.node_id
      WHERE s.min_at < ? AND s.erased < s.last_seq - s.first_seq + 1 AND s.first_seq < p.projected ORDER BY s.node_id, s.first_seq`).all(sel.before) as Record<string, unknown>[])
      .map((r) => ({ node: Number(r.node), first: Number(r.first), last: Number(r.last), projected: Number(r.projected) }));
  }

  /** A segment's records, in seq order, through the accessor every reader uses. */
  #records(node: number, first: number, last: number): StoredRecord[] {
    return (this.#db.prepare('SELECT seq, hash, text FROM cs_centre_records(?, ?, ?) ORDER BY seq').all(node, first, last + 1) as Record<string, unknown>[])
      .map((r) => ({ seq: Number(r.seq), hash: Buffer.from(r.hash as Uint8Array), text: String(r.text) }));
  }

  /** The segment's records the selection erases (content still there, projected, of a selected kind, before the cut-off, address as selected and not held). */
  #due(records: readonly StoredRecord[], projected: number, sel: ErasureSelection): Due[] {
    const kinds = new Set(sel.kinds);
    const held = new Set(sel.exceptIps);
    const out: Due[] = [];
    for (const r of records) {
      if (r.text === '' || r.seq >= projected) continue;
      const rec = JSON.parse(r.text) as { at: number; kind: string; obs: Record<string, unknown> };
      if (!kinds.has(rec.kind) || !(rec.at < sel.before)) continue;
      const ip = typeof rec.obs?.remoteIp === 'string' ? rec.obs.remoteIp : null;
      if (sel.ip !== undefined && ip !== sel.ip) continue;
      if (ip !== null && held.has(ip)) continue;
      out.push({ seq: r.seq, at: rec.at, kind: rec.kind, obs: rec.obs, hash: r.hash, text: r.text });
    }
    return out;
  }

  /** Records an erasure would blank now. */
  due(sel: ErasureSelection): number {
    let n = 0;
    for (const s of this.#candidates(sel)) n += this.#due(this.#records(s.node, s.first, s.last), s.projected, sel).length;
    return n;
  }

  /** Erases what the selection picks, one segment a transaction (at most MAX_BATCH_RECORDS records); `batch` bounds the tombstones of one statement. */
  erase(sel: ErasureSelection, ref: { readonly erasure: string; readonly at: number }, batch = BATCH): CentreErasedCount {
    let records = 0;
    const nodes = new Set<number>();
    for (const s of this.#candidates(sel)) {
      records += this.#tx(() => {
        const all = this.#records(s.node, s.first, s.last);
        const due = this.#due(all, s.projected, sel);
        if (due.length === 0) return 0;
        const tombstones = due.map((r) => {
          if (!leafHashOfText(r.text).equals(r.hash)) throw new Error(`centre record ${r.seq} of node ${s.node} no longer matches its stored hash: not erased (the centre's chain audit, verify-chain.ts, names it)`);
          return [s.node, r.seq, r.at, r.kind, JSON.stringify(recordKeys(r.obs, keyFields(r.kind), r.at)), ref.at, ref.erasure];
        });
        for (let i = 0; i < tombstones.length; i += batch) {
          const part = tombstones.slice(i, i + batch);
          this.#db.prepare(`INSERT INTO centre_erased (node_id, seq, at, kind, keys, erased_at, erasure) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`).run(...part.flat());
        }
        // The segment again, each erased record's line emptied; every other line, and every hash, as it was.
        const gone = new Set(due.map((r) => r.seq));
        const texts = all.map((r) => (gone.has(r.seq) ? '' : r.text)).join('\n');
        this.#db.prepare('UPDATE centre_segments SET texts = ?, erased = erased + ? WHERE node_id = ? AND first_seq = ?').run(texts, due.length, s.node, s.first);
        nodes.add(s.node);
        return due.length;
      });
    }
    return { records, nodes: nodes.size };
  }
}
