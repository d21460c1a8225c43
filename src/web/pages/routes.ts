import type { OpenAPIHono } from '@hono/zod-openapi';
import { login, logout, SESSION_MS } from '../../app/accounts.ts';
import { accessLogPage } from '../../app/access-log.ts';
import { searchDeliveries } from '../../app/consultations.ts';
import { approveExport, listExportRequests, rejectExport, requestExport } from '../../app/export-requests.ts';
import { may } from '../../app/governance.ts';
import { overview } from '../../app/overview.ts';
import { InputError } from '../../domain/errors.ts';
import { clientAddress } from '../api/auth.ts';
import { clearSessionCookie, setSessionCookie } from '../auth/cookies.ts';
import { guard } from '../auth/guard.ts';
import { CSRF_FIELD } from '../auth/session.ts';
import type { LoginGate } from '../auth/throttle.ts';
import type { Env } from '../env.ts';
import { html, name, type Raw } from './html.ts';
import { CSS, page } from './layout.ts';
import { cachedPublicMap } from '../../app/public-map-cache.ts';
import { mapPage } from './map.ts';
import { weeklyTrends } from './intel.ts';
import { overviewRetentionReview } from '../../app/retention-alert.ts';
import { overviewDueAlert } from './referrals.ts';
import { decisionRoutes, requestActions } from './request-pages.ts';

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const csrfInput = (token: string | undefined) => html`<input type="hidden" name="${CSRF_FIELD}" value="${token ?? ''}">`;

function loginForm(banner: string | undefined, error?: string): string {
  return page('Log in', undefined, undefined, html`${error ? html`<p class="err">${error}</p>` : ''}
<form method="post" action="/login"><label>User <input name="username" autocomplete="username" required maxlength="64"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
<label>Code (if your account has a second factor) <input name="totp" inputmode="numeric" maxlength="10" autocomplete="one-time-code"></label>
<button>Log in</button></form>`, banner);
}

/** Server-rendered pages. Each calls the same use cases as the API. */
export function pageRoutes(app: OpenAPIHono<Env>, throttle: LoginGate): void {
  app.get('/assets/app.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600' }));
  app.get('/map', guard('public'), (c) => c.html(mapPage(cachedPublicMap(c.get('deps').ctx, c.get('deps').ctx.settings.mapMinIps, c.get('deps').g.now()), c.get('deps').banner)));
  app.get('/map.svg', guard('public'), (c) => c.body(cachedPublicMap(c.get('deps').ctx, c.get('deps').ctx.settings.mapMinIps, c.get('deps').g.now()).svg, 200, { 'content-type': 'image/svg+xml; charset=utf-8' }));
  app.get('/login', guard('public'), (c) => c.html(loginForm(c.get('deps').banner)));
  app.post('/login', guard('public'), async (c) => {
    const { g } = c.get('deps');
    const f = await c.req.parseBody();
    if (!(await throttle.allow(clientAddress(c), g.now()))) return c.html(loginForm(c.get('deps').banner, 'Too many login attempts from this address: wait a minute.'), 429);
    try {
      const s = await login(g, { username: String(f.username ?? '').slice(0, 64), password: String(f.password ?? '').slice(0, 1025), ...(str(f.totp) ? { totp: String(f.totp) } : {}) });
      setSessionCookie(c, s.token, Math.floor(SESSION_MS / 1000));
      return c.redirect(may(s.actor.role, 'overview') ? '/' : may(s.actor.role, 'audit') ? '/audit' : '/api/docs', 303);
    } catch (e) {
      if (e instanceof Error && (e.name === 'AuthenticationError' || e.name === 'LockedError')) return c.html(loginForm(c.get('deps').banner, e.message), e.name === 'LockedError' ? 429 : 401);
      throw e;
    }
  });
  app.post('/logout', guard('any'), (c) => {
    logout(c.get('deps').g, c.get('token'));
    clearSessionCookie(c);
    return c.redirect('/login', 303);
  });

  app.get('/', guard(['overview']), async (c) => {
    const { ctx, g } = c.get('deps');
    const actor = c.get('actor')!;
    const o = await overview(ctx, actor, g.now());
    const t = weeklyTrends(ctx, g.now());
    const card = (label: string, n: number | string, note = '') => html`<div class="card">${label}<b>${n}</b><span class="note">${note}</span></div>`;
    // Retention deadlines as alerts (issue 13 §2), for the roles that act on them.
    let alerts: Raw = html``;
    if (may(actor.role, 'retention')) {
      const r = overviewRetentionReview(ctx, g, actor); // reused up to a minute: app/retention-alert.ts
      const due = r.categories.filter((x) => x.due > 0);
      const centreDue = (r.centre?.categories ?? []).reduce((n, x) => n + x.due, 0);
      if (due.length > 0 || centreDue > 0 || r.pendingRequests > 0) {
        alerts = html`<p class="alert" role="alert">${due.length > 0 ? html`Past the retention period: ${due.map((x) => html`${x.due} ${x.label}; `)}` : ''}${centreDue > 0 ? html`${centreDue} records shipped by nodes past their retention period (centre); ` : ''}${r.pendingRequests > 0 ? html`${r.pendingRequests} retention requests wait for a supervisor. ` : ''}<a href="/retention">Retention</a></p>`;
      }
    }
    // Referral deadlines as alerts (issue 14 part 4): counts per agency, soonest first, no address.
    alerts = html`${alerts}${overviewDueAlert(ctx, actor, g.now())}`;
    return c.html(page('Overview', actor, c.get('session')?.csrfToken, html`${alerts}<p class="note">As of ${iso(o.at)}.</p><div class="cards">
${card('Inbound connections today', o.inboundToday, 'since 00:00 UTC')}${card('Inbound connections, 7 days', o.inboundWeek)}
${card('Decoys served', o.decoysServed)}${card('Campaigns', o.campaigns, `${o.activeCampaigns} active`)}${card('Payloads', o.payloads)}
${t.municipalities !== null ? card('Municipalities reached', t.municipalities, `week ${t.last}; estimate (IP geolocation)`) : ''}</div>
<h2>Trends${t.synthetic ? ' (SYNTHETIC DATA)' : ''}</h2>${t.chart}
<p class="note">Distinct addresses are IP addresses, not people (CGNAT shares one, dynamic addressing gives one many): an estimate of reach. <a href="/intel/map">Internal map</a> · <a href="/intel/deterrence">Deterrence curves</a></p>`, c.get('deps').banner));
  });

  app.get('/deliveries', guard(['consult']), async (c) => {
    const q = c.req.query();
    const actor = c.get('actor')!;
    let result: Raw = html``;
    if (q.purpose !== undefined) {
      const ip = str(q.ip), decoy = str(q.decoy), since = str(q.since), to = str(q.to);
      if (decoy !== undefined && !/^\d{1,9}$/.test(decoy)) throw new InputError('decoy must be a number');
      const day = (v: string | undefined, k: string) => {
        if (v === undefined) return undefined;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new InputError(`${k} must be a date, YYYY-MM-DD`);
        return Date.parse(`${v}T00:00:00Z`);
      };
      const sinceMs = day(since, 'from'), toMs = day(to, 'to');
      const r = await searchDeliveries(c.get('deps').ctx, c.get('deps').g, actor, { ...(ip ? { ip } : {}), ...(decoy ? { decoyId: Number(decoy) } : {}),
        ...(sinceMs !== undefined ? { since: sinceMs } : {}), ...(toMs !== undefined ? { to: toMs + 86_400_000 } : {}), ...(str(q.cursor) ? { cursor: q.cursor! } : {}), limit: 100, purpose: q.purpose });
      const rows = r.deliveries.map((d) => html`<tr><td>${iso(d.startedAt)}</td><td><a href="/dossier?${new URLSearchParams({ ip: d.remoteIp, purpose: q.purpose! }).toString()}">${d.remoteIp}</a></td><td>${d.decoyId}</td><td>${d.decoyName === null ? '?' : name(d.decoyName)}</td><td>${d.bytesServed}</td><td>${d.client ?? ''}</td></tr>`);
      const next = r.next ? html`<p><a href="/deliveries?${new URLSearchParams({ ...(ip ? { ip } : {}), ...(decoy ? { decoy } : {}), ...(since ? { since } : {}), ...(to ? { to } : {}), purpose: q.purpose, cursor: r.next }).toString()}">next page</a></p>` : '';
      result = html`<p>${r.deliveries.length} sessions (this consultation is in the access log).</p><table><thead><tr><th>started (UTC)</th><th>remote IP</th><th>decoy</th><th>decoy name</th><th>bytes</th><th>client</th></tr></thead><tbody>${rows}</tbody></table>${next}`;
    }
    return c.html(page('Deliveries', actor, c.get('session')?.csrfToken, html`<form method="get" action="/deliveries">
<label>Remote IP <input name="ip" value="${q.ip ?? ''}" maxlength="45"></label><label>Decoy id <input name="decoy" value="${q.decoy ?? ''}" maxlength="9"></label>
<label>From (UTC day) <input name="since" type="date" value="${q.since ?? ''}"></label><label>To (UTC day, inclusive) <input name="to" type="date" value="${q.to ?? ''}"></label>
<label>Purpose or case reference (required, logged) <input name="purpose" required minlength="3" maxlength="500" value="${q.purpose ?? ''}"></label><button>Search</button></form>${result}`, c.get('deps').banner));
  });

  app.get('/audit', guard(['audit']), (c) => {
    const after = Number(c.req.query('after') ?? 0);
    const p = accessLogPage(c.get('deps').g, Number.isSafeInteger(after) && after >= 0 ? after : 0, 100);
    const rows = p.entries.map((e) => html`<tr><td>${e.seq}</td><td>${iso(e.at)}</td><td>${e.user}</td><td>${e.action}</td><td>${name(e.what)}</td><td>${name(e.purpose)}</td><td><code>${e.hash.slice(0, 16)}</code></td></tr>`);
    return c.html(page('Access log', c.get('actor'), c.get('session')?.csrfToken, html`<p>${p.total} entries, hash-chained. <a href="/api/access-log/verify">verify the chain</a> · <a href="/api/access-log/export">export (JSON lines)</a></p>
<table><thead><tr><th>#</th><th>time (UTC)</th><th>user</th><th>action</th><th>what</th><th>purpose</th><th>hash</th></tr></thead><tbody>${rows}</tbody></table>${p.next !== null ? html`<p><a href="/audit?after=${p.next}">next page</a></p>` : ''}`, c.get('deps').banner));
  });

  app.get('/exports', guard(['export:request', 'approve']), (c) => {
    const actor = c.get('actor')!, csrf = c.get('session')?.csrfToken;
    const reqs = listExportRequests(c.get('deps').g, actor);
    const rows = reqs.map((r) => html`<tr><td>${r.id}</td><td>${iso(r.requestedAt)}</td><td>${r.requestedByName}</td><td>${JSON.stringify(r.filter)}</td><td>${name(r.purpose)}</td><td>${r.status}</td><td>${
      requestActions(actor, csrf, r, '/exports', `/api/exports/${r.id}/package`)}</td></tr>`);
    const form = may(actor.role, 'export:request') ? html`<h2>Request an evidence package</h2><form method="post" action="/exports">${csrfInput(csrf)}
<label>Remote IP <input name="ip" maxlength="45"></label><label>Purpose or case reference (required) <input name="purpose" required minlength="3" maxlength="500"></label><button>Request</button></form>` : '';
    return c.html(page(actor.role === 'supervisor' ? 'Approvals' : 'Exports', actor, csrf, html`<p class="note">A package leaves the system only after a supervisor other than the requester approves it.</p>
<table><thead><tr><th>#</th><th>requested (UTC)</th><th>by</th><th>filter</th><th>purpose</th><th>status</th><th></th></tr></thead><tbody>${rows}</tbody></table>${form}`, c.get('deps').banner));
  });
  app.post('/exports', guard(['export:request']), async (c) => {
    const f = await c.req.parseBody();
    const ip = str(f.ip);
    requestExport(c.get('deps').g, c.get('actor')!, { filter: ip ? { ip } : {}, purpose: String(f.purpose ?? '') });
    return c.redirect('/exports', 303);
  });
  decisionRoutes(app, '/exports', '/exports', (d, actor, id) => approveExport(d.ctx, d.g, actor, id), rejectExport);
}
