import type { Observation } from '../domain/observation.ts';
import { InputError } from '../domain/errors.ts';
import { CanonicalEncodingError } from '../evidence/errors.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';

/** What became of a batch handed to the evidence writer. */
export interface WriteOutcome {
  /** Observations stored (and chained). */
  readonly written: number;
  /** Observations the store refused as rows, kept verbatim in quarantine (and counted there). */
  readonly quarantined: number;
  /** Whether the counters handed in with the batch were stored (in the same transaction as rows). */
  readonly countersWritten: boolean;
  /**
   * Set when the store itself failed (disk full, I/O error, database locked...): `held` are the
   * batch's observations from the first one not written on, in order, for the caller to keep and hand
   * in again (handed back, so that a caller on another thread need not keep its batch meanwhile).
   */
  readonly fault?: {
    readonly message: string;
    readonly held: readonly Observation[];
    /** Observations neither written nor held, by kind: the writer thread died with them. */
    readonly lost?: Readonly<Record<string, number>>;
  };
}

/** SQLite primary result codes (https://sqlite.org/rescode.html) that say a row is at fault, not the store. */
const RECORD_CODES = new Set([18 /* TOOBIG */, 19 /* CONSTRAINT */, 20 /* MISMATCH */, 25 /* RANGE */]);

/**
 * Whether an append failed because of one of its records (the same record would fail again, so it is
 * quarantined) rather than because of the store (disk full, I/O error, busy: the same record will
 * be written once the store recovers, so it must be kept, never quarantined).
 */
export function isRecordFault(e: unknown): boolean {
  if (e instanceof CanonicalEncodingError || e instanceof InputError) return true;
  const code = (e as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' && RECORD_CODES.has(code & 0xff);
}

/** The store's error as the operator should read it: node:sqlite's message plus its result code name. */
export function faultMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const errstr = (e as { errstr?: unknown } | null)?.errstr;
  return typeof errstr === 'string' && !m.includes(errstr) ? `${m} (${errstr})` : m;
}

/**
 * Writes one batch and its counters, in one transaction when nothing is wrong (the chain is in the
 * same transaction: SqliteStore.appendObservations). When a record is at fault, the batch is written
 * one observation at a time, so one bad record cannot block the others: the bad one is quarantined
 * (and counted, in the quarantine's own transaction). When the store is at fault, nothing more is
 * tried: the outcome says from where the batch is held, and no record is quarantined for it, so a
 * record held now and written later is never also in quarantine.
 */
export async function writeBatch(store: EvidenceStore, batch: readonly Observation[], counters: Readonly<Record<string, number>>): Promise<WriteOutcome> {
  try {
    await store.appendObservations(batch, counters);
    return { written: batch.length, quarantined: 0, countersWritten: true };
  } catch (e) {
    if (!isRecordFault(e)) return { written: 0, quarantined: 0, countersWritten: false, fault: { message: faultMessage(e), held: batch } };
  }
  let written = 0;
  let quarantined = 0;
  let pending: Readonly<Record<string, number>> | undefined = counters;
  for (let i = 0; i < batch.length; i++) {
    const o = batch[i]!;
    try {
      await store.appendObservations([o], pending);
      pending = undefined;
      written++;
    } catch (e) {
      try {
        if (!isRecordFault(e)) throw e;
        await store.quarantineObservation(o, faultMessage(e));
        quarantined++;
      } catch (storeError) {
        return { written, quarantined, countersWritten: pending === undefined, fault: { message: faultMessage(storeError), held: batch.slice(i) } };
      }
    }
  }
  if (pending !== undefined && Object.keys(pending).length > 0) {
    try {
      await store.appendObservations([], pending);
    } catch (e) {
      return { written, quarantined, countersWritten: false, fault: { message: faultMessage(e), held: [] } };
    }
  }
  return { written, quarantined, countersWritten: true };
}
