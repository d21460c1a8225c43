import type { Migration } from './migration.ts';

/**
 * Scoring counts, per address, the imported records matched to its deliveries in the last match run
 * (risk-store.ts). Through the (run_id, ip) index each of a run's matches cost a table lookup: 3.4 s
 * of CPU for 4.5 million matches at 10,000,000 deliveries. With the two columns it reads in the index,
 * the count reads the index alone (0.8 s). The index still serves every (run_id, ip) lookup.
 */
export const RISK_002: Migration = {
  name: 'risk-002',
  sql: `
  DROP INDEX source_matches_ip;
  CREATE INDEX source_matches_ip ON source_matches(run_id, ip, other_kind, source_record_id);
  `,
};
