import type { PgMigration } from './migration.ts';

/**
 * centre_records without its foreign key to centre_nodes (issue 12 target: >= 100,000 records/s at
 * the centre). The key made PostgreSQL look up and share-lock the node's row for every record COPYed:
 * 100,000 rows of the centre's shape took 7.5-8.3 s with it and 4.8-5.8 s without, on the same table
 * in the same run. It guarded nothing the intake does not: each batch is written in one transaction
 * that holds its node's row (FOR UPDATE) and writes that node's id only. What the key also did, refuse
 * to delete a node that has records (its key is what verifies them), a trigger on centre_nodes does.
 */
export const PG_CENTRE_003: PgMigration = {
  name: 'pg-centre-003',
  sql: `
  ALTER TABLE centre_records DROP CONSTRAINT centre_records_node_id_fkey;
  CREATE FUNCTION cs_centre_node_keep() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM centre_records WHERE node_id = OLD.id) THEN
      RAISE EXCEPTION 'node % has records at the centre: its registration (the key that verifies them) stays', OLD.fingerprint;
    END IF;
    RETURN OLD;
  END $$;
  CREATE TRIGGER centre_nodes_keep BEFORE DELETE ON centre_nodes FOR EACH ROW EXECUTE FUNCTION cs_centre_node_keep();
  `,
};
