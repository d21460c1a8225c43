/**
 * Worker side of SyncConnection (sync-connection.ts): one pg connection, one query at a time. The
 * main thread waits on `signal` (Atomics.wait) and takes the reply from the port synchronously; each
 * reply carries the id of its request, and exactly one reply is posted per request.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';

interface Req { readonly id: number; readonly sql: string; readonly params: readonly unknown[]; readonly arrays: boolean; readonly name?: string }
interface CopyReq { readonly id: number; readonly copy: string; readonly text: string }
interface CloseReq { readonly id: number; readonly close: true }
const { url, schema, port, signal } = workerData as { url: string; schema: string | undefined; port: MessagePort; signal: Int32Array };

// Integers come back as JavaScript numbers, like node:sqlite's: every integer the store keeps is a
// safe integer (the record codecs refuse any other), and SUM over them is numeric in PostgreSQL.
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number);

const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, keepAlive: true });
let connectError: string | undefined;
// JIT off for the session: PostgreSQL's default compiles any statement its planner costs above 100,000
// (inlining and optimisation above 500,000), and the store's analysis statements are costed far above
// what they do. Measured at 1,000,000 deliveries, load ~18: the `referrals due` query 16.5 s with JIT
// (12.5 s of it compiling) against 3.1 s without; risk scoring's factor query spent 1.8 of 9.5 s compiling.
let ready: Promise<unknown> = client.connect()
  .then(() => client.query('SET jit = off'))
  .then(() => (schema === undefined ? undefined : client.query(`SET search_path TO "${schema.replace(/"/g, '""')}"`)))
  .catch((e: unknown) => { connectError = `cannot connect to PostgreSQL: ${(e as Error).message}`; });
client.on('error', () => { /* reported by the next query */ });

/** Posts the reply to request `id`, then counts it in `signal` (the main thread waits for the count to move). */
function reply(id: number, m: object): void {
  port.postMessage({ ...m, id });
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

/** Why a request failed, never itself a throw (a throw here would leave the request without a reply). */
function failure(e: unknown): { error: string; code: string | undefined } {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { message?: unknown; code?: unknown };
  return { error: String(err.message ?? e), code: typeof err.code === 'string' ? err.code : undefined };
}

port.on('message', (req: Req | CopyReq | CloseReq) => {
  if ('close' in req) { void ready.then(() => client.end()).catch(() => undefined).finally(() => { reply(req.id, { closed: true }); port.close(); }); return; }
  ready = ready.then(async () => {
    if (connectError !== undefined) { reply(req.id, { error: connectError, code: '08001' }); return; }
    if ('copy' in req) {
      try {
        const stream = client.query(copyStreams.from(req.copy));
        await pipeline(Readable.from([req.text]), stream);
        reply(req.id, { rowCount: stream.rowCount });
      } catch (e) {
        reply(req.id, failure(e));
      }
      return;
    }
    let m: object;
    try {
      // Uint8Array from the main thread arrives as Uint8Array; pg sends only a Buffer as bytea.
      const params = req.params.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
      const r = await client.query({ text: req.sql, values: params, ...(req.name !== undefined ? { name: req.name } : {}), ...(req.arrays ? { rowMode: 'array' as const } : {}) });
      const last = Array.isArray(r) ? r.at(-1) : r;
      m = { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0, command: last?.command };
    } catch (e) {
      m = failure(e);
    }
    reply(req.id, m);
  }).catch((e: unknown) => {
    // Not reached while reply() cannot throw; if it did, the request still gets its one reply and
    // the chain stays usable for the next request.
    try { reply(req.id, failure(e)); } catch { /* the main thread's wait ends at its deadline */ }
  });
});
