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

/**
 * The exit code for an error a command threw. Named errors first; then, if the process got
 * SIGINT/SIGTERM (`signalled`), the shell's 128 + signal number (130, 143): the command stopped and
 * committed nothing. Anything else is an internal error (70).
 */
export function exitCodeFor(e: unknown, signalled?: NodeJS.Signals): number {
  for (const [cls, code] of BY_CLASS) if (e instanceof cls) return code;
  // Other named errors (ValidationError, LabError) carry the outcome their module chose (default 1).
  if (e instanceof CounterseedError) return e.exitCode;
  if (signalled !== undefined) return signalled === 'SIGINT' ? 130 : 143;
  return EXIT.internal;
}

export const isUserError = (e: unknown): e is CounterseedError => e instanceof CounterseedError;
