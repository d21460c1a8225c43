import type { PgMigration } from './migration.ts';

/**
 * Observation tables partitioned by month (issue 12 item 1): deliveries by started_at,
 * tracker_announces and swarm_presence by at (UTC ms). A month is dropped or archived as a whole
 * and a query over a time range reads only its months. Each table gets a BRIN index on its time
 * (a few pages per month: rows arrive in time order) and a B-tree on (remote_ip, time), what
 * exports by address and the analysis read. Rows of a month without its partition yet land in
 * the table's DEFAULT partition; cs_ensure_month_partition moves them when it creates the month
 * (the store creates the current and the next month when it opens).
 *
 * PostgreSQL 15 has no identity columns on partitioned tables and wants the partition key in every
 * unique constraint: ids come from a sequence (continuing the old identity), the primary key is
 * (id, time), and a session id is unique per start time (session ids are 128-bit random).
 */
const TABLES: readonly { table: string; time: string; extra: string }[] = [
  { table: 'deliveries', time: 'started_at', extra: `
    ALTER TABLE deliveries ADD UNIQUE (session_id, started_at);
    ALTER TABLE deliveries ADD FOREIGN KEY (decoy_id) REFERENCES decoys(id);
    CREATE INDEX deliveries_decoy ON deliveries(decoy_id, started_at);
    CREATE INDEX deliveries_local ON deliveries(local_ip, started_at);` },
  { table: 'tracker_announces', time: 'at', extra: `
    CREATE INDEX announces_hash ON tracker_announces(info_hash, at);` },
  { table: 'swarm_presence', time: 'at', extra: `
    ALTER TABLE swarm_presence ADD FOREIGN KEY (decoy_id) REFERENCES decoys(id);
    CREATE INDEX swarm_presence_decoy ON swarm_presence(decoy_id, at);` },
];

const convert = ({ table, time, extra }: typeof TABLES[number]) => `
  ALTER TABLE ${table} RENAME TO ${table}_unpartitioned;
  CREATE TABLE ${table} (LIKE ${table}_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (${time});
  CREATE SEQUENCE ${table}_row_id AS bigint;
  SELECT setval('${table}_row_id', COALESCE((SELECT MAX(id) FROM ${table}_unpartitioned), 0) + 1, false);
  ALTER TABLE ${table} ALTER COLUMN id SET DEFAULT nextval('${table}_row_id');
  ALTER SEQUENCE ${table}_row_id OWNED BY ${table}.id;
  CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT;
  ALTER TABLE ${table} ADD PRIMARY KEY (id, ${time});
  INSERT INTO ${table} SELECT * FROM ${table}_unpartitioned;
  DROP TABLE ${table}_unpartitioned;
  CREATE INDEX ${table}_time_brin ON ${table} USING brin (${time});
  CREATE INDEX ${table}_ip_time ON ${table} (remote_ip, ${time});
  ${extra}
`;

export const PG_PARTITIONS_001: PgMigration = {
  name: 'pg-partitions-001',
  sql: `
  DROP INDEX deliveries_ip, deliveries_decoy, deliveries_started, deliveries_local, announces_ip, announces_hash, swarm_presence_ip, swarm_presence_decoy;
  ${TABLES.map(convert).join('\n')}

  -- UTC ms of the start of the month holding ms.
  CREATE FUNCTION cs_month_start(ms bigint) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT (extract(epoch FROM date_trunc('month', to_timestamp(ms / 1000.0) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') * 1000)::bigint
  $$;

  -- Creates the partition of the month holding ms (name: table_yYYYYmMM) unless it exists, moving that month's rows out of DEFAULT.
  CREATE FUNCTION cs_ensure_month_partition(tbl text, ms bigint) RETURNS void LANGUAGE plpgsql AS $$
  DECLARE
    lo bigint := cs_month_start(ms);
    hi bigint := cs_month_start(lo + 32::bigint * 86400000);
    part text := tbl || '_y' || to_char(to_timestamp(lo / 1000) AT TIME ZONE 'UTC', 'YYYY"m"MM');
    col text := substring(pg_get_partkeydef(tbl::regclass) FROM '\\((\\w+)\\)');
  BEGIN
    IF to_regclass(quote_ident(part)) IS NOT NULL THEN RETURN; END IF;
    EXECUTE format('LOCK TABLE %I IN SHARE ROW EXCLUSIVE MODE', tbl);
    IF to_regclass(quote_ident(part)) IS NOT NULL THEN RETURN; END IF; -- made meanwhile by another process
    EXECUTE format('CREATE TEMP TABLE cs_moved ON COMMIT DROP AS SELECT * FROM %I WHERE %I >= %s AND %I < %s', tbl || '_default', col, lo, col, hi);
    EXECUTE format('DELETE FROM %I WHERE %I >= %s AND %I < %s', tbl || '_default', col, lo, col, hi);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)', part, tbl, lo, hi);
    EXECUTE format('INSERT INTO %I SELECT * FROM cs_moved', tbl);
    DROP TABLE cs_moved;
  END $$;
  `,
};
