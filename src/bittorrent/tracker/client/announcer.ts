/** Dispatches one announce to the HTTP or the UDP client by URL scheme. */
import type { AnnounceRequest, AnnounceResponse } from '../codec/types.ts';
import { TrackerRequestError } from './errors.ts';
import { httpAnnounce } from './http-client.ts';
import type { PresentedAnnounce } from './presented-announce.ts';
import type { UdpTrackerClient } from './udp-client.ts';

export type Announcer = (tracker: string, req: AnnounceRequest, opts: { signal?: AbortSignal }) => Promise<AnnounceResponse>;

export interface AnnouncerInit {
  readonly udp: UdpTrackerClient;
  readonly localAddress?: string;
  readonly httpTimeoutMs?: number;
  /** HTTP announces as this client writes them (issue 10 item 3). */
  readonly presented?: PresentedAnnounce;
}

export function createAnnouncer(init: AnnouncerInit): Announcer {
  return (tracker, req, opts) => {
    if (tracker.startsWith('udp://')) return init.udp.announce(tracker, req, opts);
    if (tracker.startsWith('http://') || tracker.startsWith('https://')) {
      return httpAnnounce(tracker, req, {
        ...(opts.signal !== undefined && { signal: opts.signal }),
        ...(init.localAddress !== undefined && { localAddress: init.localAddress }),
        ...(init.httpTimeoutMs !== undefined && { timeoutMs: init.httpTimeoutMs }),
        ...(init.presented !== undefined && { presented: init.presented }),
      });
    }
    return Promise.reject(new TrackerRequestError(`unsupported tracker URL scheme: ${tracker}`));
  };
}
