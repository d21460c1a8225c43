import { BusyError, CounterseedError, InputError, NotFoundError } from '../domain/errors.ts';
import { EvidenceError } from '../evidence/errors.ts';

/**
 * The exit codes the README documents: 74 evidence could not be written (sysexits EX_IOERR),
 * 75 the data directory is held by another node (EX_TEMPFAIL).
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, notFound: 3, internal: 70, evidenceLost: 74, busy: 75 } as const;

/**
 * The one place an error becomes an exit code (issue 16 §1). Use cases throw named errors
 * and never choose a code; the most specific class listed first wins.
 */
const BY_CLASS: readonly [abstract new (...a: never[]) => Error, number][] = [
  [BusyError, EXIT.busy],
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
