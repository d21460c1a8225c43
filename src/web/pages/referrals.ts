import type { OpenAPIHono } from '@hono/zod-openapi';
import { may, type Actor } from '../../app/governance.ts';
import { ALERT_DAYS, consultDue, dueAlerts, type DueAlerts } from '../../app/referral-alerts.ts';
import { approveReferralBuild, listReferralRequests, referralPackageDir, rejectReferralBuild, requestReferralBuild } from '../../app/referral-requests.ts';
import { listAgencies } from '../../app/referral-tables.ts';
import { listReferrals } from '../../app/referrals-list.ts';
import { InputError } from '../../domain/errors.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { tarAttachment } from '../tar.ts';
import { csrfInput, day, field, iso, purposeField } from './format.ts';
import { html, name, type Raw } from './html.ts';
import { layoutFor } from './layout.ts';
import { decisionRoutes, requestActions } from './request-pages.ts';

const ROLES = ['export:request', 'approve'] as const;

function withinParam(v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  if (!/^\d{1,4}$/.test(v) || Number(v) > 3650) throw new InputError('within: whole days 0-3650');
  return Number(v);
}

/** The deadline alert: counts per agency, soonest first, no address (the overview shows it too). */
export function dueAlertBlock(a: DueAlerts): Raw {
  if (a.dated === 0 && a.undated === 0) return html`<p class="note">No referral deadline in the next ${a.withinDays} days.</p>`;
  return html`<div class="alert" role="alert"><p><strong>Referrals due</strong>: ${a.dated} addresses not yet referred whose ISP retention runs out within ${a.withinDays} days (UTC); after that the subscriber records are gone.${a.synthetic ? ' SYNTHETIC DATA.' : ''}</p>
<p class="note">Counted at ${iso(a.now)} (reused for up to a minute).</p><ul>${a.lines.map((l) => html`<li>${l.agency !== undefined ? name(l.agency) : 'no receiving agency for the country'}: ${l.ips} addresses, soonest ${day(l.soonest)} (${l.daysLeft} days left)</li>`)}</ul>
${a.undated > 0 ? html`<p>${a.undated} more have no deadline (no retention rule, not placed): look at them too.</p>` : ''}<p><a href="/referrals">Referrals</a></p></div>`;
}

/** Overview alert for the roles that act on referrals; nothing for the others. */
export function overviewDueAlert(ctx: Parameters<typeof dueAlerts>[0], actor: Actor, now: number): Raw {
  if (!ROLES.some((p) => may(actor.role, p))) return html``;
  return dueAlertBlock(dueAlerts(ctx, actor, now));
}

/**
 * Referrals and retention deadlines (issue 13 §2 over issue 14 part 4): the deadline alert, the due
 * list with its addresses (a logged consultation), the packages built, and the four-eyes requests
 * to build packages (a disclosure: a supervisor other than the requester approves).
 */
export function referralPages(app: OpenAPIHono<Env>): void {
  app.get('/referrals', guard(ROLES), (c) => {
    const { ctx, g } = c.get('deps');
    const actor = c.get('actor')!, csrf = c.get('session')?.csrfToken;
    const q = c.req.query();
    const within = withinParam(q.within, ALERT_DAYS);
    let due: Raw = html``;
    if (q.purpose !== undefined) {
      const r = consultDue(ctx, g, actor, { withinDays: within, purpose: q.purpose });
      const rows = [...r.dated, ...r.undated].map((x) => html`<tr><td>${x.deadline !== undefined ? html`<b>${day(x.deadline)}</b> (${x.daysLeft} days)` : html`unknown: ${x.unplaced.join(', ')}`}</td><td>${x.ip}</td>
<td>${iso(x.lastDelivery)}</td><td>${x.country ?? '-'}${x.asn !== undefined ? html` · AS${x.asn} ${x.asOrg ?? ''}` : ''}</td><td>${x.agency !== undefined ? name(x.agency) : '-'}</td>
<td>${x.retention ? html`${x.retention.days} days (${x.retention.rule === 'country+asn' ? 'ISP rule' : 'country rule'}; ${name(x.retention.source)})` : '-'}</td></tr>`);
      due = html`<p>${r.dated.length} with a deadline within ${r.withinDays} days, soonest first, then ${r.undated.length} without one${r.truncated ? ' (truncated)' : ''}. This consultation is in the access log.</p>
<table><thead><tr><th>deadline (UTC)</th><th>IP</th><th>last delivery (UTC)</th><th>country · ISP (estimate)</th><th>agency</th><th>retention</th></tr></thead><tbody>${rows}</tbody></table>`;
    }
    const packages = listReferrals(ctx, { limit: 50 }).map((p) => html`<tr><td>${p.id}</td><td>${iso(p.createdAt)}</td><td>${name(p.agency)}</td><td>${p.ips}</td><td><code>${p.sha256}</code></td></tr>`);
    const reqs = listReferralRequests(g, actor).map((r) => html`<tr><td>${r.id}</td><td>${iso(r.requestedAt)}</td><td>${r.requestedByName}</td>
<td>${r.params.agency !== undefined ? name(r.params.agency) : 'every agency'}; ${r.params.withinDays !== undefined ? `deadline within ${r.params.withinDays} days` : 'every address not yet expired'}</td><td>${name(r.purpose)}</td>
<td>${r.status}${r.status === 'failed' && r.result ? html` <span class="note">${r.result}</span>` : ''}</td><td>${
  requestActions(actor, csrf, r, '/referrals/requests', `/referrals/requests/${r.id}/package`)}</td></tr>`);
    const agencies = [...new Set(listAgencies(ctx).map((a) => a.agency))];
    const form = may(actor.role, 'export:request') ? html`<h2>Ask for referral packages</h2><p class="note">One package per agency: a summary and each address's evidence package with proofs. It leaves the system: a supervisor other than you approves it first.</p>
<form method="post" action="/referrals/requests">${csrfInput(csrf)}<label>Agency <select name="agency"><option value="">every agency</option>${agencies.map((a) => html`<option value="${a}">${a}</option>`)}</select></label>
<label>Only deadlines within (days; empty: every address not yet expired) <input name="within" inputmode="numeric" maxlength="4"></label>
<label>Purpose or case reference (required, logged) <input name="purpose" required minlength="3" maxlength="500"></label><button>Ask for packages</button></form>` : '';
    return c.html(layoutFor(c, 'Referrals and retention deadlines', html`${dueAlertBlock(dueAlerts(ctx, actor, g.now(), within))}
<p class="note">Deadline = last delivery + the ISP's retention (operator table: per country, or per ISP by AS number). Country and ISP come from IP geolocation: an estimate. Times UTC.</p>
<h2>Due list</h2><form method="get" action="/referrals"><label>Within (days) <input name="within" inputmode="numeric" maxlength="4" value="${String(within)}"></label>${purposeField(q.purpose)}<button>Show addresses</button></form>${due}
<h2>Requests (four-eyes)</h2><table><thead><tr><th>#</th><th>requested (UTC)</th><th>by</th><th>what</th><th>purpose</th><th>status</th><th></th></tr></thead><tbody>${reqs}</tbody></table>${form}
<h2>Packages built</h2><table><thead><tr><th>#</th><th>built (UTC)</th><th>agency</th><th>addresses</th><th>referral.json SHA-256</th></tr></thead><tbody>${packages}</tbody></table>`));
  });

  app.post('/referrals/requests', guard(['export:request']), async (c) => {
    const f = await c.req.parseBody();
    const within = field(f, 'within', 8).trim();
    requestReferralBuild(c.get('deps').ctx, c.get('deps').g, c.get('actor')!, {
      ...(field(f, 'agency', 200) ? { agency: field(f, 'agency', 200) } : {}), ...(within !== '' ? { withinDays: withinParam(within, 0) } : {}), purpose: field(f, 'purpose', 600),
    });
    return c.redirect('/referrals', 303);
  });
  decisionRoutes(app, '/referrals/requests', '/referrals', (d, actor, id) => approveReferralBuild(d.ctx, d.g, actor, id), rejectReferralBuild);
  app.get('/referrals/requests/:id{[0-9]+}/package', guard(['export:request']), (c) => {
    const id = Number(c.req.param('id'));
    return tarAttachment(c, referralPackageDir(c.get('deps').g, c.get('actor')!, id), `referrals-${id}`);
  });
}
