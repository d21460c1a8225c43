import type { PgMigration } from './migration.ts';

/**
 * Erasure at the centre (issue 13 §7; docs/retention.md, "At the centre"): the erasure job erases the
 * records nodes shipped into centre_records as a node erases its own. The row stays with its seq, time,
 * kind, prev and leaf hash (the intake, the chain audit and every Merkle tree over the node's log read
 * them); its text, address and decoy go. centre_erased is its tombstone: when and by which erasure,
 * and the key-index keys the record was filed under (key-index.ts recordKeys), from which the centre
 * rebuilds the node's signed key index for a completeness proof without the record's text. Those keys
 * name the address, as the node's own key index keeps it (docs/retention.md, "What erasure does not remove").
 */
export const PG_CENTRE_ERASURE_001: PgMigration = {
  name: 'pg-centre-erasure-001',
  sql: `
  CREATE TABLE centre_erased (
    node_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    kind ctext NOT NULL,
    keys ctext NOT NULL,
    erased_at BIGINT NOT NULL,
    erasure ctext NOT NULL,
    PRIMARY KEY (node_id, seq)
  );
  `,
};
