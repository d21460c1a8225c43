import type { DeliveryObservation } from '../domain/observation.ts';
import type { DeliveryQuery, EvidenceStore } from '../store/evidence-store.ts';
import { EvidenceLogTable } from '../store/sqlite/evidence-log.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

/** A delivery row as stored, and whether the evidence chain backs it (issue 17, defect 4). */
export type ChainState = 'chained' | 'altered' | 'unchained' | 'unknown';
export interface ListedDelivery { readonly delivery: DeliveryObservation; readonly chain: ChainState }
export interface DeliveryListing { readonly rows: ListedDelivery[]; readonly notBacked: { readonly altered: number; readonly unchained: number } }

/**
 * The `deliveries` listing reads the table for speed and convenience, so it can show rows the chain
 * does not back: rows edited after they were chained ('altered': re-derived, the hash differs) and
 * rows no link names ('unchained': written while the log was detached, or forged). Each row says
 * which it is and the listing counts them: an analyst sees every row (also the suspicious ones,
 * which is what an investigation of tampering needs) without mistaking one for evidence. Only
 * `evidence export` packages are evidence. A store without a chain marks every row 'unknown'.
 */
export async function listDeliveries(store: EvidenceStore, q: DeliveryQuery): Promise<DeliveryListing> {
  if (!(store instanceof SqliteStore)) {
    return { rows: (await store.queryDeliveries(q)).map((delivery) => ({ delivery, chain: 'unknown' })), notBacked: { altered: 0, unchained: 0 } };
  }
  const table = new EvidenceLogTable(store.database);
  const found = table.deliveryRows(q);
  const status = table.chainStatus('delivery', found.map((r) => r.rowId));
  const rows = found.map((r) => ({ delivery: r.obs as unknown as DeliveryObservation, chain: status.get(r.rowId)! }));
  return { rows, notBacked: { altered: rows.filter((r) => r.chain === 'altered').length, unchained: rows.filter((r) => r.chain === 'unchained').length } };
}
