// The checkpoint thread: signs the node's checkpoints (start, periodic, shutdown) on a thread of its
// own, beside the evidence writer thread (writer-thread.ts), so that the audit before each checkpoint
// (evidence/audit.ts: every new record re-derived from its row and filed in the key index) never
// runs on the thread that ingests. It opens its own connections to the database file: a read-only
// one, where the audit reads one snapshot (SQLite WAL: no lock on the writer), and a read-write one,
// where the audit's outcome and the signed checkpoint are written in one short transaction.
// Issue 16 target: chained ingest >= 50,000 deliveries/s while every checkpoint is audited.
import { isMainThread, type MessagePort, parentPort, Worker, workerData } from 'node:worker_threads';
import { Checkpointer, type CheckpointerInit } from '../evidence/checkpointer.ts';
import { EvidenceError } from '../evidence/errors.ts';
import { openEvidence } from '../evidence/open.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { faultMessage } from './batch-writer.ts';

interface Init { readonly dbPath: string; readonly dataDir: string; readonly checkpoints: CheckpointerInit }
type FromThread = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'log'; message: string } | { type: 'stopped' };

// Imported on another thread, it does nothing.
if (!isMainThread && (workerData as { checkpointThread?: Init } | undefined)?.checkpointThread) {
  run(parentPort!, (workerData as { checkpointThread: Init }).checkpointThread);
}

function run(port: MessagePort, init: Init): void {
  const post = (m: FromThread) => port.postMessage(m);
  try {
    const store = new SqliteStore(init.dbPath);
    // create: false: the writer thread has the key; this thread only signs with it.
    const ev = openEvidence(store, init.dataDir, { create: false });
    const checkpointer = new Checkpointer({ log: ev.log, now: Date.now, onError: (e) => post({ type: 'log', message: `evidence checkpoint failed: ${e.message}` }) }, init.checkpoints);
    checkpointer.start(); // the start checkpoint, before 'ready'
    port.on('message', () => {
      // The only message is stop: the shutdown checkpoint over everything the writer has written.
      try { checkpointer.stop(); } finally {
        ev.detach();
        void store.close().finally(() => { post({ type: 'stopped' }); port.close(); });
      }
    });
    post({ type: 'ready' });
  } catch (e) {
    post({ type: 'failed', message: faultMessage(e) });
    port.close();
  }
}

/**
 * The checkpoint thread seen from the thread that starts it (the evidence writer thread): started
 * once the log is open and the records of an unclean stop are written, stopped after the last write.
 */
export class CheckpointThread {
  readonly #worker: Worker;
  readonly #messages: FromThread[] = [];
  #wake: (() => void) | undefined;
  #exited = false;

  private constructor(worker: Worker, log: (m: string) => void) {
    this.#worker = worker;
    const push = (m: FromThread) => { this.#messages.push(m); this.#wake?.(); };
    worker.on('message', (m: FromThread) => (m.type === 'log' ? log(m.message) : push(m)));
    worker.on('error', (e) => push({ type: 'failed', message: `the checkpoint thread failed: ${e.message}` }));
    worker.on('exit', () => { this.#exited = true; push({ type: 'failed', message: 'the checkpoint thread exited' }); });
  }

  /** Resolves once the thread has signed the start checkpoint. */
  static async start(c: Init & { log: (m: string) => void }): Promise<CheckpointThread> {
    // A worker inherits the process's flags, but --input-type (node -e) would stop one started from a file.
    const execArgv = process.execArgv.some((a) => a.startsWith('--input-type')) ? process.execArgv.filter((a) => !a.startsWith('--input-type')) : undefined;
    const worker = new Worker(new URL(import.meta.url), {
      name: 'counterseed-checkpoints', workerData: { checkpointThread: { dbPath: c.dbPath, dataDir: c.dataDir, checkpoints: c.checkpoints } }, ...(execArgv && { execArgv }),
    });
    const t = new CheckpointThread(worker, c.log);
    const first = await t.#next();
    if (first.type !== 'ready') {
      await worker.terminate();
      throw new EvidenceError(`the checkpoint thread could not start: ${first.type === 'failed' ? first.message : first.type}`);
    }
    worker.unref(); // its timer alone never keeps the process alive
    return t;
  }

  /** Signs the shutdown checkpoint over everything written so far, then ends the thread. */
  async stop(): Promise<void> {
    if (this.#exited) return;
    this.#worker.ref();
    this.#worker.postMessage({ type: 'stop' });
    const m = await this.#next();
    await this.#worker.terminate();
    if (m.type !== 'stopped') throw new EvidenceError(`no shutdown checkpoint: ${m.type === 'failed' ? m.message : m.type}`);
  }

  async #next(): Promise<FromThread> {
    while (this.#messages.length === 0) await new Promise<void>((r) => { this.#wake = r; });
    this.#wake = undefined;
    return this.#messages.shift()!;
  }
}
