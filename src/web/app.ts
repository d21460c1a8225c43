import { OpenAPIHono } from '@hono/zod-openapi';
import { authRoutes } from './api/auth.ts';
import { consultRoutes } from './api/consult.ts';
import { exportRoutes } from './api/exports.ts';
import { operationRoutes } from './api/operations.ts';
import { retentionRoutes } from './api/retention.ts';
import { userRoutes } from './api/users.ts';
import { guard } from './auth/guard.ts';
import { sessions } from './auth/session.ts';
import { LoginThrottle } from './auth/throttle.ts';
import type { Env, WebDeps } from './env.ts';
import { onError } from './errors.ts';
import { explorerPage } from './explorer.ts';
import { operationPages } from './pages/operations.ts';
import { pageRoutes } from './pages/routes.ts';
import { retentionPages } from './pages/retention.ts';
import { intelPages } from './pages/intel.ts';
import { intelRoutes } from './api/intel.ts';
import { casePages } from './pages/cases.ts';
import { issue14Routes } from './api/issue14.ts';
import { referralPages } from './pages/referrals.ts';
import { riskPages } from './pages/risk.ts';
import { sourcePages } from './pages/sources.ts';

const OPENAPI = { openapi: '3.1.0', info: { title: 'counterseed analyst API', version: '0.1.0', description: 'Every route needs a session (POST /api/login) except login itself; consultations of personal data need a purpose and are logged.' } };

/** Security headers on every response (ASVS 14.4): no framing, no sniffing, only this origin's resources. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'x-frame-options': 'DENY', 'cache-control': 'no-store',
};

/** The web app: API routes (OpenAPI-described) and pages over the application layer. No port: tests call app.request(). */
export function createWebApp(deps: WebDeps): OpenAPIHono<Env> {
  const app = new OpenAPIHono<Env>({
    // Schema failures are bad input (400), in the same shape as every other error.
    defaultHook: (result, c) => {
      if (!result.success) return c.json({ error: result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ') }, 400);
      return undefined;
    },
  });
  const throttle = deps.loginGate ?? new LoginThrottle(deps.loginPerMinute ?? 20);
  app.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!c.res.headers.has(k) || k !== 'cache-control') c.res.headers.set(k, v);
  });
  app.use('*', sessions(deps));
  authRoutes(app, throttle);
  operationRoutes(app);
  consultRoutes(app);
  exportRoutes(app);
  retentionRoutes(app);
  intelRoutes(app);
  issue14Routes(app);
  userRoutes(app);
  // The API's description is for logged-in users too: anonymous clients reach only login and the public map.
  // The description depends only on the routes, all registered above: generated once, at the first request
  // (generating it took 9-12 ms CPU a request, p95 ~300 ms at load 22; target API p95 <= 100 ms). Equal to
  // generating it again: test/unit/web/openapi.test.ts.
  let described: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  const description = () => (described ??= app.getOpenAPI31Document(OPENAPI));
  app.get('/api/openapi.json', guard('any'), (c) => c.json(description()));
  app.get('/api/docs', guard('any'), (c) => c.html(explorerPage(description() as never, c.get('actor'), c.get('session')?.csrfToken, deps.banner)));
  pageRoutes(app, throttle);
  operationPages(app);
  retentionPages(app);
  intelPages(app);
  sourcePages(app);
  riskPages(app);
  referralPages(app);
  casePages(app);
  app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: 'no such route' }, 404) : c.html('<!doctype html><title>Not found</title><h1>404: not found</h1>', 404)));
  app.onError(onError(deps.ctx.log));
  return app;
}
