// The evidence log's persistence port is declared by its user, evidence/log-store.ts; the store
// contract (store.ts) includes it. Re-exported here for the store's implementations and callers.
export type {
  AppendHook, ChainedRow, NodeRun, RunMarkers, EvidenceLogBackend, EvidenceLogSource, EvidenceLogTables, LogFilter, LogLink, LogRow, StoredCheckpoint, WrittenRow,
} from '../evidence/log-store.ts';
