import type { Decoy } from '../../domain/decoy.ts';
import { InputError, NotFoundError } from '../../domain/errors.ts';
import { SortedIds } from '../../domain/sorted-ids.ts';
import type { CampaignCatalog, CampaignCounts, CampaignItem, CampaignRow } from '../campaigns.ts';
import type { SqliteHandle } from './decoy-files-store.ts';
import { ERASED_COUNTER } from './erasure-table.ts';

export type { CampaignCounts, CampaignRow };

const DAY_MS = 86_400_000;

/** Campaigns and their name rows (tables campaigns, campaign_items). */
export class CampaignStore implements CampaignCatalog {
  readonly #h: SqliteHandle;
  constructor(h: SqliteHandle) { this.#h = h; }

  /** Creates a campaign with all its items in one transaction (nothing half-imported). */
  create(input: Omit<CampaignRow, 'id' | 'hybrid'> & { hybrid?: boolean }, items: readonly CampaignItem[]): CampaignRow {
    const c = { ...input, hybrid: input.hybrid ?? false };
    const db = this.#h.database;
    return this.#h.transaction(() => {
      if (db.prepare('SELECT 1 FROM campaigns WHERE name = ?').get(c.name)) throw new InputError(`a campaign named ${c.name} already exists`);
      const r = db.prepare('INSERT INTO campaigns (name, per_day, ttl_days, payload_id, hybrid, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(c.name, c.perDay, c.ttlDays, c.payloadId, c.hybrid ? 1 : 0, c.createdAt);
      const id = Number(r.lastInsertRowid);
      const ins = db.prepare('INSERT INTO campaign_items (campaign_id, seq, name, files, lang) VALUES (?, ?, ?, ?, ?)');
      for (const it of items) ins.run(id, it.seq, it.name, JSON.stringify(it.files), it.lang);
      return { ...c, id, stoppedAt: null };
    });
  }

  list(): CampaignRow[] {
    return this.#h.database.prepare('SELECT * FROM campaigns ORDER BY id').all().map(row);
  }

  get(name: string): CampaignRow {
    const r = this.#h.database.prepare('SELECT * FROM campaigns WHERE name = ?').get(name);
    if (!r) throw new NotFoundError(`no campaign named ${name}`);
    return row(r);
  }

  counts(id: number): CampaignCounts {
    const deliveries = Number(this.#h.database.prepare('SELECT count(*) n FROM deliveries WHERE decoy_id IN (SELECT decoy_id FROM campaign_items WHERE campaign_id = ? AND decoy_id IS NOT NULL)').get(id)!.n);
    return { ...this.statusCounts(id), deliveries };
  }

  statusCounts(id: number): Omit<CampaignCounts, 'deliveries'> {
    const db = this.#h.database;
    const planned = Number(db.prepare('SELECT count(*) n FROM campaign_items WHERE campaign_id = ? AND decoy_id IS NULL').get(id)!.n);
    const by = (s: string) => Number(db.prepare('SELECT count(*) n FROM campaign_items i JOIN decoys d ON d.id = i.decoy_id WHERE i.campaign_id = ? AND d.status = ?').get(id, s)!.n);
    return { planned, active: by('active'), retired: by('retired') };
  }

  deliveriesByCampaign(): Map<number, number> {
    const rows = this.#h.database.prepare('SELECT i.campaign_id AS c, count(*) AS n FROM campaign_items i JOIN deliveries d ON d.decoy_id = i.decoy_id WHERE i.decoy_id IS NOT NULL GROUP BY i.campaign_id').all();
    return new Map(rows.map((r) => [Number(r.c), Number(r.n)]));
  }

  deliveriesVersion(): string {
    const n = (q: string) => String(this.#h.database.prepare(q).get()?.n ?? 0);
    return [n('SELECT COALESCE(MAX(id), 0) AS n FROM deliveries'), n(`SELECT value AS n FROM counters WHERE name = '${ERASED_COUNTER}'`), n('SELECT count(decoy_id) AS n FROM campaign_items')].join(' ');
  }

  activeDecoyIds(): SortedIds { return activeDecoyIds(this.#h); }

  stop(id: number, now: number, reason: string): number[] {
    const db = this.#h.database;
    db.prepare('UPDATE campaigns SET stopped_at = ?, stopped_reason = ? WHERE id = ? AND stopped_at IS NULL').run(now, reason, id);
    return db.prepare(`SELECT d.id FROM campaign_items i JOIN decoys d ON d.id = i.decoy_id WHERE i.campaign_id = ? AND d.status = 'active' ORDER BY d.id`).all(id).map((r) => Number(r.id));
  }

  /** Items due by `now`: per_day per started day since creation, minus those released. */
  due(c: CampaignRow, now: number): { id: number; item: CampaignItem }[] {
    const db = this.#h.database;
    if (c.stoppedAt != null) return [];
    const days = Math.max(0, Math.floor((now - c.createdAt) / DAY_MS)) + 1;
    const released = Number(db.prepare('SELECT count(*) n FROM campaign_items WHERE campaign_id = ? AND decoy_id IS NOT NULL').get(c.id)!.n);
    const n = Math.max(0, c.perDay * days - released);
    if (n === 0) return [];
    return db.prepare('SELECT * FROM campaign_items WHERE campaign_id = ? AND decoy_id IS NULL ORDER BY seq LIMIT ?').all(c.id, n).map((r) => ({
      id: Number(r.id),
      item: { seq: Number(r.seq), name: String(r.name), files: JSON.parse(String(r.files)) as CampaignItem['files'], lang: r.lang === null ? null : String(r.lang) },
    }));
  }

  /** Links released items to their decoys; call inside the transaction that inserted them. */
  markReleased(pairs: readonly { itemId: number; decoy: Decoy }[], now: number): void {
    const up = this.#h.database.prepare('UPDATE campaign_items SET decoy_id = ?, released_at = ? WHERE id = ? AND decoy_id IS NULL');
    for (const p of pairs) up.run(p.decoy.id, now, p.itemId);
  }

  /** Retires the campaign's decoys older than its TTL: they stop being announced and served; records stay. */
  retireExpired(c: CampaignRow, now: number): number {
    const r = this.#h.database.prepare(`UPDATE decoys SET status = 'retired' WHERE status = 'active' AND created_at <= ?
      AND id IN (SELECT decoy_id FROM campaign_items WHERE campaign_id = ? AND decoy_id IS NOT NULL)`).run(now - c.ttlDays * DAY_MS, c.id);
    return Number(r.changes);
  }
}

const row = (r: Record<string, unknown>): CampaignRow => ({
  id: Number(r.id), name: String(r.name), perDay: Number(r.per_day), ttlDays: Number(r.ttl_days),
  payloadId: r.payload_id === null ? null : String(r.payload_id), createdAt: Number(r.created_at), hybrid: Number(r.hybrid) === 1,
  stoppedAt: r.stopped_at === null || r.stopped_at === undefined ? null : Number(r.stopped_at),
});

/**
 * Ids of every active decoy (any origin): what a running node must serve. Light: ids only, from the
 * status index (no info blobs), ascending, 8 bytes each (a Set was ~21: issue 10 item 5, every tick).
 */
export function activeDecoyIds(h: SqliteHandle): SortedIds {
  const q = h.database.prepare("SELECT id FROM decoys WHERE status = 'active' ORDER BY id");
  q.setReturnArrays(true);
  return SortedIds.collect((function* () { for (const r of q.iterate() as IterableIterator<unknown[]>) yield Number(r[0]); })());
}
