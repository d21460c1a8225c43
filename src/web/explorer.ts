import { html } from './pages/html.ts';
import type { Actor } from '../app/governance.ts';
import { page } from './pages/layout.ts';

interface Op { summary?: string; tags?: string[]; parameters?: { name: string; in: string; required?: boolean; description?: string }[]; requestBody?: unknown }
type Spec = { paths?: Record<string, Record<string, Op>> };

/**
 * The local API explorer: every route of the generated OpenAPI document, its parameters and a
 * link to the document itself. Rendered on the server from the spec; no script, no CDN.
 */
export function explorerPage(spec: Spec, actor: Actor | undefined, csrf: string | undefined, banner?: string): string {
  const rows = Object.entries(spec.paths ?? {}).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => html`<tr>
<td><code>${method.toUpperCase()}</code></td><td><code>${path}</code></td><td>${op.summary ?? ''}</td><td>${(op.tags ?? []).join(', ')}</td>
<td>${(op.parameters ?? []).map((p) => html`<code>${p.name}</code> (${p.in}${p.required ? ', required' : ''}) `)}${op.requestBody ? 'JSON body' : ''}</td></tr>`));
  return page('API explorer', actor, csrf, html`<p>OpenAPI 3.1 document: <a href="/api/openapi.json">/api/openapi.json</a>. State-changing calls need the session cookie and the
<code>X-CSRF-Token</code> header from <code>GET /api/me</code>.</p>
<table><thead><tr><th>method</th><th>path</th><th>summary</th><th>tag</th><th>parameters</th></tr></thead><tbody>${rows}</tbody></table>`, banner);
}
