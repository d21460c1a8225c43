import { DataPurposeError } from '../domain/data-purpose.ts';
import { BusyError, CounterseedError, InputError, NotFoundError } from '../domain/errors.ts';
import { InterruptedError } from '../app/errors.ts';
import { EvidenceError } from '../evidence/errors.ts';

/**
 * The exit codes the README documents: 73 a node stopped with observations it could not write
 * (evidence lost; issue 15: it shared 74 with "the system refused", so a script could not tell a
 * refused command, which did nothing, from a node that ran and lost records); 74 the system refused
 * (sysexits EX_IOERR); 75 the data directory or a port is held by another process (EX_TEMPFAIL);
 * 77 the data directory's purpose forbids the command (EX_NOPERM: lab data and real evidence never mix).
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, notFound: 3, internal: 70, evidenceLost: 73, environment: 74, busy: 75, wrongPurpose: 77 } as const;

/** An error from the operating system (fs, net): it carries a code such as ENOENT and often a path or port. */
interface OsError extends Error { code: string; syscall?: string; path?: string; dest?: string; address?: string; port?: number }

const isOsError = (e: unknown): e is OsError => e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && /^E[A-Z0-9]+$/.test((e as unknown as { code: string }).code);

/**
 * OS errors by code: the exit code and what to say (issue 15 item 8: they exited 70 with a stack
 * trace). 2 = the path given is the wrong kind of thing, 3 = it does not exist, 74 (sysexits
 * EX_IOERR) = the system refused: permissions, a read-only or full disk; 75 (EX_TEMPFAIL) = a port in use.
 */
const OS_ERRORS: Record<string, [number, string]> = {
  ENOENT: [EXIT.notFound, 'does not exist'],
  ENOTDIR: [EXIT.badInput, 'a part of this path is a file, not a folder'],
  EISDIR: [EXIT.badInput, 'is a folder, a file was expected'],
  EEXIST: [EXIT.badInput, 'already exists'],
  ENAMETOOLONG: [EXIT.badInput, 'name too long'],
  EACCES: [EXIT.environment, 'permission denied'],
  EPERM: [EXIT.environment, 'operation not permitted'],
  EROFS: [EXIT.environment, 'read-only file system'],
  ENOSPC: [EXIT.environment, 'no space left on the device'],
  EDQUOT: [EXIT.environment, 'disk quota exceeded'],
  EIO: [EXIT.environment, 'input/output error'],
  EMFILE: [EXIT.environment, 'too many open files (raise ulimit -n)'],
  // The same code as BusyError (src/domain/errors.ts): a port or data directory another process holds.
  EADDRINUSE: [EXIT.busy, 'already in use (another counterseed or client?); choose another port'],
  EADDRNOTAVAIL: [EXIT.environment, 'this address is not on this machine'],
};

/** A one-line message and exit code for an OS error, naming its path or address:port; undefined for any other error. */
export function describeOsError(e: unknown): { message: string; exitCode: number } | undefined {
  if (!isOsError(e)) return undefined;
  const known = OS_ERRORS[e.code];
  const what = e.path !== undefined ? `${e.path}${e.dest !== undefined ? ` -> ${e.dest}` : ''}`
    : e.port !== undefined ? `${e.address ?? ''}:${e.port}` : undefined;
  if (!known && what === undefined) return undefined;
  // mkdir answering ENOENT below an existing folder: a pseudo file system (/proc, /sys) refuses it.
  const [exitCode, text] = e.code === 'ENOENT' && e.syscall === 'mkdir' ? [EXIT.environment, 'a folder cannot be created there']
    : known ?? [EXIT.environment, e.code];
  const verb = e.syscall ? `${e.syscall} ` : '';
  return { message: `${verb}${what ?? ''}: ${text} (${e.code})`, exitCode };
}

/**
 * The one place an error becomes an exit code (issue 16 §1). Use cases throw named errors
 * and never choose a code; the most specific class listed first wins.
 */
const BY_CLASS: readonly [abstract new (...a: never[]) => Error, number][] = [
  [DataPurposeError, EXIT.wrongPurpose],
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
  // A use case that stopped on the signal: the shell's code for that signal, as for every long command.
  if (e instanceof InterruptedError) return signalled === 'SIGTERM' ? 143 : 130;
  for (const [cls, code] of BY_CLASS) if (e instanceof cls) return code;
  // Other named errors (ValidationError, LabError) carry the outcome their module chose (default 1).
  if (e instanceof CounterseedError) return e.exitCode;
  const os = describeOsError(e);
  if (os) return os.exitCode;
  if (signalled !== undefined) return signalled === 'SIGINT' ? 130 : 143;
  return EXIT.internal;
}

export const isUserError = (e: unknown): e is CounterseedError => e instanceof CounterseedError;
