import type { OpenAPIHono } from '@hono/zod-openapi';
import { cohorts } from '../../app/cohorts.ts';
import { consultDossier } from '../../app/consultations.ts';
import { weeklyReach } from '../../app/weekly-reach.ts';
import { PLACEMENT_CAVEAT } from '../../domain/enrichment.ts';
import { InputError } from '../../domain/errors.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { html, name, type Raw } from './html.ts';
import { page } from './layout.ts';
import { FEW, municipalityMap } from './municipality-map.ts';
import { lineChart } from './svg-chart.ts';

const DAY = 86_400_000;
const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
/** Monday 00:00 UTC of the week holding `t` (1970-01-01 was a Thursday). */
export const mondayOf = (t: number): number => { const d = Math.floor(t / DAY); return (d - ((d + 3) % 7)) * DAY; };

function weekParam(q: string | undefined, fallback: number): number {
  if (q === undefined || q === '') return mondayOf(fallback);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(q) || Number.isNaN(Date.parse(`${q}T00:00:00Z`))) throw new InputError('week must be a date, YYYY-MM-DD');
  return mondayOf(Date.parse(`${q}T00:00:00Z`));
}

/**
 * The intelligence pages (issue 13 §2) over the issue 11 use cases: weekly trends (on the overview),
 * the per-IP dossier (a logged consultation), the internal municipality map with its uncertainty,
 * and the deterrence curves. Every figure that is an estimate says so; every time is UTC.
 */
export function intelPages(app: OpenAPIHono<Env>): void {
  app.get('/dossier', guard(['consult']), (c) => {
    const { ctx, g, banner } = c.get('deps');
    const q = c.req.query();
    const actor = c.get('actor')!;
    let body: Raw = html``;
    if (q.ip && q.purpose !== undefined) {
      const d = consultDossier(ctx, g, actor, { ip: q.ip, purpose: q.purpose });
      const latest = d.enrichment.at(-1);
      const place = latest ? [latest.municipalityName, latest.countyName, latest.country].filter(Boolean).join(', ') || (latest.notPlaceable ?? 'not placed') : 'not assessed';
      body = html`<p>This consultation is in the access log.${d.synthetic ? html` <strong>SYNTHETIC DATA.</strong>` : ''}</p>
<div class="cards"><div class="card">First seen<b>${iso(d.firstSeen)}</b></div><div class="card">Last seen<b>${iso(d.lastSeen)}</b></div>
<div class="card">First warning delivered<b>${iso(d.firstExposure)}</b></div><div class="card">Days seen again after the warning<b>${d.returnsAfterWarning.length}</b></div></div>
<h2>Where (estimate)</h2><p>${place}${latest?.municipalityMethod === 'nearest' ? ' (nearest municipality: the point fell outside every polygon)' : ''}${latest?.asOrg ? html` · AS${latest.asn} ${latest.asOrg}` : ''}${latest && latest.caveats.length ? html` · caveats: ${latest.caveats.join(', ')}` : ''}</p>
${d.caveats.map((x) => html`<p class="note">${x}</p>`)}
<h2>Seen again after the warning</h2><table><thead><tr><th>day (UTC)</th><th>days after</th><th>deliveries</th><th>announces</th></tr></thead>
<tbody>${d.returnsAfterWarning.map((r) => html`<tr><td>${r.day}</td><td>${r.daysAfter}</td><td>${r.deliveries}</td><td>${r.announces}</td></tr>`)}</tbody></table>
<h2>Deliveries (${d.deliveries.length}${d.truncated ? ', first 200' : ''})</h2><table><thead><tr><th>started (UTC)</th><th>decoy</th><th>bytes</th><th>completed</th><th>client</th><th>evidence record</th></tr></thead>
<tbody>${d.deliveries.map((x) => html`<tr><td>${iso(x.startedAt)}</td><td>${name(x.decoyName)}</td><td>${x.bytes}</td><td>${x.metadataOnly ? 'metadata only' : x.completed ? 'yes' : 'no'}</td><td>${x.client ?? ''}</td><td>${x.evidenceSeq ?? 'not chained'}</td></tr>`)}</tbody></table>
<h2>Tracker announces (${d.announces.length})</h2><table><thead><tr><th>at (UTC)</th><th>decoy</th><th>event</th><th>left</th></tr></thead>
<tbody>${d.announces.map((a) => html`<tr><td>${iso(a.at)}</td><td>${a.decoyId ?? '?'}</td><td>${a.event}</td><td>${a.left}</td></tr>`)}</tbody></table>
<h2>Enrichment history</h2><table><thead><tr><th>assessed (UTC)</th><th>country</th><th>county</th><th>municipality</th><th>AS</th><th>caveats</th></tr></thead>
<tbody>${d.enrichment.map((e) => html`<tr><td>${iso(e.enrichedAt)}</td><td>${e.country ?? e.notPlaceable ?? ''}</td><td>${e.countyName ?? ''}</td><td>${e.municipalityName ?? ''}</td><td>${e.asn ?? ''} ${e.asOrg ?? ''}</td><td>${e.caveats.join(', ')}</td></tr>`)}</tbody></table>`;
    }
    return c.html(page(q.ip ? `Dossier ${q.ip}` : 'Dossier', actor, c.get('session')?.csrfToken, html`<form method="get" action="/dossier">
<label>IP address <input name="ip" required maxlength="45" value="${q.ip ?? ''}"></label>
<label>Purpose or case reference (required, logged) <input name="purpose" required minlength="3" maxlength="500" value="${q.purpose ?? ''}"></label><button>Open dossier</button></form>${body}`, banner));
  });

  app.get('/intel/map', guard(['overview']), (c) => {
    const { ctx, banner } = c.get('deps');
    const end = ctx.store.intel.lastActivityAt();
    // Default: the last complete week of data (the week before the one holding the last activity).
    const from = weekParam(c.req.query('week'), (end ?? c.get('deps').g.now()) - 7 * DAY);
    const s = weeklyReach(ctx, { from, to: from + 7 * DAY });
    const counts = new Map<string, number>();
    let placed = 0, other = 0;
    for (const r of s.byPlace) {
      if (/^\d{4}$/.test(r.key)) { counts.set(r.key, (counts.get(r.key) ?? 0) + r.ips); placed += r.ips; } else other += r.ips;
    }
    const few = [...counts.values()].filter((v) => v < FEW).length;
    const week = new Date(from).toISOString().slice(0, 10);
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 15);
    const label = new Map(s.byPlace.map((r) => [r.key, r.label]));
    // A municipality holding a large share is the typical mark of head-office placement (PLACEMENT_CAVEAT): say so beside it.
    const heavy = top.filter(([, v]) => placed >= 50 && v / placed > 0.2);
    return c.html(page('Internal map: addresses by municipality', c.get('actor'), c.get('session')?.csrfToken, html`${s.synthetic ? html`<p class="alert">SYNTHETIC DATA</p>` : ''}
<form method="get" action="/intel/map"><label>Week starting (Monday, UTC) <input name="week" type="date" value="${week}"></label><button>Show</button></form>
<p>Week of ${week} (UTC): ${placed} distinct addresses placed in ${counts.size} municipalities; ${other} outside Norway, not placeable or not assessed. <strong>Every municipality figure is an estimate.</strong></p>
<p class="note">${PLACEMENT_CAVEAT} Municipalities with fewer than ${FEW} addresses (${few} this week) are hatched: at that size the count is mostly placement error. Internal page: small counts are not suppressed; the public map withholds them.</p>
${heavy.map(([k, v]) => html`<p class="alert">${label.get(k) ?? k} holds ${pct(v / placed)} of the placed addresses: likely in part addresses placed at an operator's head office, not people living there.</p>`)}
${municipalityMap(counts, `Distinct addresses per municipality, week of ${week} (estimate)`)}
<h2>Most addresses (estimate)</h2><table><thead><tr><th>municipality</th><th>addresses</th></tr></thead><tbody>${top.map(([k, v]) => html`<tr><td>${label.get(k) ?? k} (${k})</td><td>${v}</td></tr>`)}</tbody></table>
<p class="note">Municipality boundaries © Kartverket (CC BY 4.0). IP geolocation by DB-IP (CC BY 4.0).</p>`, banner));
  });

  app.get('/intel/deterrence', guard(['overview']), (c) => {
    const { ctx, banner } = c.get('deps');
    const horizons = [1, 7, 14, 30, 60, 90];
    const r = cohorts(ctx, { horizons });
    const totals = r.totals.filter((t) => t.group === '').sort((a, b) => a.horizonDays - b.horizonDays);
    const series = (k: 'exposed' | 'comparison', label: string, color: string, dashed = false) => ({
      label, color, dashed, points: totals.map((t) => ({ x: `${t.horizonDays} d`, y: 100 * t[k].rate, lo: 100 * t[k].ci95.low, hi: 100 * t[k].ci95.high })),
    });
    const chart = lineChart({ title: 'Share of addresses seen again after N days (95% CI)', yLabel: 'returned (%)', yFormat: (v) => `${v.toFixed(0)}%`,
      series: [series('exposed', 'warned (completed delivery)', '#c0392b'), series('comparison', 'comparison (no warning played)', '#2471a3', true)] });
    return c.html(page('Deterrence curves', c.get('actor'), c.get('session')?.csrfToken, html`${r.synthetic ? html`<p class="alert">SYNTHETIC DATA</p>` : ''}
<p>Return rates of warned addresses against the comparison group, over the whole data (up to ${iso(r.dataEnd)}, UTC). <strong>Estimates with 95% intervals; an association, not a measured effect.</strong></p>
${chart}
<table><thead><tr><th>after</th><th>warned: returned / eligible</th><th>rate (95% CI)</th><th>comparison: returned / eligible</th><th>rate (95% CI)</th><th>difference (95% CI)</th></tr></thead>
<tbody>${totals.map((t) => html`<tr><td>${t.horizonDays} d</td><td>${t.exposed.returned} / ${t.exposed.eligible}</td><td>${pct(t.exposed.rate)} (${pct(t.exposed.ci95.low)}–${pct(t.exposed.ci95.high)})</td>
<td>${t.comparison.returned} / ${t.comparison.eligible}</td><td>${pct(t.comparison.rate)} (${pct(t.comparison.ci95.low)}–${pct(t.comparison.ci95.high)})</td><td>${pct(t.difference.value)} (${pct(t.difference.ci95.low)}–${pct(t.difference.ci95.high)})</td></tr>`)}</tbody></table>
<h2>Definitions</h2>${r.definitions.map((x) => html`<p class="note">${x}</p>`)}<h2>Caveats</h2>${r.caveats.map((x) => html`<p class="note">${x}</p>`)}`, banner));
  });
}

/**
 * Weekly trends for the overview page: distinct addresses warned, and of them those placed in a
 * Norwegian municipality, per UTC week, the 12 weeks up to the last activity (from the week rollup:
 * milliseconds at any size; the per-week plain queries of `stats` take seconds at 1,000,000 deliveries).
 */
export function weeklyTrends(ctx: Parameters<typeof weeklyReach>[0], now: number): { chart: Raw; synthetic: boolean; municipalities: number | null; last: string | null } {
  const end = ctx.store.intel.lastActivityAt() ?? now;
  const to = mondayOf(end) + 7 * DAY, from = to - 12 * 7 * DAY;
  const s = weeklyReach(ctx, { from, to });
  const pts = (k: 'addresses' | 'placed') => s.weeks.map((w) => ({ x: w.week, y: w[k] }));
  const chart = lineChart({ title: `Distinct addresses warned per UTC week (the last is partial)`, yLabel: 'addresses',
    series: [{ label: 'all addresses', color: '#c0392b', points: pts('addresses') }, { label: 'placed in Norway (estimate)', color: '#2471a3', points: pts('placed'), dashed: true }] });
  // The last week holds the last activity, so it is partial: the card shows the week before it.
  const m = s.weeks.at(-2) ?? s.weeks.at(-1);
  return { chart, synthetic: s.synthetic, municipalities: m ? m.municipalities : null, last: m ? m.week : null };
}
