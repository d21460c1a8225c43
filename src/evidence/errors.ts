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
