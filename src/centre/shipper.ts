import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyObject } from 'node:crypto';
import type { EvidenceLogTables } from '../evidence/log-store.ts';
import type { Gap, IngestResult } from './centre-db.ts';
import { BATCH_CONTENT_TYPE, encodeBatch } from './batch-codec.ts';
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
  /**
   * Pause when everything is shipped (default 1 s), and the longest pause after failures (default 5 s:
   * catch-up after an outage must run at >= 10x real time (issue 12), so the node must notice the
   * centre's return within a small part of the outage; one request per 5 s per node costs nothing).
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
    const { log } = this.#o;
    if (this.#acked === undefined) return this.#send(encodeBatch({ first: 0, texts: [], checkpoints: [], backlog: 0 }), 0, signal);
    // Checkpoints are read before records, so that a checkpoint over records sent in this batch is in it.
    const cps = log.listCheckpoints(1000).filter((c) => c.id > this.#sentCheckpoint).sort((a, b) => a.id - b.id);
    const local = log.count();
    const from = this.#acked;
    const to = Math.min(local, from + (this.#o.batchSize ?? 5000));
    const texts: string[] = [];
    for (const r of log.range(from, to)) texts.push(r.text);
    const send = cps.filter((c) => c.treeSize <= to).slice(0, 100);
    const body = encodeBatch({ first: from, texts, backlog: local - to, checkpoints: send.map((c) => ({ text: c.text, signature: c.signature.toString('base64') })) });
    const result = await this.#send(body, texts.length, signal);
    if (send.length > 0) this.#sentCheckpoint = send.at(-1)!.id;
    return result;
  }

  async #send(body: Buffer, records: number, signal?: AbortSignal): Promise<ShipResult> {
    const timeout = AbortSignal.timeout(this.#o.timeoutMs ?? 60_000);
    const res = await fetch(new URL(BATCH_PATH, this.#o.url), {
      method: 'POST', body,
      headers: { 'content-type': BATCH_CONTENT_TYPE, [NODE_HEADER]: this.#o.key.fingerprint, [SIGNATURE_HEADER]: signBody(BATCH_PATH, body, this.#o.key.privateKey) },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const answer = await res.json() as IngestResult & { gaps: Gap[]; error?: string; reason?: string };
    if (res.status !== 200) {
      if (res.status >= 500) throw new Error(`centre: ${answer.error ?? res.status}`);
      throw new ShipRefused(res.status, answer.reason ?? 'refused', `centre refused the batch: ${answer.error ?? res.status}`);
    }
    this.#acked = answer.acked;
    return { sent: records, acked: answer.acked, gaps: answer.gaps };
  }

  /**
   * Ships until `signal` aborts: batch after batch while there is a backlog, then every idleMs.
   * A failure (centre down, network cut) waits and retries, doubling up to maxBackoffMs.
   */
  async run(signal: AbortSignal): Promise<void> {
    const idle = this.#o.idleMs ?? 1000;
    const max = this.#o.maxBackoffMs ?? 5_000;
    let backoff = Math.min(250, max);
    while (!signal.aborted) {
      try {
        const learning = this.#acked === undefined;
        const r = await this.shipOnce(signal);
        this.#o.onShipped?.(r);
        backoff = Math.min(250, max);
        if (!learning && (r.sent === 0 || r.acked >= this.#o.log.count())) await sleep(r.sent === 0 ? idle : 0, undefined, { signal }).catch(() => undefined);
      } catch (e) {
        if (signal.aborted) break;
        this.#o.onError?.(e as Error);
        // A refused batch stays refused until an operator acts (registers the key, looks at the fork): wait long.
        await sleep(e instanceof ShipRefused ? Math.max(max, 30_000) : backoff, undefined, { signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, max);
      }
    }
  }
}
