import type { Observation } from '../domain/observation.ts';
import type { Settings } from '../config/settings.ts';
import { startNodeEvidence, type NodeEvidence } from '../evidence/node-evidence.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import { writeBatch, type WriteOutcome } from './batch-writer.ts';

export type { WriteOutcome } from './batch-writer.ts';

/**
 * Where the recorder hands observations: the store's append path with the evidence chain, the clock
 * records and the checkpoints. One write at a time; a write never throws, its outcome says what was
 * stored, quarantined or held (batch-writer.ts).
 */
export interface EvidenceWriter {
  /** The node key fingerprint, when the store keeps a tamper-evident log. */
  readonly fingerprint: string | undefined;
  write(batch: readonly Observation[], counters: Readonly<Record<string, number>>): Promise<WriteOutcome>;
  /** After the last write: final clock state and the shutdown checkpoint, then the writer is gone. */
  stop(): Promise<void>;
}

/**
 * The evidence writer on the calling thread, for stores that cannot be opened from another thread
 * (an in-memory SQLite store, a store given by a test): the same writeBatch the writer thread runs.
 */
export async function startInlineWriter(c: { store: EvidenceStore; settings: Settings; log: (m: string) => void }): Promise<EvidenceWriter> {
  const evidence: NodeEvidence | undefined = await startNodeEvidence(c);
  return {
    fingerprint: evidence?.fingerprint,
    write: (batch, counters) => writeBatch(c.store, batch, counters),
    stop: async () => { await evidence?.stop(); },
  };
}
