/** Moved to src/validation/clients/aria2.ts so that `counterseed validate` can drive real clients too. */
export * from '../../../src/validation/clients/aria2.ts';
