/** Base for errors a user can act on; the CLI prints `message` and exits with `exitCode`. */
export class CounterseedError extends Error {
  override name = 'CounterseedError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** Bad user input: a file, a name list, a flag, a config value. */
export class InputError extends CounterseedError {
  override name = 'InputError';
  constructor(message: string, options?: ErrorOptions) { super(message, 2, options); }
}

/** A referenced thing does not exist (payload, decoy, ...). */
export class NotFoundError extends CounterseedError {
  override name = 'NotFoundError';
  constructor(message: string) { super(message, 3); }
}

/**
 * Something the command needs is held by someone else (a data directory another node writes, a port
 * in use): retrying later may work. Exit code 75 is EX_TEMPFAIL (sysexits.h).
 */
export class BusyError extends CounterseedError {
  override name = 'BusyError';
  constructor(message: string, options?: ErrorOptions) { super(message, 75, options); }
}
