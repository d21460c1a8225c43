/** Moved to src/validation/clients/libtorrent.ts so that `counterseed validate` can drive real clients too. */
export * from '../../../src/validation/clients/libtorrent.ts';
