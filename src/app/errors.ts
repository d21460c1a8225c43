import { InputError } from '../domain/errors.ts';

/** The data directory's store lacks what a use case needs (campaigns and health need SQLite today). */
export class StoreCapabilityError extends InputError {
  override name = 'StoreCapabilityError';
}

/** A long use case stopped because its AbortSignal fired (SIGINT, a cancelled request). */
export class InterruptedError extends InputError {
  override name = 'InterruptedError';
  constructor(message = 'interrupted') { super(message); }
}
