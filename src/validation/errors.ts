import { CounterseedError } from '../domain/errors.ts';

/** The validation run could not be carried out (tooling, isolation, capture); exit code 1 unless given. */
export class ValidationError extends CounterseedError {
  override name = 'ValidationError';
}
