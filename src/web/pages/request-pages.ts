import type { OpenAPIHono } from '@hono/zod-openapi';
import { may, type Actor, type Governance } from '../../app/governance.ts';
import { guard } from '../auth/guard.ts';
import type { Env, WebDeps } from '../env.ts';
import { csrfInput } from './format.ts';
import { html, type Raw } from './html.ts';

/**
 * The pages' part of a four-eyes request's life (app/request-lifecycle.ts), once for evidence exports
 * (routes.ts, /exports) and referral builds (referrals.ts, /referrals/requests).
 */

/** A request row's last cell: a supervisor other than the requester decides a pending request; its requester downloads a done one. */
export function requestActions(actor: Actor, csrf: string | undefined, r: { readonly id: number; readonly status: string; readonly requestedBy: number }, at: string, download: string): Raw | '' {
  return may(actor.role, 'approve') && r.status === 'pending' && r.requestedBy !== actor.id
    ? html`<form method="post" action="${at}/${r.id}/approve">${csrfInput(csrf)}<button>Approve</button></form><form method="post" action="${at}/${r.id}/reject">${csrfInput(csrf)}<button>Reject</button></form>`
    : r.status === 'done' && r.requestedBy === actor.id ? html`<a href="${download}">download</a>` : '';
}

/** POST `${at}/ID/approve` and `${at}/ID/reject` (supervisors only; the use cases refuse the requester), then back to `back`. */
export function decisionRoutes(app: OpenAPIHono<Env>, at: string, back: string,
  approve: (deps: WebDeps, actor: Actor, id: number) => Promise<unknown>, reject: (g: Governance, actor: Actor, id: number) => unknown): void {
  app.post(`${at}/:id{[0-9]+}/approve`, guard(['approve']), async (c) => {
    await approve(c.get('deps'), c.get('actor')!, Number(c.req.param('id')));
    return c.redirect(back, 303);
  });
  app.post(`${at}/:id{[0-9]+}/reject`, guard(['approve']), (c) => {
    reject(c.get('deps').g, c.get('actor')!, Number(c.req.param('id')));
    return c.redirect(back, 303);
  });
}
