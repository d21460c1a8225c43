import { CLOCK_STATEMENTS } from './clock-statements.ts';
import { DELIVERIES } from './deliveries.ts';
import type { RecordTable } from './record-table.ts';
import { REJECTED_CONNECTIONS } from './rejected-connections.ts';
import { SWARM_PRESENCE } from './swarm-presence.ts';
import { TRACKER_ANNOUNCES } from './tracker-announces.ts';

// Each table's toRow takes its own kind; the registry is looked up by kind, so the union is sound.
type AnyRecordTable = RecordTable<{ kind: string }>;

/** Every recordable kind's table, by kind: the store writes rows through it, the evidence log re-derives records from it. */
export const RECORD_TABLES: ReadonlyMap<string, AnyRecordTable> = new Map(
  ([DELIVERIES, TRACKER_ANNOUNCES, REJECTED_CONNECTIONS, SWARM_PRESENCE, CLOCK_STATEMENTS] as unknown as AnyRecordTable[])
    .map((t) => [t.kind, t]),
);
