/** Moved to src/validation/proc.ts so that `counterseed validate` can drive real clients too. */
export * from '../../../src/validation/proc.ts';
