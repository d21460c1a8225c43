import { InputError } from '../domain/errors.ts';

/** A payload file that cannot be registered, or a stored payload that fails its check. */
export class PayloadError extends InputError {
  override name = 'PayloadError';
}
