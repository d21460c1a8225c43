import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyObject } from 'node:crypto';
import type { EvidenceLogTables } from '../evidence/log-store.ts';
import type { Gap, IngestResult } from './centre-db.ts';
import { BATCH_CONTENT_TYPE, encodeBatch, encodeLines } from './batch-codec.ts';
import { postJson } from './post.ts';
import { BATCH_PATH, NODE_HEADER, SIGNATURE_HEADER, signBody } from './protocol.ts';

export interface ShipperOptions {
  /** The centre, e.g. http://198.18.0.1:7878 */
  readonly url: string;
  /** The node's evidence key: the centre knows it by its fingerprint. */
  readonly key: { readonly privateKey: KeyObject; readonly fingerprint: string };
  /** The node's own evidence log (its SQLite store): the durable outbox. */
  readonly log: EvidenceLogTables;
  /** Records per request (default 5,000). */
  readonly batchSize?: number;
  /** Records read from the store per turn of the event loop (default 1,000). */
  readonly sliceSize?: number;
  /** Requests at the centre at once (default 2): the next is read and sent while one is stored. */
  readonly inFlight?: number;
  /**
   * Pause when everything is shipped (default 1 s), and the longest pause after failures (default 2 s:
   * catch-up after an outage must run at >= 10x real time (issue 12), so the node must notice the
   * centre's return within a small part of the outage; a refused connection every 2 s per node costs nothing).
   */
  readonly idleMs?: number;
  readonly maxBackoffMs?: number;
  /** Each request's time limit (default 60 s). */
  readonly timeoutMs?: number;
  readonly onError?: (e: Error) => void;
  /** After each answered request. */
  readonly onShipped?: (r: ShipResult) => void;
}

export interface ShipResult { readonly sent: number; readonly acked: number; readonly gaps: readonly Gap[] }

/** The centre refused a batch (a broken chain, an unknown key): retrying the same bytes will not help. */
export class ShipRefused extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) { super(message); this.name = 'ShipRefused'; this.status = status; this.reason = reason; }
}

/**
 * The node's side of issue 12 item 2: the node's SQLite store is the outbox; the shipper reads
 * chained records from it, from the centre's acknowledged size on, and sends them with the
 * checkpoints they reach. It holds no state of its own that matters: after a crash, a restart, or
 * an answer that never came, it asks again from what the centre acknowledged, and the centre
 * stores each (node, seq) once. While the centre is away the node serves and records as ever
 * (nothing here is on its path); the shipper retries with a bounded back-off and catches up.
 */
export class Shipper {
  readonly #o: ShipperOptions;
  #acked: number | undefined;
  /** Checkpoint ids already sent (the centre keeps them; resending after a restart is harmless). */
  #sentCheckpoint = 0;

  constructor(o: ShipperOptions) { this.#o = o; }

  /** What the centre acknowledged at the last answer (undefined before the first). */
  get acked(): number | undefined { return this.#acked; }

  /** One request: the next batch after the acknowledged size (an empty one first, to learn it). */
  async shipOnce(signal?: AbortSignal): Promise<ShipResult> {
    if (this.#acked === undefined) return this.#send(this.#empty(), signal);
    return this.#send(await this.#prepare(this.#acked, this.#sentCheckpoint), signal);
  }

  #empty(): Prepared { return { from: 0, to: 0, body: encodeBatch({ first: 0, texts: [], checkpoints: [], backlog: 0 }), lastCheckpoint: this.#sentCheckpoint }; }

  /**
   * The request for records [from, from + batchSize): read and encoded `sliceSize` records at a time,
   * yielding to the event loop between slices, so that a serving node's other work waits at most one
   * slice (issue 16: event-loop p99 < 20 ms) while a request still carries many records (issue 12:
   * catch-up >= 10x real time; each request costs the centre a transaction and about ten round trips).
   */
  async #prepare(from: number, afterCheckpoint: number): Promise<Prepared> {
    const { log } = this.#o;
    // Checkpoints are read before records, so that a checkpoint over records sent in this batch is in it.
    const cps = log.listCheckpoints(1000).filter((c) => c.id > afterCheckpoint).sort((a, b) => a.id - b.id);
    const local = log.count();
    const to = Math.min(local, from + (this.#o.batchSize ?? 5000));
    const slice = this.#o.sliceSize ?? 1000;
    const parts: Buffer[] = [];
    for (let at = from; at < to; at += slice) {
      if (at > from) await new Promise<void>((r) => setImmediate(r));
      const texts: string[] = [];
      for (const r of log.range(at, Math.min(to, at + slice))) texts.push(r.text);
      if (texts.length < Math.min(to, at + slice) - at) throw new Error(`the node's log ends at ${at + texts.length}, before ${to}`);
      parts.push(encodeLines(texts));
    }
    const send = cps.filter((c) => c.treeSize <= to).slice(0, 100);
    const header = encodeBatch({ first: from, texts: [], backlog: local - to, checkpoints: send.map((c) => ({ text: c.text, signature: c.signature.toString('base64') })) }, to - from);
    return { from, to, body: parts.length === 0 ? header : Buffer.concat([header, ...parts]), lastCheckpoint: send.at(-1)?.id ?? afterCheckpoint };
  }

  async #send(p: Prepared, signal?: AbortSignal): Promise<ShipResult> {
    const timeout = AbortSignal.timeout(this.#o.timeoutMs ?? 60_000);
    const res = await postJson(new URL(BATCH_PATH, this.#o.url), p.body, {
      'content-type': BATCH_CONTENT_TYPE, [NODE_HEADER]: this.#o.key.fingerprint, [SIGNATURE_HEADER]: signBody(BATCH_PATH, p.body, this.#o.key.privateKey),
    }, signal ? AbortSignal.any([signal, timeout]) : timeout);
    const answer = res.body as Partial<IngestResult> & { gaps?: Gap[]; error?: string; reason?: string };
    if (res.status !== 200) {
      if (res.status >= 500) throw new Error(`centre: ${answer.error ?? res.status}`);
      throw new ShipRefused(res.status, answer.reason ?? 'refused', `centre refused the batch: ${answer.error ?? res.status}`);
    }
    if (!Number.isSafeInteger(answer.acked)) throw new Error('centre: an answer without the acknowledged size');
    this.#acked = answer.acked!;
    if (p.lastCheckpoint > this.#sentCheckpoint) this.#sentCheckpoint = p.lastCheckpoint;
    return { sent: p.to - p.from, acked: this.#acked, gaps: answer.gaps ?? [] };
  }

  /**
   * Ships until `signal` aborts: batch after batch while there is a backlog, then every idleMs.
   * Up to `inFlight` requests (default 2) are at the centre at once, each from where the one before it
   * ends: the node reads and encodes the next batch, and the centre receives and decodes it, while the
   * one before is being stored (issue 12: catch-up >= 10x real time, ingest >= 100,000 records/s). The
   * centre stores a node's batches one at a time (its row lock), and one that arrives first is kept
   * beyond a gap until the other fills it: exactly once either way. An answer that acknowledges other
   * than the end of its batch (a gap, a refusal) ends the pipeline: the shipper waits for the other
   * answers, asks the centre what it holds, and goes on from there. A failure (centre down, network
   * cut) waits and retries, doubling up to maxBackoffMs.
   */
  async run(signal: AbortSignal): Promise<void> {
    const idle = this.#o.idleMs ?? 1000;
    const max = this.#o.maxBackoffMs ?? 2_000;
    const depth = Math.max(1, this.#o.inFlight ?? 2);
    let backoff = Math.min(250, max);
    const queue: { p: Prepared; answer: Promise<ShipResult> }[] = [];
    const drain = async () => { await Promise.allSettled(queue.map((q) => q.answer)); queue.length = 0; };
    while (!signal.aborted) {
      try {
        if (this.#acked === undefined) {
          const r = await this.#send(this.#empty(), signal);
          this.#o.onShipped?.(r);
          backoff = Math.min(250, max);
          continue;
        }
        const local = this.#o.log.count();
        let from = queue.at(-1)?.p.to ?? this.#acked;
        let after = queue.at(-1)?.p.lastCheckpoint ?? this.#sentCheckpoint;
        while (queue.length < depth && from < local) {
          const p = await this.#prepare(from, after);
          const answer = this.#send(p, signal);
          answer.catch(() => undefined);
          queue.push({ p, answer });
          from = p.to;
          after = p.lastCheckpoint;
        }
        if (queue.length === 0) {
          // Everything shipped: a request without records now and then carries new checkpoints and keeps the centre's view current.
          const r = await this.#send(await this.#prepare(this.#acked, this.#sentCheckpoint), signal);
          this.#o.onShipped?.(r);
          backoff = Math.min(250, max);
          if (r.sent === 0 || r.acked >= this.#o.log.count()) await sleep(r.sent === 0 ? idle : 0, undefined, { signal }).catch(() => undefined);
          continue;
        }
        const head = queue.shift()!;
        const r = await head.answer;
        this.#o.onShipped?.(r);
        backoff = Math.min(250, max);
        if (r.acked !== head.p.to) { await drain(); this.#acked = undefined; }
      } catch (e) {
        await drain();
        if (signal.aborted) break;
        this.#o.onError?.(e as Error);
        // A refused batch stays refused until an operator acts (registers the key, looks at the fork): wait long.
        await sleep(e instanceof ShipRefused ? Math.max(max, 30_000) : backoff, undefined, { signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, max);
      }
    }
    await drain();
  }
}

interface Prepared { readonly from: number; readonly to: number; readonly body: Buffer; readonly lastCheckpoint: number }
