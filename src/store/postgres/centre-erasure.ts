import { recordKeys } from '../../evidence/key-index.ts';
import { leafHashOfText } from '../../evidence/merkle.ts';
import type { ErasureSelection } from '../erasure.ts';
import { RECORD_CODECS } from '../sqlite/record-tables/registry.ts';
import type { DatabaseSync } from 'node:sqlite';

/** What one erasure did at the centre. */
export interface CentreErasedCount { readonly records: number; readonly nodes: number }

/** Rows per transaction, as on a node (erasure-table.ts): a batch's tombstones take 7 parameters each. */
const BATCH = 2_000;

/** The fields a kind's table declares as its IP, network and decoy: what the node's audit files a record under. */
function keyFields(kind: string): { ipField?: string; decoyField?: string; networkField?: string } {
  const spec = RECORD_CODECS.get(kind)?.spec;
  return spec ? { ...(spec.ipField ? { ipField: spec.ipField } : {}), ...(spec.decoyField ? { decoyField: spec.decoyField } : {}), ...(spec.networkField ? { networkField: spec.networkField } : {}) } : {};
}

/**
 * Erasure of the records nodes shipped to the centre (centre_records; migration pg-centre-erasure-001;
 * docs/retention.md "At the centre"). Per selected record, in one transaction per batch: its text is
 * checked against its leaf hash (the content that goes was the content the node signed), a tombstone
 * is written to centre_erased (time, kind, the key-index keys it was filed under, when, which erasure),
 * and the row's text, address and decoy are blanked. Its seq, time, prev and leaf hash stay: the node's
 * chain, its Merkle tree and its signed key index still verify at the centre, and a centre export
 * carries the record as a stub.
 *
 * Only records the centre has verified and already projected into its analysis tables
 * (seq < centre_projection.projected, itself below the node's verified size): what is projected is
 * erased from those tables by the store's own erasure (the projected rows are not chained at the centre).
 * Selection as on a node: kinds, a time cut-off, optionally one address, never an address under legal hold.
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

  /** Projects the nodes' verified records into the analysis tables (pg-centre-005), so that the store's erasure finds their copies there. */
  project(): void {
    this.#db.prepare('SELECT cs_project_centre_records() AS n').get();
  }

  #where(sel: ErasureSelection): { sql: string; args: (string | number)[] } {
    const sql = [`r.kind IN (${sel.kinds.map(() => '?').join(', ')})`, 'r.at < ?', "r.text <> ''", 'r.seq < p.projected'];
    const args: (string | number)[] = [...sel.kinds, sel.before];
    if (sel.ip !== undefined) { sql.push('r.ip = ?'); args.push(sel.ip); }
    if (sel.exceptIps.length > 0) { sql.push(`(r.ip IS NULL OR r.ip NOT IN (${sel.exceptIps.map(() => '?').join(', ')}))`); args.push(...sel.exceptIps); }
    return { sql: sql.join(' AND '), args };
  }

  /** Records an erasure would blank now. */
  due(sel: ErasureSelection): number {
    const w = this.#where(sel);
    return Number((this.#db.prepare(`SELECT count(*) AS n FROM centre_records r JOIN centre_projection p ON p.node_id = r.node_id WHERE ${w.sql}`).get(...w.args) as { n: number }).n);
  }

  erase(sel: ErasureSelection, ref: { readonly erasure: string; readonly at: number }, batch = BATCH): CentreErasedCount {
    const w = this.#where(sel);
    const pick = this.#db.prepare(`SELECT r.node_id AS node_id, r.seq AS seq, r.at AS at, r.kind AS kind, r.text AS text, r.hash AS hash
      FROM centre_records r JOIN centre_projection p ON p.node_id = r.node_id WHERE ${w.sql} ORDER BY r.node_id, r.seq LIMIT ?`);
    let records = 0;
    const nodes = new Set<number>();
    for (let more = true; more;) {
      more = this.#tx(() => {
        const rows = (pick.all(...w.args, batch) as Record<string, unknown>[]).map((r) => ({
          node: Number(r.node_id), seq: Number(r.seq), at: Number(r.at), kind: String(r.kind), text: String(r.text), hash: Buffer.from(r.hash as Uint8Array),
        }));
        if (rows.length === 0) return false;
        const tombstones = rows.map((r) => {
          if (!leafHashOfText(r.text).equals(r.hash)) throw new Error(`centre record ${r.seq} of node ${r.node} no longer matches its stored hash: not erased (the centre's chain audit, verify-chain.ts, names it)`);
          const rec = JSON.parse(r.text) as { obs: Record<string, unknown> };
          return [r.node, r.seq, r.at, r.kind, JSON.stringify(recordKeys(rec.obs, keyFields(r.kind), r.at)), ref.at, ref.erasure];
        });
        this.#db.prepare(`INSERT INTO centre_erased (node_id, seq, at, kind, keys, erased_at, erasure) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`).run(...tombstones.flat());
        const byNode = new Map<number, { seqs: number[]; lo: number; hi: number }>();
        for (const r of rows) {
          const b = byNode.get(r.node) ?? { seqs: [], lo: r.at, hi: r.at };
          b.seqs.push(r.seq); b.lo = Math.min(b.lo, r.at); b.hi = Math.max(b.hi, r.at);
          byNode.set(r.node, b);
          nodes.add(r.node);
        }
        // By seq within the batch's time span: PostgreSQL reads only the month partitions it lies in.
        for (const [node, b] of byNode) {
          this.#db.prepare(`UPDATE centre_records SET text = '', ip = NULL, decoy_id = NULL WHERE node_id = ? AND at >= ? AND at <= ? AND seq IN (${b.seqs.map(() => '?').join(', ')})`).run(node, b.lo, b.hi, ...b.seqs);
        }
        records += rows.length;
        return rows.length === batch;
      });
    }
    return { records, nodes: nodes.size };
  }
}
