/**
 * Worker side of SyncConnection (sync-connection.ts): one pg connection, one query at a time. The
 * main thread waits on `signal` (Atomics.wait) and takes the reply from the port synchronously.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';

interface Req { readonly sql: string; readonly params: readonly unknown[]; readonly arrays: boolean; readonly name?: string }
interface CopyReq { readonly copy: string; readonly text: string }
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

function reply(m: unknown): void {
  port.postMessage(m);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

port.on('message', (req: Req | CopyReq | 'close') => {
  if (req === 'close') { void client.end().finally(() => { reply({ closed: true }); port.close(); }); return; }
  ready = ready.then(async () => {
    if (connectError !== undefined) { reply({ error: connectError, code: '08001' }); return; }
    if ('copy' in req) {
      try {
        const stream = client.query(copyStreams.from(req.copy));
        await pipeline(Readable.from([req.text]), stream);
        reply({ rowCount: stream.rowCount });
      } catch (e) {
        const err = e as { message?: string; code?: string };
        reply({ error: String(err.message ?? e), code: err.code });
      }
      return;
    }
    try {
      // Uint8Array from the main thread arrives as Uint8Array; pg sends only a Buffer as bytea.
      const params = req.params.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
      const r = await client.query({ text: req.sql, values: params, ...(req.name !== undefined ? { name: req.name } : {}), ...(req.arrays ? { rowMode: 'array' as const } : {}) });
      const last = Array.isArray(r) ? r.at(-1) : r;
      reply({ rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0, command: last?.command });
    } catch (e) {
      const err = e as { message?: string; code?: string };
      reply({ error: String(err.message ?? e), code: err.code });
    }
  });
});
