import { CounterseedError, InputError } from '../domain/errors.ts';

/** The data directory's store lacks what a use case needs (campaigns and health need SQLite today). */
export class StoreCapabilityError extends InputError {
  override name = 'StoreCapabilityError';
}

/**
 * A long use case stopped because its AbortSignal fired (SIGINT, a cancelled request). Not bad
 * input: the CLI exits 130 or 143 by the signal, like every long command (it was InputError, and
 * `decoys write` stopped by Ctrl-C exited 2; issue 15 item 4). 130 when no signal is known.
 */
export class InterruptedError extends CounterseedError {
  override name = 'InterruptedError';
  constructor(message = 'interrupted') { super(message, 130); }
}
