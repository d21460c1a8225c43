import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser } from '../../../src/app/accounts.ts';
import { openContext, type Context } from '../../../src/node/context.ts';
import { initEvidence } from '../../../src/app/evidence.ts';
import type { Governance } from '../../../src/app/governance.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { openGovernanceStore } from '../../../src/node/governance.ts';
import type { GovernanceStore } from '../../../src/store/governance.ts';
import { createTestDatabase } from '../../helpers/postgres.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

/** Decoy names an operator list might carry: markup, script, very long, right-to-left override. */
export const HOSTILE_NAMES = [
  '<script>alert("x")</script>holiday-video-0042.mp4',
  '"><img src=x onerror=alert(1)>.mkv',
  `holiday-${'very-long-'.repeat(400)}0042.mp4`,
  '\u202Egnp.4pm-0042-oediv-yadiloh',
  "it's & <b>bold</b> `tick`",
];

export const PASSWORD = 'correct-horse-battery-staple';
/** One account per role, plus a second analyst and a second supervisor (four-eyes, cross-user). */
export const USERS = { operator: 'olga', analyst: 'anna', analyst2: 'arne', supervisor: 'sven', supervisor2: 'siri', auditor: 'aud', admin: 'adam' } as const;

export interface WebFixture {
  readonly root: string;
  readonly ctx: Context;
  readonly g: Governance;
  readonly gov: GovernanceStore;
  /** Which store the data directory's context and governance run on. */
  readonly store: StoreKind;
  readonly app: ReturnType<typeof createWebApp>;
  readonly decoyIds: number[];
  /** Another app over the same data directory (a server in a browser test). */
  createApp(): ReturnType<typeof createWebApp>;
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

/**
 * A data directory with evidence on, hostile-named decoys, deliveries from three IPs, and every role's
 * account. `store: 'postgres'`: records and governance in a PostgreSQL database made for it (dropped
 * by close), opened as `serve --store postgres://…` opens them (openContext, openGovernanceStore).
 */
export async function webFixture(opts: { loginPerMinute?: number; now?: () => number; store?: StoreKind } = {}): Promise<WebFixture> {
  const root = mkdtempSync(join(tmpdir(), 'cs-web-'));
  const db = opts.store === 'postgres' ? await createTestDatabase() : undefined;
  const settings = loadSettings({ flags: { dataDir: join(root, 'data'), ...(db ? { store: db.url } : {}) }, env: {} });
  const ctx = openContext(settings, () => {});
  await initEvidence(ctx);
  const gov = openGovernanceStore(settings);
  const g: Governance = { gov, now: opts.now ?? Date.now };
  const decoyIds: number[] = [];
  const ev = openEvidence(ctx.store, settings.dataDir, { create: false });
  for (const [i, name] of HOSTILE_NAMES.entries()) {
    const d = testDecoy({ name, size: 20_000 + i }).decoy;
    ctx.store.insertPayload({ id: d.payloadId, size: d.size, label: 'warning', mediaType: 'video/mp4', addedAt: 1 });
    const [decoy] = await ctx.store.insertDecoys([d], 1_764_000_000_000);
    decoyIds.push(decoy!.id);
    await ctx.store.appendObservations([
      sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: '198.18.0.11', startedAt: 1_764_000_000_000 + i }),
      sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: '198.18.0.12', startedAt: 1_764_000_000_000 + i }),
      sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: '198.18.0.13', startedAt: 1_764_000_100_000 + i }),
    ]);
  }
  ev.detach();
  const roles: Record<keyof typeof USERS, string> = { operator: 'operator', analyst: 'analyst', analyst2: 'analyst', supervisor: 'supervisor', supervisor2: 'supervisor', auditor: 'auditor', admin: 'admin' };
  for (const [k, username] of Object.entries(USERS)) await addUser(g, { username, role: roles[k as keyof typeof USERS], password: PASSWORD });
  const app = createWebApp({ ctx, g, loginPerMinute: opts.loginPerMinute ?? 1000 });
  return {
    root, ctx, g, gov, store: db ? 'postgres' : 'sqlite', app, decoyIds,
    createApp: () => createWebApp({ ctx, g, loginPerMinute: opts.loginPerMinute ?? 1000 }),
    async close() { gov.close(); await ctx.close(); await db?.drop(); rmSync(root, { recursive: true, force: true }); },
  };
}

export interface Session { readonly cookie: string; readonly csrf: string }
const HOST = 'http://127.0.0.1:8080';

/** Logs in through the API; returns the cookie header and the CSRF token. */
export async function loginAs(app: WebFixture['app'], username: string, password = PASSWORD): Promise<Session> {
  const res = await app.request(`${HOST}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: HOST }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

/** A request as a browser on this origin would send it (cookie, Origin, CSRF header on writes). */
export function call(app: WebFixture['app'], method: string, path: string, s?: Session, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { origin: HOST, ...(s ? { cookie: s.cookie } : {}), ...(s && method !== 'GET' ? { 'x-csrf-token': s.csrf } : {}), ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return Promise.resolve(app.request(`${HOST}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
}
