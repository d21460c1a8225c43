import type { Decoy } from '../domain/decoy.ts';

// Defined in domain/ (campaign/ parses it, the store keeps it).
import type { CampaignItem } from '../domain/campaign.ts';
import type { SortedIds } from '../domain/sorted-ids.ts';
export type { CampaignItem };

export interface CampaignRow {
  readonly id: number; readonly name: string; readonly perDay: number; readonly ttlDays: number;
  readonly payloadId: string | null; readonly createdAt: number;
  /** Release hybrid v1+v2 torrents (BEP 52 + BEP 47 pad files) instead of v1. */
  readonly hybrid: boolean;
  /** When the campaign was stopped (it releases nothing more; its decoys were retired then), or null/absent: running. */
  readonly stoppedAt?: number | null;
}

export interface CampaignCounts { readonly planned: number; readonly active: number; readonly retired: number; readonly deliveries: number }

/** Campaigns, their name rows, and which decoys a node must serve. */
export interface CampaignCatalog {
  /** Creates a campaign with all its items at once (nothing half-imported); a taken name is bad input. */
  create(input: Omit<CampaignRow, 'id' | 'hybrid'> & { hybrid?: boolean }, items: readonly CampaignItem[]): CampaignRow;
  list(): CampaignRow[];
  /** Throws NotFoundError for an unknown name. */
  get(name: string): CampaignRow;
  counts(id: number): CampaignCounts;
  /** counts(id) without the deliveries (which read every delivery of the campaign's decoys). */
  statusCounts(id: number): Omit<CampaignCounts, 'deliveries'>;
  /** Deliveries per campaign id, every campaign in one query (campaigns with none are absent). Reads every delivery of a campaign decoy. */
  deliveriesByCampaign(): Map<number, number>;
  /**
   * Changes whenever deliveriesByCampaign() may answer differently: a new delivery (highest id), an
   * erasure (the records-erased counter), a decoy released into a campaign. Cheap (no scan).
   */
  deliveriesVersion(): string;
  /** Items due by `now`: per_day per started day since creation, minus those released. */
  due(c: CampaignRow, now: number): { id: number; item: CampaignItem }[];
  /** Links released items to their decoys; call inside the transaction that inserted them (DecoyFilesCatalog.insert's `within`). */
  markReleased(pairs: readonly { itemId: number; decoy: Decoy }[], now: number): void;
  /** Retires the campaign's decoys older than its TTL: they stop being announced and served; records stay. Returns how many. */
  retireExpired(c: CampaignRow, now: number): number;
  /**
   * Stops a campaign for good (campaign-stop-001): it releases nothing more. Returns the ids of its
   * still-active decoys, for the caller to retire (Store.retireDecoys records when and why). A
   * campaign stopped already keeps its first stop time.
   */
  stop(id: number, now: number, reason: string): number[];
  /** Ids of every active decoy (any origin): what a running node must serve (8 bytes an id). */
  activeDecoyIds(): SortedIds;
}
