/**
 * Bulk writing of a synthetic workload (`counterseed synth`, issue 11 item 6) into a NEW data
 * directory marked synthetic. Rows go straight into the record tables in large transactions,
 * not through the recorder and the evidence chain (10 million chained deliveries would take
 * minutes of the writer thread): synthetic rows are unchained, and the directory says it is
 * synthetic (data_purpose, the PURPOSE file), so nobody can take them for evidence.
 */
export interface SyntheticCampaign { readonly id: number; readonly name: string; readonly perDay: number; readonly ttlDays: number; readonly createdAt: number }

export interface SyntheticDecoy {
  readonly id: number; readonly infoHash: string; readonly name: string; readonly payloadId: string; readonly size: number;
  readonly pieceLength: number; readonly createdAt: number; readonly status: 'active' | 'retired';
  readonly format: string; readonly campaignId: number; readonly seq: number; readonly lang: string; readonly releasedAt: number;
}

export interface SyntheticDelivery {
  readonly sessionId: string; readonly decoyId: number; readonly infoHash: string; readonly remoteIp: string; readonly remotePort: number;
  readonly localIp: string; readonly localPort: number; readonly encryption: string; readonly startedAt: number; readonly endedAt: number;
  readonly peerId: Uint8Array; readonly client: string; readonly clientVersion: string; readonly listenPort: number;
  readonly bytesServed: number; readonly piecesAtEnd: number; readonly completed: boolean; readonly metadataOnly: boolean; readonly disconnectReason: string;
}

export interface SyntheticAnnounce {
  readonly at: number; readonly infoHash: string; readonly decoyId: number; readonly remoteIp: string; readonly remotePort: number;
  readonly peerId: Uint8Array; readonly event: string; readonly left: number;
}

export interface SyntheticWriter {
  campaigns(rows: readonly SyntheticCampaign[]): void;
  decoys(rows: readonly SyntheticDecoy[]): void;
  /** One transaction per call. */
  deliveries(rows: readonly SyntheticDelivery[]): void;
  announces(rows: readonly SyntheticAnnounce[]): void;
  /** After the last batch: rebuilds what the bulk load set aside (indexes), so the store is ready for queries. */
  finish(): void;
}
