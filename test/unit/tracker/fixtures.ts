/** Deterministic test bytes: 20-byte ids whose every byte is derived from `seed` (covers 0x00 and high bytes). */
export function id20(seed: number): Uint8Array {
  const b = new Uint8Array(20);
  for (let i = 0; i < 20; i++) b[i] = (seed * 131 + i * 37) & 0xff;
  return b;
}

/** An id whose bytes need escaping in every way: NUL, '%', '+', '&', '=', space, high bytes. */
export const HOSTILE_ID = Uint8Array.from([0x00, 0x25, 0x2b, 0x26, 0x3d, 0x20, 0xff, 0x80, 0xc3, 0x28, 0x7e, 0x41, 0x2e, 0x2d, 0x5f, 0x3f, 0x23, 0xfe, 0x01, 0x7f]);

import type { AggregateObservation, TrackerAnnounceObservation } from '../../../src/domain/observation.ts';
import type { FloodGateInit } from '../../../src/observation/flood-gate.ts';
import { TrackerServer } from '../../../src/bittorrent/tracker/server/tracker-server.ts';

export interface LabTracker {
  readonly server: TrackerServer;
  readonly httpUrl: string;
  readonly udpUrl: string;
  readonly observations: TrackerAnnounceObservation[];
  /** Announces counted, not recorded (unknown infohashes, over the record budget), once their second is over. */
  readonly aggregates: AggregateObservation[];
  /** infohash hex -> decoy id for the torrents the tracker knows. */
  readonly known: Map<string, number>;
}

/** A tracker on 127.0.0.1 with ephemeral HTTP and UDP ports; `known` decides what is ours. */
export async function startLabTracker(opts: { intervalSeconds?: number; now?: () => number; announceRecords?: FloodGateInit } = {}): Promise<LabTracker> {
  const observations: TrackerAnnounceObservation[] = [];
  const aggregates: AggregateObservation[] = [];
  const known = new Map<string, number>();
  const server = new TrackerServer({
    host: '127.0.0.1', httpPort: 0, udpPort: 0, intervalSeconds: opts.intervalSeconds ?? 60,
    lookup: (hex) => known.get(hex) ?? null,
    onAnnounce: (o) => (o.kind === 'aggregate' ? aggregates.push(o) : observations.push(o)),
    ...(opts.now !== undefined && { now: opts.now }),
    ...(opts.announceRecords !== undefined && { announceRecords: opts.announceRecords }),
  });
  const urls = await server.start();
  return { server, httpUrl: urls.httpUrl!, udpUrl: urls.udpUrl!, observations, aggregates, known };
}

/** Sum of aggregate counts matching `pred`, once it reaches `want` (aggregates close a second after their events). */
export async function waitAggregated(lab: LabTracker, want: number, pred: (a: AggregateObservation) => boolean = () => true, ms = 4000): Promise<number> {
  const sum = () => lab.aggregates.filter(pred).reduce((n, a) => n + a.count, 0);
  for (const end = Date.now() + ms; sum() < want && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
  return sum();
}
