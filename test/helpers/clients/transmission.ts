/** Moved to src/validation/clients/transmission.ts so that `counterseed validate` can drive real clients too. */
export * from '../../../src/validation/clients/transmission.ts';
