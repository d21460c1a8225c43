import type { PgMigration } from './migration.ts';

/**
 * Shipped records feed the intelligence at the centre (issue 12): the analysis queries read the
 * observation tables (deliveries, tracker_announces), the nodes ship into centre_records. This
 * projects each node's verified, contiguous records (seq < centre_nodes.size) into the observation
 * tables, exactly once, whenever the rollups read their marks (cs_intel_marks: stats, dossier, cohorts,
 * map all refresh first): centre_projection keeps per node the seq projected up to, moved in the same
 * statement as the rows it covers (a plpgsql function is one transaction), so a re-shipped batch
 * (stored once in centre_records), a replay or a restart adds nothing. centre_records stay as they
 * were: they are the evidence; the projected rows are for analysis only.
 *
 * A node's decoy ids are its own; the centre knows a node's decoy by its infohash (every node builds
 * its own decoys, so infohashes differ between nodes). A decoy the centre did not make gets a stub
 * row (name "shipped <infohash>", payload 'centre-shipped', no torrent) for the deliveries to refer to.
 * `node` on the observation rows names the node that recorded them (NULL: recorded here).
 */
export const PG_CENTRE_005: PgMigration = {
  name: 'pg-centre-005',
  sql: `
  CREATE TABLE centre_projection (node_id BIGINT PRIMARY KEY REFERENCES centre_nodes(id), projected BIGINT NOT NULL);
  ALTER TABLE deliveries ADD COLUMN node ctext;
  ALTER TABLE tracker_announces ADD COLUMN node ctext;

  CREATE FUNCTION cs_project_centre_records() RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE
    n RECORD;
    done bigint;
    total bigint := 0;
    k bigint;
    m bigint;
  BEGIN
    FOR n IN SELECT c.id, c.fingerprint, c.size FROM centre_nodes c LEFT JOIN centre_projection p ON p.node_id = c.id
             WHERE c.size > COALESCE(p.projected, 0) ORDER BY c.id LOOP
      INSERT INTO centre_projection (node_id, projected) VALUES (n.id, 0) ON CONFLICT DO NOTHING;
      -- Locked: two refreshes at once project a range once.
      SELECT projected INTO done FROM centre_projection WHERE node_id = n.id FOR UPDATE;
      CONTINUE WHEN done >= n.size;
      CREATE TEMP TABLE cs_proj ON COMMIT DROP AS
        SELECT r.kind, r.at, (r.text::jsonb) -> 'obs' AS o FROM centre_records r
        WHERE r.node_id = n.id AND r.seq >= done AND r.seq < n.size AND r.kind IN ('delivery', 'tracker-announce');
      INSERT INTO payloads (id, size, label, media_type, added_at)
        VALUES ('centre-shipped', 0, 'decoys of shipped records (the node holds the payload)', 'application/octet-stream', 0) ON CONFLICT DO NOTHING;
      INSERT INTO decoys (info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
        SELECT h, 'shipped ' || h, 'centre-shipped', 0, 0, 0, '\\x'::bytea, '', 'active', min(at)
        FROM (SELECT o ->> 'infoHash' AS h, at FROM cs_proj) x WHERE h IS NOT NULL GROUP BY h
        ON CONFLICT (info_hash) DO NOTHING;
      FOR m IN SELECT DISTINCT cs_month_start((o ->> 'startedAt')::bigint) FROM cs_proj WHERE kind = 'delivery' LOOP
        PERFORM cs_ensure_month_partition('deliveries', m);
      END LOOP;
      FOR m IN SELECT DISTINCT cs_month_start(at) FROM cs_proj WHERE kind = 'tracker-announce' LOOP
        PERFORM cs_ensure_month_partition('tracker_announces', m);
      END LOOP;
      INSERT INTO deliveries (session_id, decoy_id, remote_ip, remote_port, local_ip, local_port, transport, encryption, started_at, ended_at,
          peer_id, client, client_version, listen_port, bytes_served, blocks_served, served_ranges, pieces_at_start, pieces_at_end, completed,
          metadata_pieces, metadata_only, disconnect_reason, info_hash, network, content_id, node)
        SELECT o ->> 'sessionId', d.id, o ->> 'remoteIp', (o ->> 'remotePort')::bigint, o ->> 'localIp', (o ->> 'localPort')::bigint,
          o ->> 'transport', o ->> 'encryption', (o ->> 'startedAt')::bigint, (o ->> 'endedAt')::bigint, decode(o ->> 'peerId', 'hex'),
          o ->> 'client', o ->> 'clientVersion', (o ->> 'listenPort')::bigint, (o ->> 'bytesServed')::bigint, (o ->> 'blocksServed')::bigint,
          COALESCE((SELECT string_agg((e ->> 0) || '-' || (e ->> 1), ',' ORDER BY i) FROM jsonb_array_elements(o -> 'servedRanges') WITH ORDINALITY AS t(e, i)), ''),
          (o ->> 'peerPiecesAtStart')::bigint, (o ->> 'peerPiecesAtEnd')::bigint, CASE WHEN (o ->> 'completed')::boolean THEN 1 ELSE 0 END,
          (o ->> 'metadataPiecesServed')::bigint, CASE WHEN (o ->> 'metadataOnly')::boolean THEN 1 ELSE 0 END, o ->> 'disconnectReason',
          o ->> 'infoHash', o ->> 'network', o ->> 'contentId', n.fingerprint
        FROM cs_proj JOIN decoys d ON d.info_hash = cs_proj.o ->> 'infoHash' WHERE kind = 'delivery'
        ON CONFLICT DO NOTHING;
      GET DIAGNOSTICS k = ROW_COUNT;
      total := total + k;
      INSERT INTO tracker_announces (at, protocol, info_hash, decoy_id, remote_ip, remote_port, claimed_ip, announced_port, peer_id, event,
          uploaded, downloaded, left_bytes, network, content_id, node)
        SELECT (o ->> 'at')::bigint, o ->> 'protocol', o ->> 'infoHash', d.id, o ->> 'remoteIp', (o ->> 'remotePort')::bigint, o ->> 'claimedIp',
          (o ->> 'announcedPort')::bigint, decode(o ->> 'peerId', 'hex'), o ->> 'event', (o ->> 'uploaded')::bigint, (o ->> 'downloaded')::bigint,
          (o ->> 'left')::bigint, o ->> 'network', o ->> 'contentId', n.fingerprint
        FROM cs_proj LEFT JOIN decoys d ON d.info_hash = cs_proj.o ->> 'infoHash' WHERE kind = 'tracker-announce';
      GET DIAGNOSTICS k = ROW_COUNT;
      total := total + k;
      DROP TABLE cs_proj;
      UPDATE centre_projection SET projected = n.size WHERE node_id = n.id;
    END LOOP;
    RETURN total;
  END $$;

  -- The rollups' high-water marks (sqlite/intel/rollups.ts), read after projecting: one round trip for both.
  CREATE FUNCTION cs_intel_marks(OUT wd bigint, OUT wa bigint, OUT td bigint, OUT ta bigint) LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM cs_project_centre_records();
    SELECT COALESCE((SELECT last_id FROM intel_watermarks WHERE name = 'deliveries'), 0), COALESCE((SELECT last_id FROM intel_watermarks WHERE name = 'announces'), 0),
      (SELECT COALESCE(MAX(id), 0) FROM deliveries), (SELECT COALESCE(MAX(id), 0) FROM tracker_announces) INTO wd, wa, td, ta;
  END $$;
  `,
};
