/**
 * One HTTP(S) announce (BEP 3). Sockets are bound to the seeder's address (`localAddress`), which
 * matters when several addresses are in use; plain HTTP goes over a bare socket (http-get.ts, why
 * there), HTTPS through node:https.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TrackerCodecError } from '../codec/errors.ts';
import { buildAnnounceUrl, decodeAnnounceResponse } from '../codec/http.ts';
import type { AnnounceRequest, AnnounceResponse } from '../codec/types.ts';
import { TrackerFailureError, TrackerRequestError, TrackerTimeoutError } from './errors.ts';
import { decodeContent, httpGet, type HttpGetOptions } from './http-get.ts';
import { presentedAnnounceUrl, presentedHeaders, type PresentedAnnounce } from './presented-announce.ts';

/** Tracker responses are small; 1 MiB holds ~170k compact peers. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;
export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;

export interface HttpAnnounceOptions {
  /** Announce as this client does: its query, headers and content encodings (issue 10 item 3). */
  readonly presented?: PresentedAnnounce;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly localAddress?: string;
}

export async function httpAnnounce(tracker: string, req: AnnounceRequest, opts: HttpAnnounceOptions = {}): Promise<AnnounceResponse> {
  const p = opts.presented;
  const url = new URL(p ? presentedAnnounceUrl(tracker, req, p.style) : buildAnnounceUrl(tracker, req));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TrackerRequestError(`not an HTTP tracker: ${tracker}`);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  opts.signal?.throwIfAborted();
  const get = { localAddress: opts.localAddress, maxBodyBytes: opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, ...(p ? { headers: presentedHeaders(p, url.host) } : {}) };
  const attempt = url.protocol === 'http:' ? httpGet(url, get) : httpsGet(url, get);
  // One timer, cleared when the announce settles, and a listener removed then (an AbortSignal.timeout
  // per request would keep every finished request reachable for the whole time-out).
  let timer: NodeJS.Timeout | undefined;
  const onAbort = (): void => attempt.destroy(opts.signal!.reason instanceof Error ? opts.signal!.reason : new TrackerRequestError('aborted'));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let body: Uint8Array;
  try {
    timer = setTimeout(() => attempt.destroy(new TrackerTimeoutError(`no answer from ${tracker} in ${timeoutMs} ms`)), timeoutMs);
    body = await attempt.done;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  let decoded;
  try {
    decoded = decodeAnnounceResponse(body);
  } catch (e) {
    if (e instanceof TrackerCodecError) throw new TrackerRequestError(`bad response from ${tracker}: ${e.message}`);
    throw e;
  }
  if (!decoded.ok) throw new TrackerFailureError(tracker, decoded.failure);
  return decoded.response;
}

/** HTTPS through node:https (rare for trackers; the plain-HTTP path is http-get.ts), in httpGet's shape. */
function httpsGet(url: URL, o: HttpGetOptions): { done: Promise<Uint8Array>; destroy(reason: Error): void } {
  let r: ClientRequest | undefined;
  const done = new Promise<Uint8Array>((resolve, reject) => {
    r = httpsRequest(url, {
      method: 'GET', agent: false,
      ...(o.headers !== undefined ? { setHost: false, headers: o.headers.flat() } : { headers: { 'accept-encoding': 'identity', connection: 'close' } }),
      ...(o.localAddress !== undefined && { localAddress: o.localAddress, family: o.localAddress.includes(':') ? 6 : 4 }),
    }, (res) => readBody(res, o.maxBodyBytes).then((b) => decodeContent(b, res.headers['content-encoding'], o.maxBodyBytes)).then(resolve, reject));
    r.on('error', reject);
    r.end();
  });
  return { done, destroy: (reason) => r?.destroy(reason) };
}

function readBody(res: IncomingMessage, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // Trackers report errors in 200 responses; other statuses may still carry a failure reason, but we do not rely on it.
    if (res.statusCode !== 200) {
      res.resume();
      reject(new TrackerRequestError(`HTTP status ${res.statusCode}`));
      return;
    }
    const declared = Number(res.headers['content-length'] ?? 0);
    if (declared > max) {
      res.destroy();
      reject(new TrackerRequestError(`response of ${declared} bytes exceeds ${max}`));
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    res.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) {
        res.destroy();
        reject(new TrackerRequestError(`response exceeds ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    res.on('error', reject);
    // A connection cut before 'end' must not leave the announce pending (no-op once settled).
    res.on('close', () => reject(new TrackerRequestError('connection closed before the response ended')));
  });
}
