import { serve } from '@hono/node-server';
import { withContext } from '../app/context.ts';
import { createDemoAccounts, purposeBanner, type DemoAccount } from '../app/demo.ts';
import { withGovernance } from '../app/governance.ts';
import type { Settings } from '../config/settings.ts';
import { createWebApp } from './app.ts';
import type { LoginGate } from './auth/throttle.ts';

export interface ServeOptions {
  readonly port: number;
  /** 127.0.0.1 by default: the app is meant to sit behind a TLS reverse proxy when reached from elsewhere. */
  readonly host: string;
  readonly signal: AbortSignal;
  /** Called once the socket listens, with the URL. */
  readonly onListening?: (url: string) => void;
  /** Lab data only: make demo accounts (fresh passwords) and pass them to `onDemo` before serving. */
  readonly demo?: boolean;
  readonly onDemo?: (accounts: readonly DemoAccount[]) => void;
}

/**
 * The web app until `signal` fires: in this process (`web.workers` 1), or in that many worker
 * processes on one port (web/cluster.ts), so that one slow request does not hold up the others.
 */
export async function serveWeb(settings: Settings, log: (m: string) => void, opts: ServeOptions): Promise<void> {
  if (settings.webWorkers <= 1) return serveOne(settings, log, opts);
  const { serveCluster } = await import('./cluster.ts');
  return serveCluster(settings, log, opts);
}

/**
 * The composition of the web app in one process: opens the data directory (read side: no lock, never
 * inside the seeder's process) and its governance store, serves until `signal` fires, then closes both.
 * `loginGate`: a shared login throttle (a cluster worker's); default: the app's own.
 */
export function serveOne(settings: Settings, log: (m: string) => void, opts: ServeOptions, loginGate?: LoginGate): Promise<void> {
  return withContext(settings, log, (ctx) => withGovernance(settings, async (g) => {
    if (opts.demo) opts.onDemo?.(await createDemoAccounts(g, settings.dataDir));
    const banner = purposeBanner(settings.dataDir);
    const app = createWebApp({ ctx, g, ...(banner ? { banner } : {}), ...(loginGate ? { loginGate } : {}) });
    const server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : opts.port;
    opts.onListening?.(`http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}/`);
    // Sessions that expired are removed once an hour (and on use).
    const purge = setInterval(() => g.gov.sessions.purgeExpired(g.now()), 3_600_000);
    purge.unref();
    await new Promise<void>((resolve) => {
      if (opts.signal.aborted) resolve(); else opts.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    clearInterval(purge);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }), 'read');
}
