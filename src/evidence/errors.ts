import { CounterseedError } from '../domain/errors.ts';

/** The evidence log refuses an operation that would weaken it (wrong key, broken chain, bad value). */
export class EvidenceError extends CounterseedError {
  override name = 'EvidenceError';
  constructor(message: string, options?: ErrorOptions) { super(message, 70, options); }
}

/** A value the canonical encoding cannot represent exactly (floats, undefined, deep nesting). */
export class CanonicalEncodingError extends EvidenceError {
  override name = 'CanonicalEncodingError';
}

/**
 * A chained record that was erased under the retention rules (docs/retention.md): its row is gone,
 * its leaf hash stays in the chain. Not tampering: the tombstone says when and by which erasure.
 */
export class ErasedRecordError extends EvidenceError {
  override name = 'ErasedRecordError';
  readonly seq: number;
  /** The tombstone's facts: the record's time (UTC ms; NaN where not known), when it was erased, and by which erasure. */
  readonly at: number;
  readonly erasedAt: number;
  readonly erasure: string;
  constructor(seq: number, kind: string, erasedAt: number, erasure: string, at = Number.NaN) {
    super(`record ${seq} (${kind}) was erased on ${new Date(erasedAt).toISOString()} (${erasure}): its content is gone, its hash stays in the chain`);
    this.seq = seq;
    this.at = at;
    this.erasedAt = erasedAt;
    this.erasure = erasure;
  }
}
