import type { OpenAPIHono } from '@hono/zod-openapi';
import { consultMatches, sourceImports } from '../../app/sources-consult.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { html, name, type Raw } from './html.ts';
import { layoutFor } from './layout.ts';
import { day, gradeText, iso, purposeField } from './format.ts';

const str = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
const delta = (ms: number) => (ms === 0 ? 'inside' : `${ms < 0 ? '' : '+'}${(ms / 1000).toFixed(0)} s`);

/**
 * Other sources and cross-matches (issue 13 §2 over issue 14 §1-§2): every import with its provenance
 * (who supplied it, when, the file's SHA-256, the Admiralty grade), and the last match run's matches
 * with the rule, the window, and the records on both sides. Matches name addresses: a consultation,
 * logged with its purpose. Imported records are never evidence: the page says so.
 */
export function sourcePages(app: OpenAPIHono<Env>): void {
  app.get('/sources', guard(['consult']), (c) => {
    const { ctx, g } = c.get('deps');
    const actor = c.get('actor')!;
    const q = c.req.query();
    const imports = sourceImports(ctx, actor);
    const importRows = imports.map((i) => html`<tr><td>${i.id}</td><td>${name(i.source)}</td><td>${gradeText(i.reliability, i.credibility)}</td><td>${i.rows}</td>
<td>${iso(i.receivedAt)}</td><td>${iso(i.importedAt)}</td><td>${name(i.importedBy)}</td><td>${name(i.fileName)} (${i.format}, ${i.fileBytes} bytes)</td><td><code>${i.fileSha256}</code></td><td>${name(i.note)}</td></tr>`);
    let matches: Raw = html``;
    if (q.purpose !== undefined) {
      const r = consultMatches(ctx, g, actor, { purpose: q.purpose, ...(str(q.ip) ? { ip: q.ip! } : {}) });
      const rows = r.matches.map((m) => html`<tr><td><code>${m.rule}</code></td>
<td>${name(m.source)} (${m.grade}), import ${m.importId} line ${m.line}${m.reference ? html`, ref ${name(m.reference)}` : ''}</td><td>${m.sourceIp}${m.sourcePort !== null ? html`:${m.sourcePort}` : ''}</td><td>${iso(m.sourceAt)}</td>
<td>${m.otherKind === 'delivery' ? html`our delivery ${m.otherId} (${m.otherNetwork}, evidence)` : html`import record ${m.otherId} (${name(m.otherNetwork)})`}</td><td>${m.otherIp}${m.otherPort !== null ? html`:${m.otherPort}` : ''}</td>
<td>${iso(m.otherStart)} – ${iso(m.otherEnd)}</td><td>${delta(m.deltaMs)}</td><td>${m.peerIdContinuity}</td></tr>`);
      matches = html`<p>Match run ${r.run.id} of ${iso(r.run.at)}: <strong>window ${r.run.windowMs / 1000} s</strong>, our deliveries up to id ${r.run.deliveriesUpTo}, imports ${r.run.imports.join(', ') || 'none'}; ${r.run.matches} matches in all, ${r.matches.length} shown. This consultation is in the access log.</p>
<p class="note"><strong>A match is an assessment</strong> made by the rules below from records of different reliability, not a fact about a person.</p>
<ul>${r.rules.map((x) => html`<li class="note">${x}</li>`)}</ul>
<table><thead><tr><th>rule</th><th>imported record (source, grade)</th><th>its IP:port</th><th>its time (UTC)</th><th>other side</th><th>IP:port</th><th>session (UTC)</th><th>time from session</th><th>peer id</th></tr></thead><tbody>${rows}</tbody></table>`;
    }
    return c.html(layoutFor(c, 'Sources and cross-matches', html`<p class="note">Imported records are kept apart from our evidence: never chained, never in an evidence package. Times are UTC; a source's own time zone was converted at import.</p>
<h2>Imported sources (${imports.length})</h2>
<table><thead><tr><th>#</th><th>source</th><th>grade (Admiralty)</th><th>rows</th><th>received (UTC)</th><th>imported (UTC)</th><th>by</th><th>file</th><th>file SHA-256</th><th>note</th></tr></thead><tbody>${importRows}</tbody></table>
${imports.length === 0 ? html`<p>No source imported yet (<code>counterseed sources import FILE --source NAME</code>).</p>` : ''}
<h2>Cross-matches</h2><form method="get" action="/sources"><label>Only this IP (optional) <input name="ip" maxlength="45" value="${q.ip ?? ''}"></label>${purposeField(q.purpose)}<button>Show matches</button></form>
<p class="note">As of ${day(g.now())}.</p>${matches}`));
  });
}
