import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchFormatError } from './batch-codec.ts';
import { type CentreDb, RefusedBatch } from './centre-db.ts';
import { type ReadBatch, readBatchBody } from './read-batch.ts';
import { ReadPool, type ReadPoolOptions } from './read-pool.ts';
import { BATCH_PATH, NODE_HEADER, SIGNATURE_HEADER, verifyBody } from './protocol.ts';
import { ASSIGNMENT_PATH, AssignmentFormatError, checkHealthReport } from './assignment.ts';
import { assignmentsOf, recordPull, unassignedOf } from './assignments-db.ts';

/** The largest request body accepted: MAX_BATCH_RECORDS records of about 1 KB, with room. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
const FINGERPRINT = /^[0-9a-f]{64}$/;

export interface CentreServerOptions {
  readonly db: CentreDb;
  readonly host?: string;
  readonly port?: number;
  /** Called when an authenticated batch is about to be stored (logging, tests). */
  readonly onBatch?: (fingerprint: string, records: number) => void;
  /**
   * Project stored records into the analysis tables this many ms after a batch (CentreDb.project, a
   * bounded transaction per chunk, apart from the batches' acknowledgement); absent: never here (the
   * rollups' refresh projects what is left, cs_intel_marks).
   */
  readonly projectAfterMs?: number;
  /**
   * Threads that read each batch (parse, hash, link its records: read-pool.ts) while this one stores
   * the batch before it; default 1 (setting centre.readWorkers); 0: batches are read on this thread.
   */
  readonly readWorkers?: number;
  /** The read workers' other options (tests: a short timeout, a worker that fails). */
  readonly readPool?: Omit<ReadPoolOptions, 'size'>;
  /** Told of each failed projection (`centre serve` logs it); the failure is also counted in the database for `centre status`. */
  readonly onProjectionError?: (e: Error) => void;
}

/**
 * The centre's intake (issue 12 item 2): authenticates each node by its registered key, hands the
 * batch to CentreDb (verify, store exactly once, acknowledge), and answers with the acknowledged
 * size and the node's gaps. A refused request is answered and counted, never half-stored.
 */
export class CentreServer {
  readonly #db: CentreDb;
  readonly #server: Server;
  readonly #onBatch: CentreServerOptions['onBatch'];
  readonly #projectAfterMs: number | undefined;
  readonly #readPool: ReadPool | null;
  readonly #onProjectionError: CentreServerOptions['onProjectionError'];
  #projector: { timer: NodeJS.Timeout | null; running: Promise<void> | null; again: boolean; closed: boolean } = { timer: null, running: null, again: false, closed: false };
  #projectionFailures = 0;

  private constructor(db: CentreDb, o: CentreServerOptions, readPool: ReadPool | null) {
    this.#db = db;
    this.#onBatch = o.onBatch;
    this.#projectAfterMs = o.projectAfterMs;
    this.#onProjectionError = o.onProjectionError;
    this.#readPool = readPool;
    this.#server = createServer((req, res) => { void this.#handle(req, res); });
    this.#server.requestTimeout = 120_000;
  }

  static async start(o: CentreServerOptions): Promise<CentreServer> {
    const workers = o.readWorkers ?? 1;
    const s = new CentreServer(o.db, o, workers > 0 ? new ReadPool({ ...o.readPool, size: workers }) : null);
    try {
      await new Promise<void>((resolve, reject) => {
        s.#server.once('error', reject);
        s.#server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => { s.#server.off('error', reject); resolve(); });
      });
    } catch (e) { await s.#readPool?.close(); throw e; }
    return s;
  }

  get url(): string {
    const a = this.#server.address() as AddressInfo;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      if (req.method !== 'POST' || (req.url !== BATCH_PATH && req.url !== ASSIGNMENT_PATH)) return reply(404, { error: 'not found' });
      const fp = String(req.headers[NODE_HEADER] ?? '');
      const sig = String(req.headers[SIGNATURE_HEADER] ?? '');
      if (!FINGERPRINT.test(fp)) return reply(400, { error: `${NODE_HEADER} must be a key fingerprint (64 hex digits)` });
      const body = await readBody(req);
      if (body === undefined) return reply(413, { error: `a request body holds at most ${MAX_BODY_BYTES} bytes` });
      const key = await this.#db.nodeKey(fp);
      if (!key) { await this.#db.refuse(fp, 'unknown-key'); return reply(403, { error: 'unknown node key', reason: 'unknown-key' }); }
      if (!verifyBody(req.url, body, sig, key)) { await this.#db.refuse(fp, 'bad-signature'); return reply(401, { error: 'the request is not signed by the key it names', reason: 'bad-signature' }); }
      // A revoked key: refused and counted (a batch racing the revocation is checked again under the node's row lock).
      if (await this.#db.revokedAt(fp) !== null) { await this.#db.refuse(fp, 'revoked-key'); return reply(403, { error: 'this node key was revoked at the centre', reason: 'revoked-key' }); }
      if (req.url === ASSIGNMENT_PATH) {
        // A pull: the node's health report in, its assignment out (it can read nothing else).
        let health;
        try { health = checkHealthReport(body); } catch (e) {
          if (!(e instanceof AssignmentFormatError)) throw e;
          await this.#db.refuse(fp, 'bad-request');
          return reply(400, { error: e.message, reason: 'bad-request' });
        }
        await recordPull(this.#db.pool, fp, health);
        return reply(200, { campaigns: await assignmentsOf(this.#db.pool, fp), unassigned: await unassignedOf(this.#db.pool, fp) });
      }
      // Decoded, and each record parsed, hashed and linked to the one before it (read-batch.ts), on a read worker if there is one.
      let read: ReadBatch;
      try { read = this.#readPool ? await this.#readPool.read(fp, body) : readBatchBody(fp, body); } catch (e) {
        if (!(e instanceof BatchFormatError)) throw e;
        await this.#db.refuse(fp, 'bad-request');
        return reply(400, { error: e.message, reason: 'bad-request' });
      }
      this.#onBatch?.(fp, read.count);
      const result = await this.#db.ingestRead(fp, read);
      reply(200, { ...result, gaps: await this.#db.gaps(fp) });
      if (result.stored > 0) this.#scheduleProjection();
    } catch (e) {
      if (e instanceof RefusedBatch) {
        await this.#db.refuse(String(req.headers[NODE_HEADER] ?? ''), e.reason).catch(() => undefined);
        return reply(e.reason === 'revoked-key' ? 403 : 409, { error: e.message, reason: e.reason });
      }
      reply(503, { error: `the centre cannot store this batch now: ${(e as Error).message}` });
    }
  }

  /** Background projections that failed since this server started (each is also logged and counted in the database). */
  get projectionFailures(): number { return this.#projectionFailures; }

  /**
   * One projection at a time, of at most PROJECT_MAX_CHUNKS chunks; batches arriving meanwhile, or
   * chunks left at that bound (a long catch-up), make it run again after it. A failure is reported
   * (onProjectionError), counted (here and in the database, for `centre status`) and retried with
   * the next batch: the records are stored, and nothing is lost.
   */
  #scheduleProjection(): void {
    const p = this.#projector;
    if (this.#projectAfterMs === undefined || p.timer || p.closed) return;
    if (p.running) { p.again = true; return; }
    p.timer = setTimeout(() => {
      p.timer = null;
      p.running = this.#db.project().then(({ more }) => { if (more) p.again = true; }, (e: unknown) => this.#projectionFailed(e)).finally(() => {
        p.running = null;
        if (p.again) { p.again = false; this.#scheduleProjection(); }
      });
    }, this.#projectAfterMs);
    p.timer.unref();
  }

  async #projectionFailed(e: unknown): Promise<void> {
    const err = e instanceof Error ? e : new Error(String(e));
    this.#projectionFailures++;
    try { this.#onProjectionError?.(err); } catch { /* a logger's failure is not the projection's */ }
    // The database may be what failed: then `centre status` cannot be told either (it cannot read the database), and the log has it.
    await this.#db.noteProjectionFailure(err.message).catch(() => undefined);
  }

  async close(): Promise<void> {
    const p = this.#projector;
    p.closed = true;
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    p.again = false;
    await p.running;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.#readPool?.close();
  }
}

/** The body, or undefined past MAX_BODY_BYTES (reading stops there). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).length;
    if (n > MAX_BODY_BYTES) { req.destroy(); return undefined; }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}
