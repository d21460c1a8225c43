/**
 * BEP 3 HTTP tracker endpoint: `GET /announce` and `GET /scrape` (BEP 48).
 * Hardened for an internet-facing port: bounded URL and headers, no request
 * bodies, timeouts for slow clients, one request per connection. The remote
 * address is the socket's; X-Forwarded-For is ignored (anyone can send it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TrackerCodecError } from '../codec/errors.ts';
import { encodeAnnounceResponse, encodeFailure, encodeScrapeResponse, parseAnnounceQuery, parseScrapeQuery } from '../codec/http.ts';
import { normalizeIp } from '../codec/ip.ts';
import type { InfoHashHex } from '../../../domain/info-hash.ts';
import type { ScrapeStats } from '../codec/types.ts';
import type { TrackerCore } from './tracker-core.ts';

/** Longest request target accepted (a full scrape of 74 hashes fits). */
export const MAX_URL_LEN = 8192;
const MAX_HEADER_BYTES = 16 * 1024;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_CONNECTIONS = 4096;

export interface HttpTrackerServerInit {
  readonly host: string;
  readonly port: number;
  readonly core: TrackerCore;
  readonly maxConnections?: number;
}

export interface HttpServerStats {
  announces: number;
  scrapes: number;
  /** Malformed, oversized, wrong method or path. */
  rejected: number;
  internalErrors: number;
}

export class HttpTrackerServer {
  readonly #init: HttpTrackerServerInit;
  #server: Server | undefined;
  readonly stats: HttpServerStats = { announces: 0, scrapes: 0, rejected: 0, internalErrors: 0 };

  constructor(init: HttpTrackerServerInit) {
    this.#init = init;
  }

  async start(opts: { signal?: AbortSignal } = {}): Promise<{ address: string; port: number }> {
    opts.signal?.throwIfAborted();
    const server = createServer({
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAlive: false,
    }, (req, res) => this.#handle(req, res));
    server.maxConnections = this.#init.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    server.maxRequestsPerSocket = 1;
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#init.port, this.#init.host, () => { server.off('error', reject); resolve(); });
    });
    const a = server.address();
    if (a === null || typeof a === 'string') throw new Error('HTTP tracker has no TCP address');
    return { address: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s === undefined) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    await closed;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')
      || req.headers['transfer-encoding'] !== undefined;
    if (req.method !== 'GET') return this.#reject(res, 405, 'only GET is supported');
    if (hasBody) return this.#reject(res, 400, 'request bodies are not accepted');
    if (url.length > MAX_URL_LEN) return this.#reject(res, 414, 'request target too long');
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const remote = { ip: normalizeIp(req.socket.remoteAddress ?? ''), port: req.socket.remotePort ?? 0 };
    try {
      if (path === '/announce') return this.#announce(res, query, remote);
      if (path === '/scrape') return this.#scrape(res, query);
      return this.#reject(res, 404, 'not found');
    } catch (e) {
      if (e instanceof TrackerCodecError) {
        // BEP 3: errors are reported in a 200 response with `failure reason`, which every client reads.
        this.stats.rejected++;
        return this.#send(res, 200, encodeFailure(e.message));
      }
      // A bug must cost one request, not the tracker process.
      this.stats.internalErrors++;
      if (!res.headersSent) this.#send(res, 500, encodeFailure('internal error'));
    }
  }

  #announce(res: ServerResponse, query: string, remote: { ip: string; port: number }): void {
    const req = parseAnnounceQuery(query);
    this.stats.announces++;
    const out = this.#init.core.announce(req, remote, 'http');
    if (!out.ok) return this.#send(res, 200, encodeFailure(out.reason));
    // BEP 23: compact unless the client explicitly asks for the dictionary form.
    this.#send(res, 200, encodeAnnounceResponse({
      interval: out.interval, complete: out.complete, incomplete: out.incomplete, peers: out.peers, compact: req.compact !== false,
    }));
  }

  #scrape(res: ServerResponse, query: string): void {
    const hashes = parseScrapeQuery(query);
    this.stats.scrapes++;
    const files = new Map<InfoHashHex, ScrapeStats>();
    for (const [hex, s] of this.#init.core.scrape(hashes)) if (s !== null) files.set(hex, s);
    this.#send(res, 200, encodeScrapeResponse(files));
  }

  #reject(res: ServerResponse, status: number, reason: string): void {
    this.stats.rejected++;
    this.#send(res, status, encodeFailure(reason));
  }

  #send(res: ServerResponse, status: number, body: Uint8Array): void {
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': body.length, connection: 'close' });
    res.end(body);
  }
}
