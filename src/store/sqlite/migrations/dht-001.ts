import type { Migration } from './migration.ts';

/**
 * DHT evidence: swarm presence (weaker than a delivery: an address seen in a decoy's swarm
 * through the DHT, nothing served to it). The health report reads deliveries.local_ip/decoy_id.
 */
export const DHT_001: Migration = {
  name: 'dht-001',
  sql: `
  CREATE TABLE swarm_presence (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,             -- UTC ms
    strength TEXT NOT NULL CHECK (strength = 'weak'),
    source TEXT NOT NULL CHECK (source IN ('dht-get-peers', 'dht-announce-peer', 'dht-peer-list')),
    info_hash TEXT NOT NULL,
    decoy_id INTEGER REFERENCES decoys(id),
    remote_ip TEXT NOT NULL,
    remote_port INTEGER NOT NULL,
    local_ip TEXT NOT NULL
  ) STRICT;
  CREATE INDEX swarm_presence_ip ON swarm_presence(remote_ip, at);
  CREATE INDEX swarm_presence_decoy ON swarm_presence(decoy_id, at);
  CREATE INDEX deliveries_local ON deliveries(local_ip, started_at);
  `,
};
