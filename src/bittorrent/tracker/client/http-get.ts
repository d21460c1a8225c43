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
import { brotliDecompressSync, gunzipSync, inflateSync, zstdDecompressSync } from 'node:zlib';
import { TrackerRequestError } from './errors.ts';

/** Status line and headers of a tracker reply are short; more is not a tracker. */
const MAX_HEAD_BYTES = 16 * 1024;

export interface HttpGetOptions {
  readonly localAddress?: string;
  readonly maxBodyBytes: number;
  /**
   * The request headers in order, Host first, as the presented client sends them (issue 10 item 3:
   * presented-announce.ts); the request is then HTTP/1.1 as theirs is, and a chunked or compressed
   * answer is decoded within maxBodyBytes. Without: HTTP/1.0, identity only.
   */
  readonly headers?: readonly (readonly [string, string])[];
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
      socket.end(o.headers === undefined
        ? `GET ${url.pathname}${url.search} HTTP/1.0\r\nHost: ${url.host}\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n`
        : `GET ${url.pathname}${url.search} HTTP/1.1\r\n${o.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    });
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      try { resolve(parseReply(Buffer.concat(chunks), o.maxBodyBytes)); } catch (e) { reject(e); }
    };
    socket.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) { socket.destroy(new TrackerRequestError(`response exceeds ${o.maxBodyBytes} bytes`)); return; }
      chunks.push(c);
      // HTTP/1.1 (a presented client's request) may keep the connection open: done when the body is.
      if (o.headers !== undefined && replyComplete(Buffer.concat(chunks))) { finish(); socket.destroy(); }
    });
    socket.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
    socket.on('close', finish);
  });
  return { done, destroy: (reason) => socket.destroy(reason) };
}

/**
 * The body of a complete `HTTP/1.x 200` reply (Content-Length honoured when present; a chunked
 * body, which only an HTTP/1.1 request may get, joined; gzip/deflate/br/zstd decoded), bounded by maxBody.
 */
export function parseReply(raw: Buffer, maxBody: number): Uint8Array {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0 || end > MAX_HEAD_BYTES) throw new TrackerRequestError(end < 0 ? 'connection closed before the response head ended' : 'response head too long');
  const head = raw.toString('latin1', 0, end).split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(head[0] ?? '');
  if (status === null) throw new TrackerRequestError(`not an HTTP response: ${JSON.stringify((head[0] ?? '').slice(0, 80))}`);
  // Trackers report errors in 200 responses; other statuses may still carry a failure reason, but we do not rely on it.
  if (status[1] !== '200') throw new TrackerRequestError(`HTTP status ${status[1]}`);
  let length: number | undefined;
  let chunked = false;
  let encoding: string | undefined;
  for (const line of head.slice(1)) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m === null) continue;
    const name = m[1]!.toLowerCase();
    if (name === 'content-encoding') encoding = m[2]!;
    if (name === 'transfer-encoding') {
      if (m[2]!.trim().toLowerCase() !== 'chunked') throw new TrackerRequestError(`transfer-encoding ${JSON.stringify(m[2]!.slice(0, 40))}`);
      chunked = true;
    }
    if (name === 'content-length') {
      if (!/^\d{1,10}$/.test(m[2]!.trim())) throw new TrackerRequestError('bad content-length');
      length = Number(m[2]!.trim());
    }
  }
  if (chunked) return decodeContent(dechunk(raw.subarray(end + 4), maxBody), encoding, maxBody);
  const body = raw.subarray(end + 4);
  if (length !== undefined && length > maxBody) throw new TrackerRequestError(`response of ${length} bytes exceeds ${maxBody}`);
  if (body.length > maxBody) throw new TrackerRequestError(`response exceeds ${maxBody} bytes`);
  if (length !== undefined && body.length < length) throw new TrackerRequestError('connection closed before the response ended');
  return decodeContent(new Uint8Array(length === undefined ? body : body.subarray(0, length)), encoding, maxBody);
}

/** Whether `raw` holds a whole reply: its head, and Content-Length bytes or a chunked body's last chunk. */
function replyComplete(raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = raw.toString('latin1', 0, end);
  const len = /\r\ncontent-length:\s*(\d{1,10})\s*(?:\r\n|$)/i.exec(head);
  if (len !== null) return raw.length - end - 4 >= Number(len[1]);
  if (/\r\ntransfer-encoding:\s*chunked\s*(?:\r\n|$)/i.test(head)) return raw.subarray(-5).toString('latin1') === '0\r\n\r\n';
  return false;
}

/** A chunked body (RFC 9112 section 7.1) joined, at most `max` bytes; trailers ignored. */
function dechunk(b: Buffer, max: number): Uint8Array {
  const parts: Buffer[] = [];
  let at = 0;
  let total = 0;
  for (let guard = 0; guard <= max; guard++) {
    const eol = b.indexOf('\r\n', at);
    if (eol < 0 || eol - at > 64) throw new TrackerRequestError('bad chunk size line');
    const size = parseInt(b.toString('latin1', at, eol).split(';')[0]!.trim(), 16);
    if (!Number.isSafeInteger(size) || size < 0) throw new TrackerRequestError('bad chunk size');
    if (size === 0) return new Uint8Array(Buffer.concat(parts));
    total += size;
    if (total > max) throw new TrackerRequestError(`response exceeds ${max} bytes`);
    if (eol + 2 + size + 2 > b.length) throw new TrackerRequestError('connection closed before the response ended');
    parts.push(b.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  throw new TrackerRequestError('too many chunks');
}

/**
 * A presented client accepts compressed answers, so a tracker may send one: decoded here, bounded
 * to the same size as a plain body (a small bomb cannot grow past it).
 */
export function decodeContent(b: Uint8Array, encoding: string | undefined, max: number): Uint8Array {
  const e = (encoding ?? 'identity').trim().toLowerCase();
  try {
    switch (e) {
      case 'identity': return b;
      case 'gzip': case 'x-gzip': return new Uint8Array(gunzipSync(b, { maxOutputLength: max }));
      case 'deflate': return new Uint8Array(inflateSync(b, { maxOutputLength: max }));
      case 'br': return new Uint8Array(brotliDecompressSync(b, { maxOutputLength: max }));
      case 'zstd': return new Uint8Array(zstdDecompressSync(b, { maxOutputLength: max }));
      default: throw new TrackerRequestError(`response in an unknown content encoding: ${e}`);
    }
  } catch (err) {
    if (err instanceof TrackerRequestError) throw err;
    throw new TrackerRequestError(`bad ${e} response body: ${(err as Error).message}`);
  }
}
