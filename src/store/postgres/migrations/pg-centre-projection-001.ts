import type { PgMigration } from './migration.ts';

/**
 * The background projection's failures (CentreServer, after batches; CentreDb.project): counted here,
 * with the last one's time and message, so that `centre status` shows them to the operator (the
 * intake runs in another process). A failure loses nothing: the records are stored, and the next
 * projection (after the next batch, or the rollups' refresh) covers them.
 *
 * And the rollups' refresh (cs_intel_marks -> cs_project_centre_records, pg-centre-007) projects at
 * most what was left when it started: its loop is bounded by the chunks those records need (one node
 * a chunk, plus one a node for a chunk the background projection split), so a stream of new batches
 * cannot keep one refresh going; what comes meanwhile is projected in the background or at the next refresh.
 */
export const PG_CENTRE_PROJECTION_001: PgMigration = {
  name: 'pg-centre-projection-001',
  sql: `
  CREATE TABLE centre_projection_failures (
    one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    failures BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    last_error ctext NOT NULL
  );

  CREATE OR REPLACE FUNCTION cs_project_centre_records() RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE
    total bigint := 0;
    k bigint;
    chunks bigint;
  BEGIN
    SELECT COALESCE(sum(ceil((c.size - COALESCE(p.projected, 0)) / 20000.0) + 1), 0) INTO chunks
      FROM centre_nodes c LEFT JOIN centre_projection p ON p.node_id = c.id WHERE c.size > COALESCE(p.projected, 0);
    FOR i IN 1..chunks LOOP
      k := cs_project_centre_chunk(20000);
      EXIT WHEN k = 0;
      total := total + k;
    END LOOP;
    RETURN total;
  END $$;
  `,
};
