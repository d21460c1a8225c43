import type { OpenAPIHono } from '@hono/zod-openapi';
import { caseList, consultCase } from '../../app/case-consult.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { iso } from './format.ts';
import { html, name } from './html.ts';
import { layoutFor } from './layout.ts';

/**
 * The case register (issue 13 §2 over issue 14 part 5), read-only: cases are kept with
 * `counterseed cases`. A case's page names its addresses: a consultation, logged with the case id as
 * its case reference.
 */
export function casePages(app: OpenAPIHono<Env>): void {
  app.get('/cases', guard(['consult']), (c) => {
    const rows = caseList(c.get('deps').ctx, c.get('actor')!).map((k) => html`<tr><td><a href="/cases/view?${new URLSearchParams({ id: k.id }).toString()}">${k.id}</a></td><td>${name(k.title)}</td><td>${k.status}</td><td>${k.links}</td><td>${k.notes}</td><td>${iso(k.createdAt)}</td><td>${iso(k.updatedAt)}</td></tr>`);
    return c.html(layoutFor(c, 'Cases', html`<p class="note">Kept with <code>counterseed cases create|link|note|status</code>. Opening a case shows its addresses and is logged with the case id.</p>
<table><thead><tr><th>case</th><th>title</th><th>status</th><th>links</th><th>entries</th><th>created (UTC)</th><th>updated (UTC)</th></tr></thead><tbody>${rows}</tbody></table>`));
  });

  app.get('/cases/view', guard(['consult']), (c) => {
    const { ctx, g } = c.get('deps');
    const k = consultCase(ctx, g, c.get('actor')!, c.req.query('id') ?? '');
    const links = k.links.map((l) => html`<tr><td>${l.kind}</td><td>${l.kind === 'ip' ? html`<a href="/dossier?${new URLSearchParams({ ip: l.ref, purpose: `case ${k.id}` }).toString()}">${l.ref}</a>` : name(l.ref)}</td><td>${iso(l.addedAt)}</td></tr>`);
    return c.html(layoutFor(c, `Case ${k.id}`, html`<p><b>${name(k.title)}</b> · ${k.status} · opened ${iso(k.createdAt)} (UTC). This consultation is in the access log under the case reference.</p>
<h2>Links</h2><table><thead><tr><th>kind</th><th>what</th><th>added (UTC)</th></tr></thead><tbody>${links}</tbody></table>
<h2>Saved exports</h2><table><thead><tr><th>name</th><th>filter</th></tr></thead><tbody>${k.exports.map((e) => html`<tr><td>${name(e.name)}</td><td><code>${e.filter}</code></td></tr>`)}</tbody></table>
<h2>Referrals of its addresses</h2><table><thead><tr><th>IP</th><th>agency</th><th>referred (UTC)</th><th>package SHA-256</th></tr></thead><tbody>${k.referrals.map((r) => html`<tr><td>${r.ip}</td><td>${name(r.agency)}</td><td>${iso(r.referredAt)}</td><td><code>${r.sha256}</code></td></tr>`)}</tbody></table>
<h2>Notes and status changes</h2><table><thead><tr><th>at (UTC)</th><th>kind</th><th>text</th></tr></thead><tbody>${k.entries.map((e) => html`<tr><td>${iso(e.at)}</td><td>${e.kind}</td><td>${name(e.text)}</td></tr>`)}</tbody></table>`));
  });
}
