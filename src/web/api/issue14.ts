import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { caseList, consultCase } from '../../app/case-consult.ts';
import { consultDue, dueAlerts } from '../../app/referral-alerts.ts';
import { approveReferralBuild, listReferralRequests, rejectReferralBuild, requestReferralBuild } from '../../app/referral-requests.ts';
import { listReferrals } from '../../app/referrals-list.ts';
import { consultRisk, consultRiskQueue, reviewRiskAs } from '../../app/risk-consult.ts';
import { consultMatches, sourceImports } from '../../app/sources-consult.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { IdParam, Ip, json, Purpose } from './schemas.ts';

const Loose = (name: string) => z.object({}).passthrough().openapi(name);
/** Plain JSON of a use case's result (typed arrays and readonly views as JSON gives them). */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
const Days = z.coerce.number().int().min(0).max(3650);

/**
 * Sources, risk, referrals and cases over HTTP (issue 13 §1 over issue 14): the same use cases as
 * the pages (pages/sources.ts, risk.ts, referrals.ts, cases.ts), the same roles, the same access-log
 * entries. Times are UTC ms; scores are assessments, drafts until reviewed.
 */
export function issue14Routes(app: OpenAPIHono<Env>): void {
  app.openapi(createRoute({
    method: 'get', path: '/api/sources', summary: 'Imported sources with their provenance: who, when, file SHA-256, Admiralty grade (no addresses)', tags: ['sources'],
    middleware: [guard(['consult'])] as const, responses: json(z.object({ imports: z.array(Loose('SourceImport')) }), 'imports, oldest first'),
  }), (c) => c.json({ imports: sourceImports(c.get('deps').ctx, c.get('actor')!).map(plain) }, 200));

  app.openapi(createRoute({
    method: 'get', path: '/api/sources/matches', summary: 'The last match run: each match with its rule, the window, and the records on both sides (names addresses: needs a purpose, logged)', tags: ['sources'],
    middleware: [guard(['consult'])] as const, request: { query: z.object({ purpose: Purpose, ip: Ip.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }) },
    responses: json(Loose('SourceMatches'), 'the run, its rules and matches'),
  }), (c) => {
    const q = c.req.valid('query');
    return c.json(plain(consultMatches(c.get('deps').ctx, c.get('deps').g, c.get('actor')!, q)), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/risk', summary: 'The risk queue: the latest run\'s drafts, highest score first (all=1: reviewed ones too); needs a purpose, logged', tags: ['risk'],
    middleware: [guard(['consult', 'risk:review'])] as const,
    request: { query: z.object({ purpose: Purpose, all: z.enum(['0', '1']).default('0'), limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
    responses: json(Loose('RiskQueue'), 'the run and its scores'),
  }), (c) => {
    const q = c.req.valid('query');
    return c.json(plain(consultRiskQueue(c.get('deps').ctx, c.get('deps').g, c.get('actor')!, { purpose: q.purpose, draftsOnly: q.all !== '1', limit: q.limit })), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/risk/working', summary: 'One address\'s working: every factor\'s value, records, weight and points; facts apart from the assessment (needs a purpose, logged)', tags: ['risk'],
    middleware: [guard(['consult', 'risk:review'])] as const, request: { query: z.object({ ip: Ip, purpose: Purpose }) },
    responses: json(Loose('RiskExplanation'), 'the working'),
  }), (c) => c.json(plain(consultRisk(c.get('deps').ctx, c.get('deps').g, c.get('actor')!, c.req.valid('query'))), 200));

  app.openapi(createRoute({
    method: 'post', path: '/api/risk/review', summary: 'Mark the latest assessment of an address reviewed, with a reason (a person\'s act, logged)', tags: ['risk'],
    middleware: [guard(['risk:review'])] as const, request: { body: { content: { 'application/json': { schema: z.object({ ip: Ip, reason: z.string().min(3).max(2000) }) } }, required: true } },
    responses: json(Loose('RiskReviewed'), 'the working, now reviewed'),
  }), (c) => c.json(plain(reviewRiskAs(c.get('deps').ctx, c.get('deps').g, c.get('actor')!, c.req.valid('json'))), 200));

  app.openapi(createRoute({
    method: 'get', path: '/api/referrals/alerts', summary: 'Referral deadlines as alerts: per agency, addresses whose ISP retention runs out within N days, soonest first (counts only)', tags: ['referrals'],
    middleware: [guard(['export:request', 'approve'])] as const, request: { query: z.object({ within: Days.default(7) }) },
    responses: json(Loose('DueAlerts'), 'the alert'),
  }), (c) => c.json(plain(dueAlerts(c.get('deps').ctx, c.get('actor')!, c.get('deps').g.now(), c.req.valid('query').within)), 200));

  app.openapi(createRoute({
    method: 'get', path: '/api/referrals/due', summary: 'Addresses not yet referred whose retention runs out within N days, soonest first, then the undated with the reason (needs a purpose, logged)', tags: ['referrals'],
    middleware: [guard(['export:request', 'approve'])] as const, request: { query: z.object({ within: Days.default(7), purpose: Purpose }) },
    responses: json(Loose('ReferralsDue'), 'the due list'),
  }), (c) => {
    const q = c.req.valid('query');
    return c.json(plain(consultDue(c.get('deps').ctx, c.get('deps').g, c.get('actor')!, { withinDays: q.within, purpose: q.purpose })), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/referrals', summary: 'Referral build requests (your own, or all for a supervisor) and the packages built (no addresses)', tags: ['referrals'],
    middleware: [guard(['export:request', 'approve'])] as const, responses: json(z.object({ requests: z.array(Loose('ReferralRequest')), packages: z.array(Loose('ReferralPackage')) }), 'requests and packages, newest first'),
  }), (c) => c.json({ requests: listReferralRequests(c.get('deps').g, c.get('actor')!).map(plain), packages: listReferrals(c.get('deps').ctx, { limit: 100 }).map(plain) }, 200));

  app.openapi(createRoute({
    method: 'post', path: '/api/referrals/requests', summary: 'Ask for referral packages (a disclosure: a supervisor other than you must approve)', tags: ['referrals', 'four-eyes'],
    middleware: [guard(['export:request'])] as const,
    request: { body: { content: { 'application/json': { schema: z.object({ agency: z.string().max(200).optional(), within: z.number().int().min(0).max(3650).optional(), purpose: Purpose }) } }, required: true } },
    responses: json(Loose('ReferralRequestCreated'), 'the pending request'),
  }), (c) => {
    const b = c.req.valid('json');
    return c.json(plain(requestReferralBuild(c.get('deps').ctx, c.get('deps').g, c.get('actor')!, { ...(b.agency !== undefined ? { agency: b.agency } : {}), ...(b.within !== undefined ? { withinDays: b.within } : {}), purpose: b.purpose })), 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/api/referrals/requests/{id}/approve', summary: 'Approve (a supervisor other than the requester): the packages are built now', tags: ['referrals', 'four-eyes'],
    middleware: [guard(['approve'])] as const, request: { params: IdParam }, responses: json(Loose('ReferralRequestApproved'), 'approved and built, or failed saying why'),
  }), async (c) => c.json(plain(await approveReferralBuild(c.get('deps').ctx, c.get('deps').g, c.get('actor')!, c.req.valid('param').id)), 200));

  app.openapi(createRoute({
    method: 'post', path: '/api/referrals/requests/{id}/reject', summary: 'Reject (a supervisor other than the requester)', tags: ['referrals', 'four-eyes'],
    middleware: [guard(['approve'])] as const, request: { params: IdParam }, responses: json(Loose('ReferralRequestRejected'), 'rejected'),
  }), (c) => c.json(plain(rejectReferralBuild(c.get('deps').g, c.get('actor')!, c.req.valid('param').id)), 200));

  app.openapi(createRoute({
    method: 'get', path: '/api/cases', summary: 'The case register (no addresses)', tags: ['cases'],
    middleware: [guard(['consult'])] as const, responses: json(z.object({ cases: z.array(Loose('CaseSummary')) }), 'cases'),
  }), (c) => c.json({ cases: caseList(c.get('deps').ctx, c.get('actor')!).map(plain) }, 200));

  app.openapi(createRoute({
    method: 'get', path: '/api/cases/{id}', summary: 'One case: links, saved exports, referrals, notes (names addresses: logged under the case reference)', tags: ['cases'],
    middleware: [guard(['consult'])] as const, request: { params: z.object({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' } }) }) }, responses: json(Loose('Case'), 'the case'),
  }), (c) => c.json(plain(consultCase(c.get('deps').ctx, c.get('deps').g, c.get('actor')!, c.req.valid('param').id)), 200));
}
