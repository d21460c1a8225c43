import type { OpenAPIHono } from '@hono/zod-openapi';
import { listCampaigns } from '../../app/campaigns.ts';
import { bucketSeries, health } from '../../app/health.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { html, name } from './html.ts';
import { page } from './layout.ts';

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The operator's pages: campaigns, and node health per local address and per decoy (no remote IPs). */
export function operationPages(app: OpenAPIHono<Env>): void {
  app.get('/campaigns', guard(['operate']), (c) => {
    const rows = listCampaigns(c.get('deps').ctx).map((k) => html`<tr><td>${name(k.name)}</td><td>${iso(k.createdAt)}</td><td>${k.perDay}</td><td>${k.ttlDays}</td><td>${k.planned}</td><td>${k.active}</td><td>${k.retired}</td><td>${k.deliveries}</td></tr>`);
    return c.html(page('Campaigns', c.get('actor'), c.get('session')?.csrfToken, html`<table><thead><tr><th>campaign</th><th>created (UTC)</th><th>per day</th><th>TTL days</th><th>planned</th><th>active</th><th>retired</th><th>deliveries</th></tr></thead><tbody>${rows}</tbody></table>`, c.get('deps').banner));
  });

  app.get('/health', guard(['operate']), async (c) => {
    const h = await health(c.get('deps').ctx, { hours: 24, bucketMinutes: 60, decoys: 20, now: c.get('deps').g.now() });
    const addr = h.addresses.map((a) => html`<tr><td>${a.localIp}</td><td>${a.total}</td><td>${iso(a.lastAt)}</td><td><code>${bucketSeries(a.buckets, h.since, h.now, h.bucketMs).join(' ')}</code></td></tr>`);
    const decoys = h.decoys.map((d) => html`<tr><td>${d.decoyId}</td><td>${name(d.name)}</td><td>${d.inbound}</td><td>${d.presence}</td><td>${d.lastInboundAt === null ? 'never' : iso(d.lastInboundAt)}</td></tr>`);
    return c.html(page('Node health', c.get('actor'), c.get('session')?.csrfToken, html`<h2>Inbound connections per local address, last 24 h, hourly (oldest left)</h2>
<table><thead><tr><th>address</th><th>total</th><th>last (UTC)</th><th>per hour</th></tr></thead><tbody>${addr}</tbody></table>${h.addresses.length === 0 ? html`<p>No inbound connections in this window: check every address.</p>` : ''}
<h2>The 20 quietest active decoys</h2><p class="note">DHT swarm presence is an estimate (weak signal).</p>
<table><thead><tr><th>decoy</th><th>name</th><th>inbound</th><th>presence (estimate)</th><th>last inbound (UTC)</th></tr></thead><tbody>${decoys}</tbody></table>`, c.get('deps').banner));
  });
}
