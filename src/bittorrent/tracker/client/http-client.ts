/**
 * One HTTP(S) announce (BEP 3). node:http rather than fetch so the socket can
 * be bound to the seeder's address (`localAddress`), which matters when
 * several loopback addresses are in use.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TrackerCodecError } from '../codec/errors.ts';
import { buildAnnounceUrl, decodeAnnounceResponse } from '../codec/http.ts';
import type { AnnounceRequest, AnnounceResponse } from '../codec/types.ts';
import { TrackerFailureError, TrackerRequestError, TrackerTimeoutError } from './errors.ts';

/** Tracker responses are small; 1 MiB holds ~170k compact peers. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;
export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;

export interface HttpAnnounceOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly localAddress?: string;
}

export async function httpAnnounce(tracker: string, req: AnnounceRequest, opts: HttpAnnounceOptions = {}): Promise<AnnounceResponse> {
  const url = new URL(buildAnnounceUrl(tracker, req));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TrackerRequestError(`not an HTTP tracker: ${tracker}`);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout]);
  signal.throwIfAborted();
  const body = await new Promise<Uint8Array>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = send(url, {
      method: 'GET', signal, agent: false,
      headers: { 'accept-encoding': 'identity', connection: 'close' },
      // A host name resolves in the local address's family (AAAA for an IPv6 announce, issue 10 item 2).
      ...(opts.localAddress !== undefined && { localAddress: opts.localAddress, family: opts.localAddress.includes(':') ? 6 : 4 }),
    }, (res) => readBody(res, opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES).then(resolve, reject));
    r.on('error', (e) => reject(timeout.aborted && !(opts.signal?.aborted ?? false) ? new TrackerTimeoutError(`no answer from ${tracker} in ${timeoutMs} ms`) : e));
    r.end();
  });
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
