import { MetainfoError } from './errors.ts';

export const MAX_TRACKERS = 64;
const MAX_URL_LENGTH = 2048;
/** BEP 3 (HTTP/HTTPS announce) and BEP 15 (UDP announce). */
const SCHEMES = new Set(['http:', 'https:', 'udp:']);

/** Validates announce URLs and returns them unchanged, in order. */
export function checkTrackers(urls: readonly string[]): string[] {
  if (urls.length > MAX_TRACKERS) throw new MetainfoError(`more than ${MAX_TRACKERS} trackers`);
  const seen = new Set<string>();
  for (const u of urls) {
    if (u.length > MAX_URL_LENGTH) throw new MetainfoError(`tracker URL longer than ${MAX_URL_LENGTH} characters`);
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new MetainfoError(`tracker is not a URL: ${u}`);
    }
    if (!SCHEMES.has(url.protocol)) throw new MetainfoError(`tracker URL must be http, https or udp: ${u}`);
    if (url.hostname === '') throw new MetainfoError(`tracker URL has no host: ${u}`);
    if (seen.has(u)) throw new MetainfoError(`tracker listed twice: ${u}`);
    seen.add(u);
  }
  return [...urls];
}
