import { CounterseedError, InputError } from '../domain/errors.ts';

/** Base for lab-mode failures. */
export class LabError extends CounterseedError {
  override name = 'LabError';
}

/** A lab setting that cannot work (non-loopback address, bad fraction, empty target list, ...). */
export class LabConfigError extends InputError {
  override name = 'LabConfigError';
}

/** An info dictionary the simulated downloader cannot lay out (missing keys, sizes out of bounds). */
export class InfoLayoutError extends LabError {
  override name = 'InfoLayoutError';
}
