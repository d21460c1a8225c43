import { recordAccess, requirePurpose } from './access-log.ts';
import type { Context } from './context.ts';
import { requirePermission, type Actor, type Governance } from './governance.ts';
import { latestMatches, listImports, type SourcesMatchResult } from './sources-match.ts';
import type { SourceImport } from '../store/sources.ts';

/**
 * Other sources and their cross-matches for the web app (issue 13 §2 over issue 14 §1-§2). The
 * imports' provenance names no address and is shown to analysts as is; the matches name addresses on
 * both sides, so reading them is a consultation, logged with its purpose before the rows are returned.
 */

/** Imported sources with their provenance (who, when, file SHA-256, Admiralty grade); no addresses. */
export function sourceImports(ctx: Context, actor: Actor): SourceImport[] {
  requirePermission(actor, 'consult');
  return listImports(ctx).imports;
}

/** The last match run's matches (logged), optionally of one address. Not found when no run was made. */
export function consultMatches(ctx: Context, g: Governance, actor: Actor, q: { purpose?: string; ip?: string; limit?: number }): SourcesMatchResult {
  requirePermission(actor, 'consult');
  const purpose = requirePurpose(q.purpose);
  const r = latestMatches(ctx, { limit: Math.min(Math.max(1, q.limit ?? 200), 1000), ...(q.ip !== undefined ? { ip: q.ip } : {}) });
  const ips = [...new Set(r.matches.flatMap((m) => [m.sourceIp, m.otherIp]))];
  recordAccess(g, actor, 'consult', `source matches of run ${r.run.id} (window ${r.run.windowMs / 1000} s)${q.ip !== undefined ? ` ip=${q.ip}` : ''}: ${r.matches.length} matches, IPs ${ips.slice(0, 20).join(',')}${ips.length > 20 ? ` +${ips.length - 20}` : ''}`, purpose);
  return r;
}
