import type { PgMigration } from './migration.ts';

/**
 * Shipped records stored as segments (issue 12 target: >= 100,000 records/s at the centre).
 *
 * A row per record (centre_records, pg-centre-001) made PostgreSQL write about 2.2 KB per record
 * (heap, WAL, three indexes), which capped even a plain COPY of those rows near 40,000 records/s on
 * this project's machine (bench/README.md, centre-copy-ceiling). A segment is one row per verified
 * run of a node's records, as they arrived in one batch:
 *
 * - node_id, first_seq, last_seq: the run [first_seq, last_seq] of the node's log. Runs of one node
 *   never overlap: the exclusion constraint below refuses a second row for any seq already held, so
 *   a record is stored at most once whatever the intake does. (Node and seq are folded into one
 *   number, node_id * 2^40 + seq, so that the constraint needs no extension; seq < 2^40 is checked.)
 * - prev: the hash of the record before first_seq, as the first record's text states it (the intake
 *   checked it against the stored record before, when there is one).
 * - hashes: each record's leaf hash, SHA-256(0x00 || text) (RFC 9162), computed by the intake,
 *   32 bytes each, in seq order. Kept when a record is erased, so the node's Merkle tree still
 *   verifies. Stored uncompressed (STORAGE EXTERNAL): hashes do not compress, and a slice of them is
 *   read without reading the whole value.
 * - texts: the records' exact texts as the node sent them, one per line, joined by a newline. A
 *   record's text is canonical JSON and never holds a raw newline (the intake refuses one that does),
 *   so line k is record first_seq + k byte for byte. An erased record's line is empty (its tombstone
 *   is in centre_erased). Compressed with lz4 (PostgreSQL's TOAST): about 6x fewer bytes written.
 * - min_at, max_at: the earliest and latest record time in the run (erasure picks runs by time).
 * - erased: how many of the run's records are erased (a run erased whole is skipped by the erasure).
 *
 * Every reader of records reads them through cs_centre_records(node, from, to): one row per record,
 * (node_id, seq, prev, hash, text), as centre_records had them. The existing rows of centre_records
 * are moved into segments of at most 5,000 records (contiguous runs, cut at multiples of 5,000), and
 * centre_records is dropped. The projection into the analysis tables (pg-centre-005) reads the
 * accessor, and projects in bounded chunks (cs_project_centre_chunk).
 */
export const PG_CENTRE_007: PgMigration = {
  name: 'pg-centre-007',
  sql: `
  CREATE TABLE centre_segments (
    node_id BIGINT NOT NULL,
    first_seq BIGINT NOT NULL CHECK (first_seq >= 0),
    last_seq BIGINT NOT NULL CHECK (last_seq >= first_seq AND last_seq < 1099511627776),
    min_at BIGINT NOT NULL,
    max_at BIGINT NOT NULL,
    prev BYTEA NOT NULL CHECK (length(prev) = 32),
    hashes BYTEA NOT NULL CHECK (length(hashes) = 32 * (last_seq - first_seq + 1)),
    texts TEXT NOT NULL,
    erased INTEGER NOT NULL DEFAULT 0,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (node_id, first_seq),
    CONSTRAINT centre_segments_no_overlap EXCLUDE USING gist (
      int8range(node_id * 1099511627776 + first_seq, node_id * 1099511627776 + last_seq, '[]') WITH &&)
  );
  ALTER TABLE centre_segments ALTER COLUMN texts SET COMPRESSION lz4;
  ALTER TABLE centre_segments ALTER COLUMN hashes SET STORAGE EXTERNAL;

  -- The one way to read shipped records: each record of node p_node with p_from <= seq < p_to, in seq
  -- order. Reads the segments that overlap the range, each split once into its lines and hashes.
  CREATE FUNCTION cs_centre_records(p_node bigint, p_from bigint, p_to bigint)
    RETURNS TABLE (node_id bigint, seq bigint, prev bytea, hash bytea, text text)
    LANGUAGE sql STABLE AS $f$
    SELECT s.node_id, s.first_seq + l.i - 1 AS seq,
      CASE WHEN l.i = 1 THEN s.prev ELSE substr(h.hashes, (l.i::int - 2) * 32 + 1, 32) END AS prev,
      substr(h.hashes, (l.i::int - 1) * 32 + 1, 32) AS hash,
      l.t AS text
    FROM centre_segments s
    -- The hashes read once per segment (OFFSET 0 keeps PostgreSQL from reading them again per record).
    CROSS JOIN LATERAL (SELECT s.hashes || ''::bytea AS hashes OFFSET 0) h
    -- Line k of texts is record first_seq + k - 1 ('' when the one record of a segment is erased: no line at all).
    CROSS JOIN LATERAL (SELECT t, i FROM string_to_table(s.texts, E'\\n') WITH ORDINALITY AS x(t, i)
                        UNION ALL SELECT '', 1 WHERE s.texts = '') l
    WHERE s.node_id = p_node AND s.last_seq >= p_from AND s.first_seq < p_to
      AND s.first_seq + l.i - 1 >= p_from AND s.first_seq + l.i - 1 < p_to
    ORDER BY s.first_seq, l.i
  $f$;

  -- The previous version's rows, moved: contiguous runs of a node, cut at multiples of 5,000 seqs.
  INSERT INTO centre_segments (node_id, first_seq, last_seq, min_at, max_at, prev, hashes, texts, erased, received_at)
    SELECT node_id, min(seq), max(seq), min(at), max(at), (array_agg(prev ORDER BY seq))[1],
      string_agg(hash, ''::bytea ORDER BY seq), string_agg(text, E'\\n' ORDER BY seq), count(*) FILTER (WHERE gone), 0
    FROM (SELECT r.node_id, r.seq, r.at, r.prev, r.hash, r.text, e.seq IS NOT NULL AND r.text = '' AS gone,
            r.seq - row_number() OVER (PARTITION BY r.node_id ORDER BY r.seq) AS run
          FROM centre_records r LEFT JOIN centre_erased e ON e.node_id = r.node_id AND e.seq = r.seq) x
    GROUP BY node_id, run, seq / 5000;
  DROP TABLE centre_records;

  CREATE OR REPLACE FUNCTION cs_centre_node_keep() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM centre_segments WHERE node_id = OLD.id) THEN
      RAISE EXCEPTION 'node % has records at the centre: its registration (the key that verifies them) stays', OLD.fingerprint;
    END IF;
    RETURN OLD;
  END $$;

  -- Projects at most p_max of one node's verified records (below centre_nodes.size, from where the
  -- last projection stopped) into the analysis tables, moving centre_projection in the same
  -- transaction: a chunk is projected once, whole or not at all. Returns the records covered (0: nothing left).
  CREATE FUNCTION cs_project_centre_chunk(p_max bigint) RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE
    n RECORD;
    done bigint;
    upto bigint;
    m bigint;
  BEGIN
    FOR n IN SELECT c.id, c.fingerprint, c.size FROM centre_nodes c LEFT JOIN centre_projection p ON p.node_id = c.id
             WHERE c.size > COALESCE(p.projected, 0) ORDER BY c.id LOOP
      INSERT INTO centre_projection (node_id, projected) VALUES (n.id, 0) ON CONFLICT DO NOTHING;
      -- Locked: two projections at once project a range once.
      SELECT projected INTO done FROM centre_projection WHERE node_id = n.id FOR UPDATE;
      CONTINUE WHEN done >= n.size;
      upto := least(n.size, done + p_max);
      CREATE TEMP TABLE cs_proj ON COMMIT DROP AS
        SELECT j ->> 'kind' AS kind, (j ->> 'at')::bigint AS at, j -> 'obs' AS o
        FROM (SELECT r.text::jsonb AS j FROM cs_centre_records(n.id, done, upto) r WHERE r.text <> '') x
        WHERE j ->> 'kind' IN ('delivery', 'tracker-announce');
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
      INSERT INTO tracker_announces (at, protocol, info_hash, decoy_id, remote_ip, remote_port, claimed_ip, announced_port, peer_id, event,
          uploaded, downloaded, left_bytes, network, content_id, node)
        SELECT (o ->> 'at')::bigint, o ->> 'protocol', o ->> 'infoHash', d.id, o ->> 'remoteIp', (o ->> 'remotePort')::bigint, o ->> 'claimedIp',
          (o ->> 'announcedPort')::bigint, decode(o ->> 'peerId', 'hex'), o ->> 'event', (o ->> 'uploaded')::bigint, (o ->> 'downloaded')::bigint,
          (o ->> 'left')::bigint, o ->> 'network', o ->> 'contentId', n.fingerprint
        FROM cs_proj LEFT JOIN decoys d ON d.info_hash = cs_proj.o ->> 'infoHash' WHERE kind = 'tracker-announce';
      DROP TABLE cs_proj;
      UPDATE centre_projection SET projected = upto WHERE node_id = n.id;
      RETURN upto - done;
    END LOOP;
    RETURN 0;
  END $$;

  -- What the rollups' refresh calls (cs_intel_marks, pg-centre-005): everything still to project, chunk
  -- by chunk, in the refresh's transaction. The centre's intake projects in the background, a chunk per
  -- transaction (CentreDb.project), so this finds little left. Returns the records covered.
  CREATE OR REPLACE FUNCTION cs_project_centre_records() RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE
    total bigint := 0;
    k bigint;
  BEGIN
    LOOP
      k := cs_project_centre_chunk(20000);
      EXIT WHEN k = 0;
      total := total + k;
    END LOOP;
    RETURN total;
  END $$;
  `,
};
