/**
 * A worker process of `counterseed serve --workers N` (web/cluster.ts forks it): serves the web app
 * on the port the primary shares, with its own store connections and the primary's login throttle,
 * until SIGTERM (the primary stops it by its PID) or until the primary is gone. SIGINT (Ctrl-C reaches
 * the whole process group) stops it the same way.
 */
import { primaryGate, WORKER_ENV, type WorkerConfig } from './cluster.ts';
import { serveOne } from './serve.ts';

const config = JSON.parse(process.env[WORKER_ENV] ?? 'null') as WorkerConfig | null;
if (!config || process.send === undefined) throw new Error(`serve-worker.ts runs only as a worker of counterseed serve --workers N (${WORKER_ENV} unset)`);
const stop = new AbortController();
for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => stop.abort());
process.on('disconnect', () => stop.abort());
await serveOne(config.settings, (m) => process.stderr.write(`${m}\n`), { port: config.port, host: config.host, signal: stop.signal }, primaryGate());
process.exit(0);
