/**
 * One plain-HTTP GET for tracker announces, on a bare TCP socket: an HTTP/1.0 request (so the
 * answer is never chunked, RFC 9112 section 7.1) and a bounded read until the server closes.
 *
 * Why not node:http: its request, parser and response objects outlive young-generation collections
 * while 16 announces are in flight, so 10,000 announces grew V8's heap to 171 MB (54 MB live) before
 * a full collection ran; a first round of 100,000 decoys peaked at 550-630 MB (issue 10 item 5,
 * target: peak RSS <= 1/10 of libtorrent's doing the same). A socket and a few buffers per announce
 * die young: 79 MB, and 18 MB under bin/counterseed's --max-semi-space-size=2 (docs/scale.md).
 */
import { connect } from 'node:net';
import { TrackerRequestError } from './errors.ts';

/** Status line and headers of a tracker reply are short; more is not a tracker. */
const MAX_HEAD_BYTES = 16 * 1024;

export interface HttpGetOptions {
  readonly localAddress?: string;
  readonly maxBodyBytes: number;
}

/**
 * GET `url` (http: only) and resolve with the body of a 200 answer. Rejects on any other status, an
 * oversized head or body, a malformed head or a connection closed before Content-Length bytes.
 * The caller owns time-out and cancellation: `destroy` ends the attempt (the promise then rejects).
 */
export function httpGet(url: URL, o: HttpGetOptions): { done: Promise<Uint8Array>; destroy(reason: Error): void } {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const socket = connect({
    host, port: url.port === '' ? 80 : Number(url.port), noDelay: true,
    // A host name resolves in the local address's family (AAAA for an IPv6 announce, issue 10 item 2).
    ...(o.localAddress !== undefined && { localAddress: o.localAddress, family: o.localAddress.includes(':') ? 6 : 4 }),
  });
  const done = new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const limit = MAX_HEAD_BYTES + o.maxBodyBytes;
    socket.on('connect', () => {
      socket.end(`GET ${url.pathname}${url.search} HTTP/1.0\r\nHost: ${url.host}\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) { socket.destroy(new TrackerRequestError(`response exceeds ${o.maxBodyBytes} bytes`)); return; }
      chunks.push(c);
    });
    socket.on('error', reject);
    socket.on('close', () => {
      try { resolve(parseReply(Buffer.concat(chunks), o.maxBodyBytes)); } catch (e) { reject(e); }
    });
  });
  return { done, destroy: (reason) => socket.destroy(reason) };
}

/** The body of a complete `HTTP/1.x 200` reply (Content-Length honoured when present). */
export function parseReply(raw: Buffer, maxBody: number): Uint8Array {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0 || end > MAX_HEAD_BYTES) throw new TrackerRequestError(end < 0 ? 'connection closed before the response head ended' : 'response head too long');
  const head = raw.toString('latin1', 0, end).split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(head[0] ?? '');
  if (status === null) throw new TrackerRequestError(`not an HTTP response: ${JSON.stringify((head[0] ?? '').slice(0, 80))}`);
  // Trackers report errors in 200 responses; other statuses may still carry a failure reason, but we do not rely on it.
  if (status[1] !== '200') throw new TrackerRequestError(`HTTP status ${status[1]}`);
  let length: number | undefined;
  for (const line of head.slice(1)) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m === null) continue;
    const name = m[1]!.toLowerCase();
    if (name === 'transfer-encoding') throw new TrackerRequestError('transfer-encoding in an answer to HTTP/1.0');
    if (name === 'content-length') {
      if (!/^\d{1,10}$/.test(m[2]!.trim())) throw new TrackerRequestError('bad content-length');
      length = Number(m[2]!.trim());
    }
  }
  const body = raw.subarray(end + 4);
  if (length !== undefined && length > maxBody) throw new TrackerRequestError(`response of ${length} bytes exceeds ${maxBody}`);
  if (body.length > maxBody) throw new TrackerRequestError(`response exceeds ${maxBody} bytes`);
  if (length !== undefined && body.length < length) throw new TrackerRequestError('connection closed before the response ended');
  return new Uint8Array(length === undefined ? body : body.subarray(0, length));
}
