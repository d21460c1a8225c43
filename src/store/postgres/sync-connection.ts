import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { CounterseedError } from '../../domain/errors.ts';

/** A query's result: rows as objects, or as arrays when asked. */
export interface SyncResult { readonly rows: unknown[]; readonly rowCount: number; readonly command: string }

/** An error PostgreSQL reported, with its SQLSTATE (e.g. 23505 unique_violation). */
export class PgError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) { super(message); this.name = 'PgError'; this.code = code; }
}

/**
 * PostgreSQL cannot be reached (refused, unknown host, no answer in time): the environment, not the
 * input. Exit code 74 (EX_IOERR, as the README's table has it for a system that refused).
 */
export class StoreUnavailableError extends CounterseedError {
  override name = 'StoreUnavailableError';
  constructor(message: string) { super(message, 74); }
}

/**
 * How long one statement may take before the store gives up on the connection (a lost server must
 * not hang the caller for ever; the client's TCP keep-alive finds most lost servers much sooner).
 * Not less: one statement of an analysis refresh over a year of 10 million deliveries ran past
 * 2 minutes at load 20, and the 2-minute limit this had closed the connection under it.
 */
const QUERY_TIMEOUT_MS = 30 * 60_000;

/**
 * A synchronous PostgreSQL connection. The store contract keeps a few methods synchronous (the
 * payload registry, the decoy factory's transaction callbacks, the evidence log's tables), so a
 * networked store must answer them without an await: a worker thread runs the `pg` client, and
 * the calling thread blocks in Atomics.wait until the reply is posted. Only the centre and the CLI
 * open a PostgreSQL store; a serving node keeps its own SQLite store (issue 12: the node's outbox),
 * so no peer is ever kept waiting on a network round trip. Bulk ingest at the centre does not
 * go through here (centre/ingest.ts uses an asynchronous pg client with COPY).
 */
export class SyncConnection {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  /** The number of replies the worker has posted (it adds 1 after each): the main thread waits on it. */
  readonly #signal = new Int32Array(new SharedArrayBuffer(4));
  /** The id of the last request; each reply carries its request's id. */
  #lastId = 0;
  #open = true;
  /** The id of a background COPY whose reply is still to be taken. */
  #copying: number | undefined;

  /** `worker`: the worker's module, for tests only (a fake worker that answers out of turn). */
  constructor(url: string, schema?: string, worker: URL = new URL('./sync-worker.ts', import.meta.url)) {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(worker, {
      workerData: { url, schema, port: port2, signal: this.#signal }, transferList: [port2],
    });
    this.#worker.unref();
    this.#port.unref();
  }

  get isOpen(): boolean { return this.#open; }

  /**
   * `name`: run it as a named prepared statement (parsed once per connection, and its plan kept
   * when PostgreSQL finds a generic plan as good); the same name must always carry the same SQL.
   */
  query(sql: string, params: readonly unknown[] = [], arrays = false, name?: string): SyncResult {
    if (!this.#open) throw new StoreUnavailableError('the PostgreSQL connection is closed');
    const m = this.#call({ sql, params, arrays, ...(name !== undefined ? { name } : {}) }) as { rows?: unknown[]; rowCount?: number; command?: string; error?: string; code?: string };
    if (m.error !== undefined) throw m.code?.startsWith('08') ? new StoreUnavailableError(m.error) : new PgError(m.error, m.code);
    return { rows: m.rows!, rowCount: m.rowCount!, command: m.command ?? '' };
  }

  /**
   * Starts COPY ... FROM STDIN with `text` (COPY's text format, copy-text.ts) and returns at once:
   * the caller builds its next batch while PostgreSQL loads this one (bulk loads, synth). The next
   * call on this connection waits for it first, and throws its error if it failed.
   */
  copyInBackground(sql: string, text: string): void {
    this.#settle();
    if (!this.#open) throw new StoreUnavailableError('the PostgreSQL connection is closed');
    this.#copying = this.#post({ copy: sql, text });
  }

  /** Waits for a background COPY, if one runs. */
  #settle(): void {
    if (this.#copying === undefined) return;
    const id = this.#copying;
    this.#copying = undefined;
    const m = this.#await(id) as { error?: string; code?: string };
    if (m.error !== undefined) throw m.code?.startsWith('08') ? new StoreUnavailableError(m.error) : new PgError(m.error, m.code);
  }

  #post(req: object): number {
    const id = ++this.#lastId;
    this.#port.postMessage({ ...req, id });
    return id;
  }

  #call(req: object): unknown {
    this.#settle();
    return this.#await(this.#post(req));
  }

  /**
   * The reply to request `id`. Every reply carries its request's id, and one that does not match is
   * never used as this request's answer: a reply taken for another statement's (an off-by-one between
   * requests and replies) would be a wrong answer given silently, e.g. another table's row read as a
   * session (evidence and governance integrity). The connection is then closed: which reply belongs
   * to which request is no longer known.
   */
  #await(id: number): unknown {
    const deadline = Date.now() + QUERY_TIMEOUT_MS;
    // Bounded: each turn either takes a message (one per request posted) or waits until the deadline.
    for (;;) {
      const seen = Atomics.load(this.#signal, 0);
      const got = receiveMessageOnPort(this.#port);
      if (got) {
        const m = got.message as { id?: unknown } | null;
        if (m !== null && typeof m === 'object' && m.id === id) return m;
        this.#abandon();
        throw new PgError(`the PostgreSQL worker answered request ${String(m?.id)} when request ${id} was expected; the connection is closed`, undefined);
      }
      const left = deadline - Date.now();
      // The worker posts its reply before adding 1 to the signal: a reply posted after the look above
      // changes the signal, and the wait returns at once.
      if (left <= 0 || Atomics.wait(this.#signal, 0, seen, left) === 'timed-out') {
        this.#abandon();
        throw new StoreUnavailableError(`PostgreSQL did not answer within ${QUERY_TIMEOUT_MS / 1000} s; the connection is closed`);
      }
    }
  }

  #abandon(): void {
    this.#open = false;
    void this.#worker.terminate();
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    try { this.#call({ close: true }); } catch { /* the worker is terminated below */ }
    await this.#worker.terminate();
  }
}
