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
 * and issue 11's benchmarks need 10,000,000 deliveries), loading while the next batch is made. The month partitions of the batch's
 * times are made first, so no row lands in the DEFAULT partition. Ids come from the tables' own
 * sequences (the column default), as for any insert.
 */
export class PgSyntheticWriter implements SyntheticWriter {
  readonly #conn: SyncConnection;
  readonly #months = new Set<string>();
  readonly #indexes: string[];

  constructor(conn: SyncConnection) {
    this.#conn = conn;
    // As in SQLite's writer: the B-tree indexes that back no constraint are dropped for the load and
    // rebuilt by finish(), one sort each instead of one insertion per row per index (BRIN stays:
    // it costs next to nothing per row). Definitions come from the catalogue, so they come back as they were.
    const list = conn.query(`SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
      WHERE i.indrelid IN ('deliveries'::regclass, 'tracker_announces'::regclass) AND NOT i.indisprimary AND NOT i.indisunique AND a.amname = 'btree'`).rows as { name: string; def: string }[];
    // A partitioned table's index reads back as CREATE INDEX ... ON ONLY (the parent alone, left invalid):
    // without ONLY it is built on every partition again.
    this.#indexes = list.map((r) => r.def.replace(' ON ONLY ', ' ON '));
    for (const r of list) conn.query(`DROP INDEX "${r.name.replace(/"/g, '""')}"`);
  }

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
      this.#conn.copyInBackground('COPY decoys (id, info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at) FROM STDIN', d);
      this.#conn.copyInBackground('COPY decoy_files (decoy_id, idx, variant_id, format, size, nonce, path) FROM STDIN', f);
      this.#conn.copyInBackground('COPY campaign_items (campaign_id, seq, name, files, lang, decoy_id, released_at) FROM STDIN', i);
      // Explicit ids: move the identities past them, as SQLite's rowids move by themselves.
      this.#conn.query("SELECT setval(pg_get_serial_sequence('decoys', 'id'), (SELECT MAX(id) FROM decoys))");
      this.#conn.query("SELECT setval(pg_get_serial_sequence('campaigns', 'id'), (SELECT MAX(id) FROM campaigns))");
    });
  }

  deliveries(rows: readonly SyntheticDelivery[]): void {
    if (rows.length === 0) return;
    let text = '';
    for (const r of rows) {
      text += copyLine([r.sessionId, r.decoyId, r.remoteIp, r.remotePort, r.localIp, r.localPort, 'tcp', r.encryption, r.startedAt, r.endedAt, r.peerId,
          r.client, r.clientVersion, r.listenPort, r.bytesServed, Math.ceil(r.bytesServed / 16384), r.bytesServed > 0 ? `0-${r.bytesServed}` : '', 0, r.piecesAtEnd,
        r.completed ? 1 : 0, r.metadataOnly ? 1 : 0, r.metadataOnly ? 1 : 0, r.disconnectReason, r.infoHash]);
    }
    this.#partitions('deliveries', rows.map((r) => r.startedAt));
    // One COPY is one atomic statement; it loads while the caller makes the next batch.
    this.#conn.copyInBackground(`COPY deliveries (${DELIVERY_COLUMNS.join(', ')}) FROM STDIN`, text);
  }

  announces(rows: readonly SyntheticAnnounce[]): void {
    if (rows.length === 0) return;
    let text = '';
    for (const a of rows) text += copyLine([a.at, 'http', a.infoHash, a.decoyId, a.remoteIp, a.remotePort, null, a.remotePort, a.peerId, a.event, 0, 0, a.left]);
    this.#partitions('tracker_announces', rows.map((r) => r.at));
    this.#conn.copyInBackground(`COPY tracker_announces (${ANNOUNCE_COLUMNS.join(', ')}) FROM STDIN`, text);
  }

  finish(): void {
    for (const def of this.#indexes) this.#conn.query(def);
    this.#indexes.length = 0;
    // VACUUM sets the freshly copied rows' hint bits and visibility map once, here, instead of
    // on the first queries' reads (the first scan after the load otherwise rewrote every page).
    this.#conn.query('VACUUM (ANALYZE) deliveries, tracker_announces');
  }
}
