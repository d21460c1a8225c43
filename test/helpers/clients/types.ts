/** Moved to src/validation/clients/types.ts so that `counterseed validate` can drive real clients too. */
export * from '../../../src/validation/clients/types.ts';
