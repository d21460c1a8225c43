import { AGGREGATES } from './aggregates.ts';
import { CLOCK_STATEMENTS } from './clock-statements.ts';
import { DELIVERIES } from './deliveries.ts';
import { type AnyRecordTable, RecordCodec } from './record-table.ts';
import { REJECTED_CONNECTIONS } from './rejected-connections.ts';
import { SESSION_PROGRESS } from './session-progress.ts';
import { SWARM_PRESENCE } from './swarm-presence.ts';
import { TRACKER_ANNOUNCES } from './tracker-announces.ts';
import { UNCLEAN_SHUTDOWNS } from './unclean-shutdowns.ts';

/** Every recordable kind's table, by kind: the store writes rows through it, the evidence log re-derives records from it. */
export const RECORD_CODECS: ReadonlyMap<string, RecordCodec> = new Map(
  ([DELIVERIES, TRACKER_ANNOUNCES, REJECTED_CONNECTIONS, SWARM_PRESENCE, AGGREGATES, CLOCK_STATEMENTS, SESSION_PROGRESS, UNCLEAN_SHUTDOWNS] as readonly AnyRecordTable[])
    .map((t) => [t.kind, new RecordCodec(t)]),
);

export function codecOf(kind: string): RecordCodec {
  const c = RECORD_CODECS.get(kind);
  if (!c) throw new Error(`no table records kind "${kind}"`);
  return c;
}
