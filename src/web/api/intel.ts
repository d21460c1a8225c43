import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { cohorts } from '../../app/cohorts.ts';
import { consultDossier } from '../../app/consultations.ts';
import { requirePermission } from '../../app/governance.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { cachedPublicMap } from '../../app/public-map-cache.ts';
import type { PublicMap } from '../../app/public-map.ts';
import { Ip, json, Purpose } from './schemas.ts';

const Loose = (name: string) => z.object({}).passthrough().openapi(name);
/** The kept drawing's GeoJSON as text: ~640 KB (the county boundaries), ~5 ms CPU to serialise again per request. */
const geojsonText = new WeakMap<PublicMap, string>();

/** The intelligence use cases over HTTP (issue 11 through issue 13): the dossier (logged), cohorts, the public map's GeoJSON. */
export function intelRoutes(app: OpenAPIHono<Env>): void {
  app.openapi(createRoute({
    method: 'get', path: '/api/dossier', summary: 'Everything recorded about one IP address (needs a purpose, logged)', tags: ['consult'],
    middleware: [guard(['consult'])] as const,
    request: { query: z.object({ ip: Ip, purpose: Purpose, limit: z.coerce.number().int().min(1).max(1000).default(200) }) },
    responses: json(Loose('Dossier'), 'the dossier (times UTC ms; location is an estimate: see caveats)'),
  }), (c) => {
    const q = c.req.valid('query');
    const { ctx, g } = c.get('deps');
    return c.json(JSON.parse(JSON.stringify(consultDossier(ctx, g, c.get('actor')!, q))) as Record<string, unknown>, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/cohorts', summary: 'Return rates of warned addresses against the comparison group, with 95% intervals (no personal data)', tags: ['intelligence'],
    middleware: [guard(['overview'])] as const,
    request: { query: z.object({ horizons: z.string().regex(/^\d{1,4}(,\d{1,4}){0,11}$/).default('1,7,30,90') }) },
    responses: json(Loose('CohortReport'), 'the report'),
  }), (c) => {
    requirePermission(c.get('actor')!, 'overview');
    const horizons = c.req.valid('query').horizons.split(',').map(Number);
    return c.json(JSON.parse(JSON.stringify(cohorts(c.get('deps').ctx, { horizons }))) as Record<string, unknown>, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/public-map', summary: 'The public map as GeoJSON: counties with counts, cells under k withheld (public, no login)', tags: ['public'],
    responses: { 200: { description: 'RFC 7946 FeatureCollection with a counterseed member (countries, k, attribution)', content: { 'application/geo+json': { schema: Loose('PublicMap') } } } },
  }), (c) => {
    const { ctx, g } = c.get('deps');
    const map = cachedPublicMap(ctx, ctx.settings.mapMinIps, g.now());
    let text = geojsonText.get(map);
    if (text === undefined) geojsonText.set(map, text = JSON.stringify(map.geojson));
    return c.body(text, 200, { 'content-type': 'application/geo+json' }) as never;
  });
}
