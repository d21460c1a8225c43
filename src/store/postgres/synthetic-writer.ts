import type { SyntheticAnnounce, SyntheticCampaign, SyntheticDecoy, SyntheticDelivery, SyntheticWriter } from '../synthetic.ts';
import { copyLine } from './copy-text.ts';
import type { SyncConnection } from './sync-connection.ts';

const DELIVERY_COLUMNS = ['session_id', 'decoy_id', 'remote_ip', 'remote_port', 'local_ip', 'local_port', 'transport', 'encryption', 'started_at', 'ended_at',
  'peer_id', 'client', 'client_version', 'listen_port', 'bytes_served', 'blocks_served', 'served_ranges', 'pieces_at_start', 'pieces_at_end', 'completed',
  'metadata_pieces', 'metadata_only', 'disconnect_reason', 'info_hash'];
const ANNOUNCE_COLUMNS = ['at', 'protocol', 'info_hash', 'decoy_id', 'remote_ip', 'remote_port', 'claimed_ip', 'announced_port', 'peer_id', 'event',
  'uploaded', 'downloaded', 'left_bytes'];

/**
 * SyntheticWriter over the PostgreSQL store: every batch is one COPY per table (one round trip
 * for 50,000 rows; row-by-row INSERTs through the synchronous connection ran at ~3,000 rows/s,
 * and issue 11's benchmarks need 10,000,000 deliveries). The month partitions of the batch's
 * times are made first, so no row lands in the DEFAULT partition. Ids come from the tables' own
 * sequences (the column default), as for any insert.
 */
export class PgSyntheticWriter implements SyntheticWriter {
  readonly #conn: SyncConnection;
  readonly #months = new Set<string>();
  constructor(conn: SyncConnection) { this.#conn = conn; }

  #tx(fn: () => void): void {
    this.#conn.query('BEGIN');
    try { fn(); this.#conn.query('COMMIT'); } catch (e) { try { this.#conn.query('ROLLBACK'); } catch { /* e matters */ } throw e; }
  }

  #partitions(table: string, times: Iterable<number>): void {
    for (const t of times) {
      const d = new Date(t);
      const key = `${table}:${d.getUTCFullYear()}-${d.getUTCMonth()}`;
      if (this.#months.has(key)) continue;
      this.#conn.query('SELECT cs_ensure_month_partition($1, $2)', [table, t]);
      this.#months.add(key);
    }
  }

  campaigns(rows: readonly SyntheticCampaign[]): void {
    this.#tx(() => {
      for (const c of rows) this.#conn.query('INSERT INTO campaigns (id, name, per_day, ttl_days, payload_id, hybrid, created_at) VALUES ($1, $2, $3, $4, NULL, 0, $5)', [c.id, c.name, c.perDay, c.ttlDays, c.createdAt]);
    });
  }

  decoys(rows: readonly SyntheticDecoy[]): void {
    // A synthetic decoy has no real info dict: the column holds a marker, never a torrent.
    const marker = new TextEncoder().encode('synthetic');
    let d = '';
    let f = '';
    let i = '';
    for (const k of rows) {
      d += copyLine([k.id, k.infoHash, k.name, k.payloadId, k.size, k.pieceLength, Math.ceil(k.size / k.pieceLength), marker, '0'.repeat(64), k.status, k.createdAt]);
      f += copyLine([k.id, 0, k.payloadId, k.format, k.size, new Uint8Array(32), null]);
      i += copyLine([k.campaignId, k.seq, k.name, JSON.stringify([{ path: null, size: k.size }]), k.lang, k.id, k.releasedAt]);
    }
    this.#tx(() => {
      this.#conn.copyIn('COPY decoys (id, info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at) FROM STDIN', d);
      this.#conn.copyIn('COPY decoy_files (decoy_id, idx, variant_id, format, size, nonce, path) FROM STDIN', f);
      this.#conn.copyIn('COPY campaign_items (campaign_id, seq, name, files, lang, decoy_id, released_at) FROM STDIN', i);
      // Explicit ids: move the identities past them, as SQLite's rowids move by themselves.
      this.#conn.query("SELECT setval(pg_get_serial_sequence('decoys', 'id'), (SELECT MAX(id) FROM decoys))");
      this.#conn.query("SELECT setval(pg_get_serial_sequence('campaigns', 'id'), (SELECT MAX(id) FROM campaigns))");
    });
  }

  deliveries(rows: readonly SyntheticDelivery[]): void {
    if (rows.length === 0) return;
    this.#partitions('deliveries', rows.map((r) => r.startedAt));
    this.#tx(() => {
      let text = '';
      for (const r of rows) {
        text += copyLine([r.sessionId, r.decoyId, r.remoteIp, r.remotePort, r.localIp, r.localPort, 'tcp', r.encryption, r.startedAt, r.endedAt, r.peerId,
          r.client, r.clientVersion, r.listenPort, r.bytesServed, Math.ceil(r.bytesServed / 16384), r.bytesServed > 0 ? `0-${r.bytesServed}` : '', 0, r.piecesAtEnd,
          r.completed ? 1 : 0, r.metadataOnly ? 1 : 0, r.metadataOnly ? 1 : 0, r.disconnectReason, r.infoHash]);
      }
      this.#conn.copyIn(`COPY deliveries (${DELIVERY_COLUMNS.join(', ')}) FROM STDIN`, text);
    });
  }

  announces(rows: readonly SyntheticAnnounce[]): void {
    if (rows.length === 0) return;
    this.#partitions('tracker_announces', rows.map((r) => r.at));
    this.#tx(() => {
      let text = '';
      for (const a of rows) text += copyLine([a.at, 'http', a.infoHash, a.decoyId, a.remoteIp, a.remotePort, null, a.remotePort, a.peerId, a.event, 0, 0, a.left]);
      this.#conn.copyIn(`COPY tracker_announces (${ANNOUNCE_COLUMNS.join(', ')}) FROM STDIN`, text);
    });
  }

  finish(): void {
    // VACUUM sets the freshly copied rows' hint bits and visibility map once, here, instead of
    // on the first queries' reads (the first scan after the load otherwise rewrote every page).
    this.#conn.query('VACUUM (ANALYZE) deliveries, tracker_announces');
  }
}
