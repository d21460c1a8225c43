import { CounterseedError } from '../domain/errors.ts';

/** The centre did not answer, or could not store now (refused connection, timeout, 5xx): exit 74, as for an unreachable PostgreSQL. */
export class CentreUnavailableError extends CounterseedError {
  override name = 'CentreUnavailableError';
  constructor(message: string, options?: ErrorOptions) { super(message, 74, options); }
}

/** The centre refused this node's records (unknown key, broken chain, fork): an operator must look. Exit 1. */
export class CentreRefusedError extends CounterseedError {
  override name = 'CentreRefusedError';
  constructor(message: string) { super(message, 1); }
}
