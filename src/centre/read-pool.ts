import { Worker } from 'node:worker_threads';
import { BatchFormatError } from './batch-codec.ts';
import { type ReadBatch, readBatchBody, RefusedBatch } from './read-batch.ts';

/**
 * Read workers for the centre's intake (issue 12 target: >= 100,000 records/s at the centre with
 * chain verification). Reading a batch (read-batch.ts: every record parsed, leaf-hashed and linked
 * to the one before it) is most of the intake's CPU, ~5 of its ~10.6 us a record, and needs no
 * database: on one thread the intake topped out at ~89,000 records/s on a quiet 2-core machine
 * (session 9). A worker reads the next batch while the intake's thread stores the one before it.
 *
 * The body is handed over without a copy (its ArrayBuffer is transferred), and comes back with
 * the leaf hashes, times and line starts, in typed arrays. The worker stores nothing: a worker that
 * crashes, or takes longer than `timeoutMs`, costs only its batch, which is refused with
 * ReadUnavailable (HTTP 503; the node sends it again) and the worker is replaced for the next one.
 * At most `maxWaiting` bodies wait for a worker; more are refused the same way.
 */
export interface ReadPoolOptions {
  /** Worker threads (on 2 cores, 1: the intake's thread and PostgreSQL use the rest). */
  readonly size: number;
  /** A batch not read by then is refused (503) and its worker terminated, ms. */
  readonly timeoutMs?: number;
  readonly maxWaiting?: number;
  /** The worker's script (tests: one that fails). */
  readonly entry?: URL;
}

/** The batch could not be read now (a worker crashed or timed out, or too many wait): nothing was stored, the node sends it again. */
export class ReadUnavailable extends Error {
  constructor(message: string) { super(message); this.name = 'ReadUnavailable'; }
}

/** To a worker: a body, whose ArrayBuffer is transferred. */
export interface ReadJob { readonly id: number; readonly fingerprint: string; readonly body: Uint8Array }
/** From a worker: the batch read, or why it is refused (format: 400; refused: 409 with the reason; failed: 503). */
export type ReadReply = { readonly id: number; readonly ok: true; readonly read: ReadBatch }
  | { readonly id: number; readonly ok: false; readonly kind: 'format' | 'refused' | 'failed'; readonly reason: string; readonly message: string };

/** What a worker answers to a job (read-worker.ts), and the buffers it hands back without a copy: the leaf hashes, times, line starts and the body (the segment's texts). */
export function answerReadJob(job: ReadJob): { reply: ReadReply; transfer: ArrayBuffer[] } {
  try {
    const read = readBatchBody(job.fingerprint, Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength));
    return { reply: { id: job.id, ok: true, read }, transfer: [read.leaves.buffer, read.ats.buffer, read.lines.starts.buffer, job.body.buffer] as ArrayBuffer[] };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const kind = e instanceof BatchFormatError ? 'format' : e instanceof RefusedBatch ? 'refused' : 'failed';
    return { reply: { id: job.id, ok: false, kind, reason: e instanceof RefusedBatch ? e.reason : '', message }, transfer: [] };
  }
}

/** A worker's heap: a batch of 20,000 records needs ~100 MB; a runaway is stopped, its batch refused. */
const WORKER_HEAP = { maxOldGenerationSizeMb: 512 };
const DEFAULT_TIMEOUT_MS = 30_000;

interface Job { readonly id: number; readonly fingerprint: string; readonly body: Buffer; resolve(r: ReadBatch): void; reject(e: Error): void }
interface Slot { worker: Worker | null; job: Job | null; timer: NodeJS.Timeout | undefined }

export class ReadPool {
  readonly #slots: Slot[];
  readonly #waiting: Job[] = [];
  readonly #timeoutMs: number;
  readonly #maxWaiting: number;
  readonly #entry: URL;
  #nextId = 0;
  #closed = false;

  constructor(o: ReadPoolOptions) {
    if (!Number.isSafeInteger(o.size) || o.size < 1) throw new RangeError(`a read pool has at least one worker, not ${o.size}`);
    this.#slots = Array.from({ length: o.size }, () => ({ worker: null, job: null, timer: undefined }));
    this.#timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxWaiting = o.maxWaiting ?? 4 * o.size;
    this.#entry = o.entry ?? new URL('./read-worker.ts', import.meta.url);
  }

  /** Reads a request body (read-batch.ts readBatchBody) on a worker. `body` is handed over: the caller must not use it again. */
  read(fingerprint: string, body: Buffer): Promise<ReadBatch> {
    if (this.#closed) return Promise.reject(new ReadUnavailable('the centre is stopping'));
    if (this.#waiting.length >= this.#maxWaiting) return Promise.reject(new ReadUnavailable(`${this.#waiting.length} batches wait to be read`));
    return new Promise<ReadBatch>((resolve, reject) => {
      this.#waiting.push({ id: this.#nextId++, fingerprint, body: ownBuffer(body), resolve, reject });
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const j of this.#waiting.splice(0)) j.reject(new ReadUnavailable('the centre is stopping'));
    await Promise.all(this.#slots.map((s) => this.#drop(s, new ReadUnavailable('the centre is stopping'))));
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (slot.job || this.#waiting.length === 0) continue;
      const job = this.#waiting.shift()!;
      let worker: Worker;
      try { worker = slot.worker ?? this.#start(slot); } catch (e) { job.reject(new ReadUnavailable(`no read worker: ${(e as Error).message}`)); continue; }
      slot.job = job;
      slot.timer = setTimeout(() => void this.#drop(slot, new ReadUnavailable(`the batch was not read within ${this.#timeoutMs} ms`)).then(() => this.#pump()), this.#timeoutMs);
      try { worker.postMessage({ id: job.id, fingerprint: job.fingerprint, body: job.body } satisfies ReadJob, [job.body.buffer as ArrayBuffer]); } catch (e) {
        void this.#drop(slot, new ReadUnavailable(`the batch could not be handed to a read worker: ${(e as Error).message}`));
      }
    }
  }

  #start(slot: Slot): Worker {
    // A worker inherits the process's flags, but --input-type (node -e) would stop one started from a file.
    const execArgv = process.execArgv.some((a) => a.startsWith('--input-type')) ? process.execArgv.filter((a) => !a.startsWith('--input-type')) : undefined;
    const worker = new Worker(this.#entry, { name: 'counterseed-centre-read', resourceLimits: WORKER_HEAP, ...(execArgv && { execArgv }) });
    worker.unref();
    slot.worker = worker;
    worker.on('message', (m: ReadReply) => {
      const job = slot.job;
      if (slot.worker !== worker || !job || m.id !== job.id) return;
      clearTimeout(slot.timer);
      slot.job = null;
      if (m.ok) job.resolve(revive(m.read));
      else job.reject(m.kind === 'format' ? new BatchFormatError(m.message) : m.kind === 'refused' ? new RefusedBatch(m.reason, m.message) : new ReadUnavailable(`the read worker failed: ${m.message}`));
      this.#pump();
    });
    const lost = (why: string) => { if (slot.worker === worker) void this.#drop(slot, new ReadUnavailable(`the read worker ${why}`)).then(() => this.#pump()); };
    worker.on('error', (e) => lost(`crashed: ${e.message}`));
    worker.on('exit', (code) => lost(`exited (code ${code})`));
    return worker;
  }

  /** Ends a slot's worker and refuses its batch, if any; the next batch starts a new worker. */
  async #drop(slot: Slot, why: ReadUnavailable): Promise<void> {
    const { worker, job } = slot;
    clearTimeout(slot.timer);
    slot.worker = null;
    slot.job = null;
    job?.reject(why);
    await worker?.terminate();
  }
}

/** The batch as a worker sent it: its byte arrays as Buffers again (a Buffer arrives as a Uint8Array). */
function revive(r: ReadBatch): ReadBatch {
  const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  return { ...r, leaves: buf(r.leaves), lines: { bytes: buf(r.lines.bytes), starts: r.lines.starts } };
}

/** `b` if it alone holds its ArrayBuffer (it can be transferred), else a copy that does. */
function ownBuffer(b: Buffer): Buffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !(b.buffer instanceof SharedArrayBuffer)) return b;
  const own = Buffer.from(new ArrayBuffer(b.length));
  own.set(b);
  return own;
}
