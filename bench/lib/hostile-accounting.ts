/**
 * Where each flood of bench/hostile.bench.ts ended up in the node's database: records written one by
 * one, events counted in aggregate records, and what is left over (must be 0). A flood is told apart
 * by its source range 127.<range>.x.x (hostile-floods.ts), which both the records' remote_ip and the
 * aggregates' network (a /24) keep.
 */
import { DatabaseSync } from 'node:sqlite';

export type Counted = 'connections' | 'dht' | 'announces';

export interface Accounting {
  readonly recorded: number;
  readonly aggregated: number;
  /** Aggregate records written for this flood. */
  readonly aggregateRows: number;
}

const SOURCES: Record<Counted, { readonly tables: readonly string[]; readonly observed: string }> = {
  connections: { tables: ['rejected_connections', 'deliveries'], observed: 'rejected-connection' },
  dht: { tables: ['swarm_presence'], observed: 'swarm-presence' },
  announces: { tables: ['tracker_announces'], observed: 'tracker-announce' },
};

/** Reads a stopped node's database. */
export class HostileLedger {
  readonly #db: DatabaseSync;

  constructor(path: string) {
    this.#db = new DatabaseSync(path, { readOnly: true });
  }

  account(what: Counted, range: number): Accounting {
    const like = `127.${range}.%`;
    const src = SOURCES[what];
    let recorded = 0;
    for (const t of src.tables) recorded += Number(this.#db.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE remote_ip LIKE ?`).get(like)!.n);
    // A build before aggregates-001 (--launcher) has no aggregates table: it counted nothing.
    const a = this.#hasAggregates()
      ? this.#db.prepare('SELECT COUNT(*) AS rows, COALESCE(SUM(count), 0) AS n FROM aggregates WHERE observed = ? AND network LIKE ?').get(src.observed, like)!
      : { rows: 0, n: 0 };
    return { recorded, aggregated: Number(a.n), aggregateRows: Number(a.rows) };
  }

  /** Events counted in /0 overflow buckets (more sources at once than the aggregator keeps open): not attributable to one flood. */
  overflow(): number {
    if (!this.#hasAggregates()) return 0;
    return Number(this.#db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM aggregates WHERE prefix_length = 0').get()!.n);
  }

  /** Reasons recorded for a flood's connections, individual and aggregated, with their counts. */
  reasons(range: number): Record<string, number> {
    const like = `127.${range}.%`;
    const out: Record<string, number> = {};
    const add = (rows: Record<string, unknown>[]) => { for (const r of rows) out[String(r.reason)] = (out[String(r.reason)] ?? 0) + Number(r.n); };
    add(this.#db.prepare('SELECT reason, COUNT(*) AS n FROM rejected_connections WHERE remote_ip LIKE ? GROUP BY reason').all(like));
    add(this.#db.prepare('SELECT disconnect_reason AS reason, COUNT(*) AS n FROM deliveries WHERE remote_ip LIKE ? GROUP BY disconnect_reason').all(like));
    if (this.#hasAggregates()) add(this.#db.prepare('SELECT reason, SUM(count) AS n FROM aggregates WHERE network LIKE ? AND observed = ? GROUP BY reason').all(like, 'rejected-connection'));
    return out;
  }

  /** Records (by table) whose address is in none of `ranges`: a flood's event recorded under another address would show here. */
  outsideRanges(ranges: readonly number[]): Record<string, number> {
    const out: Record<string, number> = {};
    const where = ranges.map(() => 'remote_ip NOT LIKE ?').join(' AND ') || '1';
    const args = ranges.map((r) => `127.${r}.%`);
    for (const t of ['rejected_connections', 'deliveries', 'swarm_presence', 'tracker_announces']) {
      const n = Number(this.#db.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE ${where}`).get(...args)!.n);
      if (n > 0) out[t] = n;
    }
    return out;
  }

  #hasAggregates(): boolean {
    return this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'aggregates'").get() !== undefined;
  }

  close(): void { this.#db.close(); }
}
