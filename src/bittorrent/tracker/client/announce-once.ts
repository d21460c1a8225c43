import type { AnnounceEvent, AnnounceResponse } from '../codec/types.ts';
import type { AnnounceResult, AnnounceSchedulerInit } from './announce-scheduler-init.ts';
import type { Announcer } from './announcer.ts';

/**
 * One announce of the scheduler (scheduler.ts) as a seed (left = downloaded = 0): reports to
 * onResult and returns the response, or null on failure. Never throws.
 */
export async function announceOnce(
  announce: Announcer, init: AnnounceSchedulerInit,
  a: { readonly url: string; readonly key: string; readonly infoHash: Uint8Array; readonly event: AnnounceEvent; readonly signal: AbortSignal },
): Promise<AnnounceResponse | null> {
  const { url, key, infoHash, event, signal } = a;
  let uploaded = 0;
  try { uploaded = init.uploaded?.(infoHash) ?? 0; } catch { /* a broken counter must not stop announces */ }
  const base = { infoHash, tracker: url, event };
  try {
    const r = await announce(url, {
      infoHash, peerId: init.peerId, port: init.port,
      uploaded, downloaded: 0, left: 0, event, compact: true, key,
      ...(init.ipv6 !== undefined && { ipv6: init.ipv6 }),
      ...(init.numWant !== undefined && { numWant: init.numWant }),
    }, { signal });
    report(init, { ...base, ok: true, interval: r.interval, peers: r.peers.length });
    return r;
  } catch (e) {
    report(init, { ...base, ok: false, error: e instanceof Error ? e.message : String(e) });
    return null;
  }
}

function report(init: AnnounceSchedulerInit, r: AnnounceResult): void {
  try { init.onResult?.(r); } catch { /* observers must not break scheduling */ }
}
