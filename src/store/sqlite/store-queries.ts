import type { DatabaseSync } from 'node:sqlite';
import type { Decoy } from '../../domain/decoy.ts';
import type { DeliveryObservation, TrackerAnnounceObservation } from '../../domain/observation.ts';
import type { AnnounceQuery, DecoyQuery, DecoyRetirement, DeliveryQuery } from '../evidence-store.ts';
import { codecOf } from './record-tables/registry.ts';
import { decoyFromRow } from './rows.ts';

/**
 * The store contract's read queries and decoy retirement, written once in SQL both stores run: the
 * SQLite store over its connection, the PostgreSQL store over its DatabaseSync-shaped facade
 * (postgres/pg-database.ts). `tx` is the caller's transaction.
 */
export function listDecoys(db: DatabaseSync, q: DecoyQuery): Decoy[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.status) { where.push('status = ?'); args.push(q.status); }
  if (q.payloadId) { where.push('payload_id = ?'); args.push(q.payloadId); }
  if (q.size !== undefined) { where.push('size = ?'); args.push(q.size); }
  if (q.infoHash !== undefined) { where.push('info_hash = ?'); args.push(q.infoHash); }
  if (q.name !== undefined) { where.push('name = ?'); args.push(q.name); }
  if (q.afterId !== undefined) { where.push('id > ?'); args.push(q.afterId); }
  const sql = `SELECT * FROM decoys ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
  return db.prepare(sql).all(...args, q.limit ?? -1).map(decoyFromRow);
}

export function retireDecoys(db: DatabaseSync, tx: <T>(fn: () => T) => T, ids: readonly number[], now: number, reason: string): number[] {
  const retire = db.prepare("UPDATE decoys SET status = 'retired' WHERE id = ? AND status = 'active'");
  const record = db.prepare('INSERT INTO decoy_retirements (decoy_id, retired_at, reason) VALUES (?, ?, ?)');
  return tx(() => ids.filter((id) => {
    if (Number(retire.run(id).changes) === 0) return false;
    record.run(id, now, reason);
    return true;
  }));
}

export function decoyRetirements(db: DatabaseSync, q: { readonly decoyId?: number }): DecoyRetirement[] {
  const rows = q.decoyId === undefined
    ? db.prepare('SELECT * FROM decoy_retirements ORDER BY id').all()
    : db.prepare('SELECT * FROM decoy_retirements WHERE decoy_id = ? ORDER BY id').all(q.decoyId);
  return rows.map((r) => ({ decoyId: Number(r.decoy_id), retiredAt: Number(r.retired_at), reason: String(r.reason) }));
}

export function queryDeliveries(db: DatabaseSync, q: DeliveryQuery): DeliveryObservation[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.ip) { where.push('remote_ip = ?'); args.push(q.ip); }
  if (q.decoyId !== undefined) { where.push('decoy_id = ?'); args.push(q.decoyId); }
  if (q.since !== undefined) { where.push('started_at >= ?'); args.push(q.since); }
  if (q.to !== undefined) { where.push('started_at < ?'); args.push(q.to); }
  return codecOf('delivery').query(db, where.join(' AND '), args, q.order === 'desc' ? 'started_at DESC, id DESC' : 'started_at, id', q.limit ?? -1) as unknown as DeliveryObservation[];
}

export function queryAnnounces(db: DatabaseSync, q: AnnounceQuery): TrackerAnnounceObservation[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.infoHash) { where.push('info_hash = ?'); args.push(q.infoHash); }
  if (q.ip) { where.push('remote_ip = ?'); args.push(q.ip); }
  if (q.decoyId !== undefined) { where.push('decoy_id = ?'); args.push(q.decoyId); }
  if (q.from !== undefined) { where.push('at >= ?'); args.push(q.from); }
  if (q.to !== undefined) { where.push('at < ?'); args.push(q.to); }
  const own = (q.excludePeerIds ?? []).filter((p) => /^[0-9a-f]{40}$/.test(p));
  if (own.length > 0) { where.push(`hex(peer_id) NOT IN (${own.map(() => '?').join(', ')})`); args.push(...own.map((p) => p.toUpperCase())); }
  const order = q.order === 'desc' ? 'at DESC, id DESC' : 'at, id';
  return codecOf('tracker-announce').query(db, where.join(' AND '), args, order, q.limit ?? -1) as unknown as TrackerAnnounceObservation[];
}
