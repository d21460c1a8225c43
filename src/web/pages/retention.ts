import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  approveRetentionRequest, CATEGORIES, listHolds, listRetentionRequests, placeHold, rejectRetentionRequest, requestErasure, requestHoldRelease,
} from '../../app/retention.ts';
import { REVIEW_TTL_MS, retentionReviewReused } from '../../app/retention-alert.ts';
import { may } from '../../app/governance.ts';
import { guard } from '../auth/guard.ts';
import { CSRF_FIELD } from '../auth/session.ts';
import type { Env } from '../env.ts';
import { html, name } from './html.ts';
import { page } from './layout.ts';

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const day = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 10));
const csrfInput = (token: string | undefined) => html`<input type="hidden" name="${CSRF_FIELD}" value="${token ?? ''}">`;

/**
 * Retention and legal hold (issue 13 §7): the periodic review (what is due, as an alert), active
 * holds, and the four-eyes requests to release a hold or erase early. Erasure itself is the erasure
 * job's (`counterseed retention run`): this page asks and approves, the job carries out and logs.
 */
export function retentionPages(app: OpenAPIHono<Env>): void {
  app.get('/retention', guard(['retention']), (c) => {
    const { ctx, g, banner } = c.get('deps');
    const actor = c.get('actor')!, csrf = c.get('session')?.csrfToken;
    // Up to a minute old unless ?fresh=1 (app/retention-alert.ts: counting costs ~140 ms CPU at 10M deliveries); the page says which.
    const { review: r, reused } = retentionReviewReused(ctx, g, actor, { fresh: c.req.query('fresh') === '1' });
    const holds = listHolds(g, actor);
    const reqs = listRetentionRequests(g, actor);
    const due = r.categories.filter((x) => x.due > 0);
    const centreDue = (r.centre?.categories ?? []).filter((x) => x.due > 0);
    const alert = due.length + centreDue.length > 0
      ? html`<p class="alert" role="alert">Due for erasure now: ${due.map((x) => html`${x.due} ${x.label}; `)}${centreDue.map((x) => html`${x.due} ${CATEGORIES[x.category].label} shipped by nodes (centre records); `)}the erasure job (<code>counterseed retention run</code>) removes them unless under legal hold.</p>`
      : html`<p class="note">Nothing is past its retention period.</p>`;
    const cats = r.categories.map((x) => html`<tr><td>${x.label}</td><td>${x.days} days (<code>${x.setting}</code>)</td><td>${day(x.cutoff)}</td><td>${x.due}</td><td>${x.held}</td><td>${day(x.oldestDue)}</td></tr>`);
    const holdRows = holds.map((h) => html`<tr><td>${h.id}</td><td>${h.ip}</td><td>${name(h.caseRef)}</td><td>${h.placedBy}</td><td>${iso(h.placedAt)}</td>
<td><form method="post" action="/retention/holds/${h.id}/release">${csrfInput(csrf)}<input name="purpose" required minlength="3" maxlength="500" placeholder="why release" aria-label="reason to release hold ${h.id}"><button>Ask to release</button></form></td></tr>`);
    const reqRows = reqs.map((q) => html`<tr><td>${q.id}</td><td>${q.kind === 'erasure' ? 'early erasure' : 'release legal hold'}</td><td>${q.ip}</td><td>${name(q.purpose)}</td><td>${q.requestedByName}</td><td>${iso(q.requestedAt)}</td><td>${q.status}${q.result ? html` <span class="note">${q.result}</span>` : ''}</td><td>${
      may(actor.role, 'approve') && q.status === 'pending' && q.requestedBy !== actor.id
        ? html`<form method="post" action="/retention/requests/${q.id}/approve">${csrfInput(csrf)}<button>Approve</button></form><form method="post" action="/retention/requests/${q.id}/reject">${csrfInput(csrf)}<button>Reject</button></form>` : ''}</td></tr>`);
    return c.html(page('Retention and legal hold', actor, csrf, html`<p class="note">Review of ${iso(r.at)}${reused
      ? html` (<strong>counted ${Math.round((g.now() - r.at) / 1000)} s ago and reused</strong>: counts are at most ${REVIEW_TTL_MS / 1000} s old; <a href="/retention?fresh=1">count again now</a>)`
      : ' (counted now)'}. ${r.erasedRecords} records erased so far (tombstones: their hashes stay in the evidence chain). Counts only: this table shows no address.</p>
${alert}
<table><thead><tr><th>category</th><th>kept for</th><th>due if before (UTC)</th><th>due now</th><th>kept by legal hold</th><th>oldest due</th></tr></thead><tbody>${cats}</tbody></table>
<h2>Legal holds (${holds.length})</h2><p class="note">An address under legal hold is never erased. Releasing a hold needs a supervisor other than the one who asks.</p>
<table><thead><tr><th>#</th><th>address</th><th>case</th><th>placed by</th><th>placed (UTC)</th><th></th></tr></thead><tbody>${holdRows}</tbody></table>
<form method="post" action="/retention/holds">${csrfInput(csrf)}<label>Address <input name="ip" required maxlength="45"></label><label>Case reference (logged) <input name="caseRef" required minlength="3" maxlength="500"></label><button>Place legal hold</button></form>
<h2>Requests (four-eyes)</h2>
<table><thead><tr><th>#</th><th>kind</th><th>address</th><th>purpose</th><th>by</th><th>requested (UTC)</th><th>status</th><th></th></tr></thead><tbody>${reqRows}</tbody></table>
<h2>Erase an address early</h2><p class="note">Every record of the address, in every category, before its retention period ends (a data subject's request, a record that should not exist). A supervisor other than you approves; the erasure job carries it out and logs it.</p>
<form method="post" action="/retention/erasures">${csrfInput(csrf)}<label>Address <input name="ip" required maxlength="45"></label><label>Purpose (logged) <input name="purpose" required minlength="3" maxlength="500"></label><button>Ask to erase</button></form>`, banner));
  });

  const field = (f: Record<string, unknown>, k: string): string => String(f[k] ?? '').slice(0, 600);
  app.post('/retention/holds', guard(['retention']), async (c) => {
    const f = await c.req.parseBody();
    placeHold(c.get('deps').g, c.get('actor')!, { ip: field(f, 'ip'), caseRef: field(f, 'caseRef') });
    return c.redirect('/retention', 303);
  });
  app.post('/retention/holds/:id{[0-9]+}/release', guard(['retention']), async (c) => {
    const f = await c.req.parseBody();
    requestHoldRelease(c.get('deps').g, c.get('actor')!, { holdId: Number(c.req.param('id')), purpose: field(f, 'purpose') });
    return c.redirect('/retention', 303);
  });
  app.post('/retention/erasures', guard(['retention']), async (c) => {
    const f = await c.req.parseBody();
    requestErasure(c.get('deps').g, c.get('actor')!, { ip: field(f, 'ip'), purpose: field(f, 'purpose') });
    return c.redirect('/retention', 303);
  });
  app.post('/retention/requests/:id{[0-9]+}/approve', guard(['approve']), (c) => {
    approveRetentionRequest(c.get('deps').g, c.get('actor')!, Number(c.req.param('id')));
    return c.redirect('/retention', 303);
  });
  app.post('/retention/requests/:id{[0-9]+}/reject', guard(['approve']), (c) => {
    rejectRetentionRequest(c.get('deps').g, c.get('actor')!, Number(c.req.param('id')));
    return c.redirect('/retention', 303);
  });
}
