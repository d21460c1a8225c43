import { ErasedRecordError } from '../evidence/errors.ts';
import type { EvidenceLogTables, LogLink, LogRow } from '../store/evidence-log.ts';

/**
 * What a package carries in place of a record erased under the retention rules (docs/retention.md,
 * verifier/README.md "Erased records"): its seq, its time and its leaf hash, which the chain link,
 * the Merkle path and the key index's accumulator need, and the tombstone's erasure facts. Never
 * any of its content. The verifier checks every proof through the stub and reports the record as
 * erased, not as a failure.
 */
export interface ErasedStub {
  readonly seq: number;
  /** The record's time (UTC ms), as the key index files it. */
  readonly at: number;
  /** Its leaf hash (hex), as the chain holds it. */
  readonly hash: string;
  /** When it was erased (UTC ms), and by which erasure (its access-log entry names the same). */
  readonly erased: { readonly at: number; readonly erasure: string };
}

export const isStub = (r: LogRow | ErasedStub): r is ErasedStub => 'erased' in r;

/**
 * The records of `links` (table.derive), with each erased record as a stub instead of an error.
 * A record that fails in any other way (changed, row gone without a tombstone) still throws: that is
 * tampering, never erasure. A chunk with an erased record is derived again one record at a time.
 */
export function deriveOrStub(table: EvidenceLogTables, links: readonly LogLink[]): (LogRow | ErasedStub)[] {
  try {
    return table.derive(links);
  } catch (e) {
    if (!(e instanceof ErasedRecordError)) throw e;
  }
  return links.map((l) => {
    try {
      return table.derive([l])[0]!;
    } catch (e) {
      if (!(e instanceof ErasedRecordError) || e.seq !== l.seq || !Number.isSafeInteger(e.at)) throw e;
      return { seq: l.seq, at: e.at, hash: l.hash.toString('hex'), erased: { at: e.erasedAt, erasure: e.erasure } };
    }
  });
}
