import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { createDemoAccounts } from '../app/demo.ts';
import { withGovernance } from '../app/governance.ts';
import type { Settings } from '../config/settings.ts';
import { LoginThrottle, type LoginGate } from './auth/throttle.ts';
import type { ServeOptions } from './serve.ts';

/**
 * `counterseed serve --workers N`: N worker processes (node:cluster) answer the web app on one port,
 * each with its own store and governance connections. The store answers synchronously (node:sqlite in
 * the thread; PostgreSQL's SyncConnection parks it in Atomics.wait), so one process answers one request
 * at a time; with N, a slow query holds up its own worker only (bench/web-blocking.bench.ts --workers).
 *
 * What the workers share lives in the database (sessions, CSRF tokens, the account lockout, the access
 * log's chain, four-eyes requests) or here in the primary: the per-address login throttle, asked over
 * IPC. Per worker, and fine so: the public-map and cohort caches (keyed by the data version).
 */

/** The worker's configuration, in its environment (JSON): settings, port and host. */
export const WORKER_ENV = 'COUNTERSEED_WEB_WORKER';
/** A worker that died is restarted, at most this many times in RESTART_WINDOW_MS; beyond, the primary stops (a crash at start must not loop). */
export const MAX_RESTARTS = 5;
export const RESTART_WINDOW_MS = 60_000;
/** How long a worker has to finish its requests after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;
/** A login whose throttle question the primary has not answered in this time is refused (fail closed). */
const GATE_TIMEOUT_MS = 5_000;

export interface WorkerConfig { readonly settings: Settings; readonly port: number; readonly host: string }
interface GateAsk { readonly cs: 'login-attempt'; readonly id: number; readonly address: string; readonly now: number }
interface GateReply { readonly cs: 'login-attempt'; readonly id: number; readonly allow: boolean }
const isAsk = (m: unknown): m is GateAsk => typeof m === 'object' && m !== null && (m as GateAsk).cs === 'login-attempt'
  && Number.isSafeInteger((m as GateAsk).id) && typeof (m as GateAsk).address === 'string' && (m as GateAsk).address.length <= 100 && Number.isFinite((m as GateAsk).now);

/** The primary: forks the workers, answers their throttle questions, restarts the dead, stops all on `signal`. */
export async function serveCluster(settings: Settings, log: (m: string) => void, opts: ServeOptions): Promise<void> {
  if (opts.demo) await withGovernance(settings, async (g) => { opts.onDemo?.(await createDemoAccounts(g, settings.dataDir)); });
  const throttle = new LoginThrottle(20);
  const config: WorkerConfig = { settings, port: opts.port, host: opts.host };
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./serve-worker.ts', import.meta.url)), silent: false });
  const restarts: number[] = [];
  let stopping = false;
  let failure: Error | undefined;
  const stopped = new AbortController();

  const fork = (): Worker => {
    const w = cluster.fork({ [WORKER_ENV]: JSON.stringify(config) });
    w.on('message', (m: unknown) => {
      if (!isAsk(m)) return;
      const reply: GateReply = { cs: 'login-attempt', id: m.id, allow: throttle.allow(m.address, m.now) };
      if (w.isConnected()) w.send(reply);
    });
    return w;
  };
  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  /** By PID; a worker that exited meanwhile (ESRCH) needs nothing more. */
  const signalAll = (sig: NodeJS.Signals) => {
    for (const w of alive()) if (w.process.pid !== undefined) try { process.kill(w.process.pid, sig); } catch { /* gone */ }
  };
  const stopAll = () => {
    stopping = true;
    signalAll('SIGTERM');
    const kill = setTimeout(() => signalAll('SIGKILL'), STOP_GRACE_MS);
    kill.unref();
  };

  let first = true;
  const listening = new Promise<void>((resolve, reject) => {
    cluster.on('listening', (w, addr) => {
      log(`web worker ${w.process.pid} listening`);
      if (!first) return;
      first = false;
      opts.onListening?.(`http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${addr.port}/`);
      resolve();
    });
    cluster.on('exit', (w, code, signal) => {
      // Ctrl-C reaches the workers too: one may exit before this process has seen its own signal.
      if (opts.signal.aborted) stopping = true;
      if (alive().length === 0 && stopping) stopped.abort();
      if (stopping) return;
      const now = Date.now();
      while (restarts.length && restarts[0]! <= now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length >= MAX_RESTARTS) {
        failure = new Error(`web worker ${w.process.pid} exited (${signal ?? `code ${code}`}): ${MAX_RESTARTS} restarts in ${RESTART_WINDOW_MS / 1000} s already, stopping`);
        log(failure.message);
        reject(failure);
        stopAll();
        if (alive().length === 0) stopped.abort();
        return;
      }
      restarts.push(now);
      const next = fork();
      log(`web worker ${w.process.pid} exited (${signal ?? `code ${code}`}); restarted as ${next.process.pid}`);
    });
  });
  for (let i = 0; i < settings.webWorkers; i++) fork();
  try {
    await Promise.race([listening, new Promise<void>((resolve) => { if (opts.signal.aborted) resolve(); else opts.signal.addEventListener('abort', () => resolve(), { once: true }); })]);
    await new Promise<void>((resolve) => {
      if (opts.signal.aborted || stopping) resolve();
      else { opts.signal.addEventListener('abort', () => resolve(), { once: true }); stopped.signal.addEventListener('abort', () => resolve(), { once: true }); }
    });
  } catch { /* failure is thrown below, once the workers are stopped */ }
  stopAll();
  if (alive().length > 0) await new Promise<void>((resolve) => stopped.signal.addEventListener('abort', () => resolve(), { once: true }));
  cluster.removeAllListeners('listening');
  cluster.removeAllListeners('exit');
  if (failure) throw failure;
}

/** A worker's login gate: the primary's throttle, over IPC. */
export function primaryGate(): LoginGate {
  let next = 0;
  const pending = new Map<number, (allow: boolean) => void>();
  process.on('message', (m: unknown) => {
    const r = m as GateReply;
    if (typeof r !== 'object' || r === null || r.cs !== 'login-attempt') return;
    pending.get(r.id)?.(r.allow === true);
  });
  return {
    allow: (address, now) => new Promise<boolean>((resolve) => {
      const id = next++;
      const done = (allow: boolean) => { clearTimeout(timer); pending.delete(id); resolve(allow); };
      const timer = setTimeout(() => done(false), GATE_TIMEOUT_MS);
      pending.set(id, done);
      const ask: GateAsk = { cs: 'login-attempt', id, address, now };
      process.send!(ask);
    }),
  };
}
