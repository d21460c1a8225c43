import type { OpenAPIHono } from '@hono/zod-openapi';
import { may } from '../../app/governance.ts';
import { consultRisk, consultRiskQueue, reviewRiskAs } from '../../app/risk-consult.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { csrfInput, field, iso, purposeField } from './format.ts';
import { html, name, Raw } from './html.ts';
import { layoutFor } from './layout.ts';

const VIEW = ['consult', 'risk:review'] as const;
const workingHref = (ip: string, purpose: string) => `/risk/working?${new URLSearchParams({ ip, purpose }).toString()}`;
const status = (r: { reviewedBy: string; at: number } | null): Raw => (r === null ? html`<strong>DRAFT</strong>` : html`reviewed by ${r.reviewedBy}, ${iso(r.at)}`);

/**
 * The risk queue with review (issue 13 §2 over issue 14 §3). The queue orders the latest run's
 * scores; each opens to its working: every factor's value and the records behind it (FACTS), then
 * its weight and points and the score (the ASSESSMENT), apart. A score is a draft until a person
 * marks it reviewed with a reason; nothing here decides anything. Both views name addresses: they
 * are consultations, logged with their purpose.
 */
export function riskPages(app: OpenAPIHono<Env>): void {
  app.get('/risk', guard(VIEW), (c) => {
    const { ctx, g } = c.get('deps');
    const actor = c.get('actor')!;
    const q = c.req.query();
    let body: Raw = html``;
    if (q.purpose !== undefined) {
      // The queue is the work to do: drafts, highest score first; reviewed ones too when asked for.
      const r = consultRiskQueue(ctx, g, actor, { purpose: q.purpose, draftsOnly: q.all !== '1', limit: 200 });
      const rows = r.scores.map((s, i) => html`<tr><td>${i + 1}</td><td><a href="${workingHref(s.ip, q.purpose!)}">${s.ip}</a></td><td>${s.score.toFixed(2)}</td>
<td>${s.values.deliveries}</td><td>${s.values.completions}</td><td>${s.values.daysActive}</td><td>${s.values.returnsAfterWarning}</td><td>${s.values.sourceMatches}</td><td>${status(s.review)}</td></tr>`);
      body = html`<p>Risk run ${r.run.id} of ${iso(r.run.at)} (UTC): ${r.run.ips} addresses scored with weights version <code>${r.run.weightsVersion}</code>; ${r.scores.length} shown${q.all === '1' ? html`, ${r.drafts} of them drafts` : ' (drafts only)'}. This consultation is in the access log.</p>
<table><thead><tr><th>rank</th><th>IP</th><th>score (assessment)</th><th>deliveries</th><th>completed</th><th>days active</th><th>days back after warning</th><th>other-source matches</th><th>status</th></tr></thead><tbody>${rows}</tbody></table>`;
    }
    return c.html(layoutFor(c, 'Risk queue', html`<p class="note"><strong>Scores are assessments, not findings</strong>: an ordering to decide what a person looks at first. Each is a DRAFT until a person reviews its working and marks it reviewed with a reason. Counts are facts from our records; an IP address may be shared (CGNAT) or reassigned.</p>
<form method="get" action="/risk">${purposeField(q.purpose)}<label><input type="checkbox" name="all" value="1"${q.all === '1' ? new Raw(' checked') : ''}> reviewed ones too</label><button>Show the queue</button></form>${body}`));
  });

  app.get('/risk/working', guard(VIEW), (c) => {
    const { ctx, g } = c.get('deps');
    const actor = c.get('actor')!;
    const q = c.req.query();
    const e = consultRisk(ctx, g, actor, { ip: q.ip ?? '', ...(q.purpose !== undefined ? { purpose: q.purpose } : {}) });
    const facts = e.factors.map((f) => html`<tr><td>${f.factor}</td><td>${f.kind === 'fact' ? 'fact (our records)' : 'other source (graded, matched by rule)'}</td><td>${f.definition}</td><td><b>${f.value}</b></td>
<td>${f.records} ${f.recordKind === 'delivery' ? 'deliveries' : 'imported records'}${f.recordIds.length > 0 ? html`: <code>${f.recordIds.join(', ')}</code>${f.records > f.recordIds.length ? ` (first ${f.recordIds.length})` : ''}` : ''}</td></tr>`);
    const points = e.factors.map((f) => html`<tr><td>${f.factor}</td><td>${f.value}</td><td>${f.weight}</td><td>${f.points.toFixed(3)}</td></tr>`);
    const matches = e.sourceMatches.map((m) => html`<tr><td>${name(m.source)} (${m.grade})</td><td>${m.line}</td><td>${name(m.reference)}</td><td><code>${m.rule}</code></td><td>${iso(m.sourceAt)}</td><td>our delivery ${m.otherId}</td><td>${m.peerIdContinuity}</td></tr>`);
    const review = e.score.review;
    const form = may(actor.role, 'risk:review')
      ? html`<form method="post" action="/risk/review">${csrfInput(c.get('session')?.csrfToken)}<input type="hidden" name="ip" value="${e.ip}"><input type="hidden" name="purpose" value="${q.purpose ?? ''}">
<label>Reason: why the assessment stands, after reading the working (required, logged) <textarea name="reason" required minlength="3" maxlength="2000" rows="3" cols="80"></textarea></label><button>Mark reviewed</button></form>` : '';
    return c.html(layoutFor(c, `Risk working: ${e.ip}`, html`${e.purpose === 'synthetic' || e.purpose === 'lab' ? html`<p class="alert">${e.purpose.toUpperCase()} DATA</p>` : ''}
<p>Run ${e.run.id} of ${iso(e.run.at)} (UTC), our deliveries up to id ${e.run.deliveriesUpTo}, weights version <code>${e.run.weightsVersion}</code>. Status: ${status(review)}${review ? html`: “${review.reason}”` : ''}. This consultation is in the access log.</p>
${e.labels.map((l) => html`<p class="note">${l}</p>`)}
<h2>Facts: what the records show</h2>
<table><thead><tr><th>factor</th><th>kind</th><th>what it counts</th><th>value</th><th>records behind it</th></tr></thead><tbody>${facts}</tbody></table>
${e.sourceMatches.length > 0 ? html`<h3>Other-source records matched to these deliveries</h3><table><thead><tr><th>source (grade)</th><th>line</th><th>reference</th><th>rule</th><th>its time (UTC)</th><th>matched to</th><th>peer id</th></tr></thead><tbody>${matches}</tbody></table>` : ''}
<h2>Assessment: weights and score</h2>
<p class="note">${e.formula}. The weights are the run's (stored with it), not today's setting.</p>
<table><thead><tr><th>factor</th><th>value</th><th>weight</th><th>points</th></tr></thead><tbody>${points}</tbody>
<tfoot><tr><th colspan="3">score (an estimate for ordering the queue, not a finding)</th><th>${e.score.score.toFixed(3)}</th></tr></tfoot></table>
<h2>Review</h2>${review ? html`<p>Reviewed by ${review.reviewedBy} at ${iso(review.at)}: “${review.reason}”. Reviewing again adds a newer review; earlier ones are kept, never changed.</p>` : html`<p><strong>DRAFT</strong>: no one has reviewed this assessment.</p>`}${form}
<p><a href="/risk?${new URLSearchParams({ purpose: q.purpose ?? '' }).toString()}">back to the queue</a></p>`));
  });

  app.post('/risk/review', guard(['risk:review']), async (c) => {
    const { ctx, g } = c.get('deps');
    const f = await c.req.parseBody();
    const e = reviewRiskAs(ctx, g, c.get('actor')!, { ip: field(f, 'ip', 64), reason: field(f, 'reason') });
    const purpose = field(f, 'purpose', 500);
    return c.redirect(workingHref(e.ip, purpose.trim().length >= 3 ? purpose : `risk review ${e.ip}`), 303);
  });
}
