/** Deterministic test bytes: 20-byte ids whose every byte is derived from `seed` (covers 0x00 and high bytes). */
export function id20(seed: number): Uint8Array {
  const b = new Uint8Array(20);
  for (let i = 0; i < 20; i++) b[i] = (seed * 131 + i * 37) & 0xff;
  return b;
}

/** An id whose bytes need escaping in every way: NUL, '%', '+', '&', '=', space, high bytes. */
export const HOSTILE_ID = Uint8Array.from([0x00, 0x25, 0x2b, 0x26, 0x3d, 0x20, 0xff, 0x80, 0xc3, 0x28, 0x7e, 0x41, 0x2e, 0x2d, 0x5f, 0x3f, 0x23, 0xfe, 0x01, 0x7f]);

import type { TrackerAnnounceObservation } from '../../../src/domain/observation.ts';
import { TrackerServer } from '../../../src/bittorrent/tracker/server/tracker-server.ts';

export interface LabTracker {
  readonly server: TrackerServer;
  readonly httpUrl: string;
  readonly udpUrl: string;
  readonly observations: TrackerAnnounceObservation[];
  /** infohash hex -> decoy id for the torrents the tracker knows. */
  readonly known: Map<string, number>;
}

/** A tracker on 127.0.0.1 with ephemeral HTTP and UDP ports; `known` decides what is ours. */
export async function startLabTracker(opts: { intervalSeconds?: number; now?: () => number } = {}): Promise<LabTracker> {
  const observations: TrackerAnnounceObservation[] = [];
  const known = new Map<string, number>();
  const server = new TrackerServer({
    host: '127.0.0.1', httpPort: 0, udpPort: 0, intervalSeconds: opts.intervalSeconds ?? 60,
    lookup: (hex) => known.get(hex) ?? null,
    onAnnounce: (o) => observations.push(o),
    ...(opts.now !== undefined && { now: opts.now }),
  });
  const urls = await server.start();
  return { server, httpUrl: urls.httpUrl!, udpUrl: urls.udpUrl!, observations, known };
}
