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
  readonly #signal = new Int32Array(new SharedArrayBuffer(4));
  #open = true;
  #copying = false;

  constructor(url: string, schema?: string) {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(new URL('./sync-worker.ts', import.meta.url), {
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
    Atomics.store(this.#signal, 0, 0);
    this.#port.postMessage({ copy: sql, text });
    this.#copying = true;
  }

  /** Waits for a background COPY, if one runs. */
  #settle(): void {
    if (!this.#copying) return;
    this.#copying = false;
    const m = this.#await() as { error?: string; code?: string };
    if (m.error !== undefined) throw m.code?.startsWith('08') ? new StoreUnavailableError(m.error) : new PgError(m.error, m.code);
  }

  #call(req: unknown): unknown {
    this.#settle();
    Atomics.store(this.#signal, 0, 0);
    this.#port.postMessage(req);
    return this.#await();
  }

  #await(): unknown {
    if (Atomics.wait(this.#signal, 0, 0, QUERY_TIMEOUT_MS) === 'timed-out') {
      this.#open = false;
      void this.#worker.terminate();
      throw new StoreUnavailableError(`PostgreSQL did not answer within ${QUERY_TIMEOUT_MS / 1000} s; the connection is closed`);
    }
    const got = receiveMessageOnPort(this.#port);
    if (!got) throw new PgError('the PostgreSQL worker signalled without a reply', undefined);
    return got.message;
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    try { this.#call('close'); } catch { /* the worker is terminated below */ }
    await this.#worker.terminate();
  }
}
