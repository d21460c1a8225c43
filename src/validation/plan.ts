/**
 * Address plan inside the validation namespace (same as test/helpers/netns.ts): seeder and
 * its tracker share one address (a seeder must accept peers on the address it announced
 * from); every client has its own, because clients keep one peer entry per IP and
 * Transmission 3.00 drops 127.x peers a tracker returns (/work/shared/INTEROP-NOTES.md).
 */
import type { ClientName } from './clients/types.ts';

export const VALIDATION_ADDRESSES = {
  seeder: '198.18.0.2',
  transmission: '198.18.0.11',
  aria2: '198.18.0.12',
  libtorrent: '198.18.0.13',
  /** Capture probes only; nothing listens there. */
  probe: '198.18.0.39',
} as const;

export const SEEDER_PORT = 6881;
export const TRACKER_PORT = 6969;

export const ALL_CLIENTS: readonly ClientName[] = ['libtorrent', 'transmission', 'aria2'];

/** Bounds: the run must stop by itself (each download is also time-bounded). */
export const MAX_DOWNLOADS = 30;
export const DOWNLOAD_TIMEOUT_MS = 180_000;

/**
 * Download i goes to client i mod k, each to its own decoy, so a delivery's decoy names the
 * download. Clients run in parallel; each client's downloads run one after another.
 */
export function assignDownloads(n: number, clients: readonly ClientName[]): { index: number; client: ClientName }[] {
  if (!Number.isInteger(n) || n < 1 || n > MAX_DOWNLOADS) throw new RangeError(`downloads must be 1..${MAX_DOWNLOADS}, got ${n}`);
  if (clients.length === 0) throw new RangeError('at least one client');
  return Array.from({ length: n }, (_, index) => ({ index, client: clients[index % clients.length]! }));
}
