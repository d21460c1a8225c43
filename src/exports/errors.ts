import { InputError } from '../domain/errors.ts';

/** An export that cannot be made as asked (empty selection, unknown case, existing output). */
export class ExportError extends InputError {
  override name = 'ExportError';
}
