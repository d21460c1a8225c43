import type { Context } from 'hono';
import { may, type Actor } from '../../app/governance.ts';
import type { Env } from '../env.ts';
import { CSRF_FIELD } from '../auth/session.ts';
import { html, type Raw } from './html.ts';

export const CSS = `body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#15325b;color:#fff;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}header form{margin-left:auto}main{padding:1rem;max-width:80rem}
table{border-collapse:collapse;width:100%;table-layout:fixed}td,th{border:1px solid #ccc;padding:.25rem .4rem;text-align:left;overflow-wrap:anywhere}
.note{color:#555;font-size:.9em}.err{color:#a00}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{background:#fff;border:1px solid #ddd;padding:.7rem 1rem;min-width:10rem}
.card b{display:block;font-size:1.6em}.alert{background:#fde2e1;border:1px solid #a00;padding:.5rem .8rem}.banner{margin:0;padding:.4rem 1rem;background:#ffd54a;font-weight:bold}label{display:block;margin:.4rem 0}input{font:inherit}`;

const NAV: readonly [string, string, Parameters<typeof may>[1]][] = [
  ['/', 'Overview', 'overview'], ['/campaigns', 'Campaigns', 'operate'], ['/health', 'Node health', 'operate'], ['/deliveries', 'Deliveries', 'consult'], ['/dossier', 'Dossier', 'consult'], ['/intel/map', 'Map', 'overview'], ['/intel/deterrence', 'Deterrence', 'overview'],
  ['/sources', 'Sources', 'consult'], ['/risk', 'Risk queue', 'consult'], ['/risk', 'Risk review', 'approve'], ['/referrals', 'Referrals', 'export:request'], ['/referrals', 'Referrals', 'approve'], ['/cases', 'Cases', 'consult'],
  ['/exports', 'Exports', 'export:request'],
  ['/exports', 'Approvals', 'approve'], ['/retention', 'Retention', 'retention'], ['/audit', 'Access log', 'audit'], ['/api/docs', 'API', 'users'],
];

/** Every page: the nav for the actor's role, the time zone, and a logout form carrying the CSRF token. */
/**
 * `banner`: what the data directory holds when it is not real evidence (its PURPOSE file: lab or
 * synthetic), on every page, so lab data is never taken for evidence.
 */
export function page(title: string, actor: Actor | undefined, csrf: string | undefined, body: Raw, banner?: string): string {
  const nav = actor ? NAV.filter(([, , p]) => may(actor.role, p)).map(([href, label]) => html`<a href="${href}">${label}</a>`) : [];
  const user = actor ? html`<span>${actor.username} (${actor.role})</span><form method="post" action="/logout"><input type="hidden" name="${CSRF_FIELD}" value="${csrf ?? ''}"><button>Log out</button></form>` : html`<a href="/login">Log in</a>`;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title} · counterseed</title><link rel="stylesheet" href="/assets/app.css"></head>
<body>${banner ? html`<p class="banner">${banner}</p>` : ''}<header><strong>counterseed</strong>${nav}${user}</header><main><h1>${title}</h1>${body}
<p class="note">All times are UTC.</p></main></body></html>`.value;
}

/** page() for the request's actor, CSRF token and banner. */
export const layoutFor = (c: Context<Env>, title: string, body: Raw): string => page(title, c.get('actor'), c.get('session')?.csrfToken, body, c.get('deps').banner);
