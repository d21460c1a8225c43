/** Moved to src/validation/clients/files.ts so that `counterseed validate` can drive real clients too. */
export * from '../../../src/validation/clients/files.ts';
