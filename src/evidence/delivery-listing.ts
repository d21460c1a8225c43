import type { DeliveryObservation } from '../domain/observation.ts';
import type { EvidenceLogSource } from './log-store.ts';

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
 * `evidence export` packages are evidence. Every store has the chain (the store contract).
 */
export async function listDeliveries(store: EvidenceLogSource, q: { ip?: string; decoyId?: number; since?: number; limit?: number }): Promise<DeliveryListing> {
  const table = store.evidenceLog().tables;
  const found = table.deliveryRows(q);
  const status = table.chainStatus('delivery', found.map((r) => r.rowId));
  const rows = found.map((r) => ({ delivery: r.obs as unknown as DeliveryObservation, chain: status.get(r.rowId)! }));
  return { rows, notBacked: { altered: rows.filter((r) => r.chain === 'altered').length, unchained: rows.filter((r) => r.chain === 'unchained').length } };
}
