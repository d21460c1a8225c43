import { CounterseedError, InputError, NotFoundError } from '../domain/errors.ts';
import { EvidenceError } from '../evidence/errors.ts';

/** The exit codes the README documents. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, notFound: 3, internal: 70 } as const;

/**
 * The one place an error becomes an exit code (issue 16 §1). Use cases throw named errors
 * and never choose a code; the most specific class listed first wins.
 */
const BY_CLASS: readonly [abstract new (...a: never[]) => Error, number][] = [
  [NotFoundError, EXIT.notFound],
  [InputError, EXIT.badInput],
  [EvidenceError, EXIT.internal],
];

/** An error a user can act on: its message and exit code. Anything else is an internal error (70). */
export function exitCodeFor(e: unknown): number {
  for (const [cls, code] of BY_CLASS) if (e instanceof cls) return code;
  // Other named errors (ValidationError, LabError) carry the outcome their module chose (default 1).
  if (e instanceof CounterseedError) return e.exitCode;
  return EXIT.internal;
}

export const isUserError = (e: unknown): e is CounterseedError => e instanceof CounterseedError;
