import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEvidence } from '../../../../src/app/evidence.ts';
import { loadSettings } from '../../../../src/config/load.ts';
import type { Enrichment } from '../../../../src/domain/enrichment.ts';
import { openEvidence } from '../../../../src/evidence/open.ts';
import { openContext, type Context } from '../../../../src/node/context.ts';
import { sampleDelivery } from '../../../helpers/sample-observations.ts';
import { SQLITE_STORE, type StoreFactory } from '../../../helpers/store-factory.ts';
import { testDecoy } from '../../../helpers/test-decoy.ts';

export const DAY = 86_400_000;
/** The clock every test reads: 2026-01-31T00:00:00Z. */
export const NOW = Date.UTC(2026, 0, 31);

/**
 * Addresses of the mixed-rules fixture, with the last delivery (days before NOW) and what the
 * tables make of it. Rules: NO 21 days (country), NO AS2119 60 days (ISP override), SE 180 days,
 * FR 365 days (no agency); agencies NO, SE, DE (DE has no rule).
 *   A 193.0.0.1    NO AS2119   last -50  -> 60-day override: deadline +10
 *   B 193.0.0.2    NO AS25400  last -20 (and -30) -> country 21: deadline +1
 *   C 193.0.0.3    SE AS3301   last -175 -> 180: deadline +5
 *   D 193.0.0.4    DE          last -3   -> agency, no rule: undated "no retention rule"
 *   E 192.0.2.1    not placeable, last -2 -> undated "not placeable"
 *   F 198.51.100.7 not enriched, last -1 -> undated "not enriched"
 *   G 193.0.0.7    NO          last -25  -> deadline -4: already run out, not listed
 *   H 193.0.0.8    NO          last -10  -> +11, but referred (covers it): not listed
 *   I 193.0.0.9    NO          last -5   -> +16; an older referral covers only -15
 *   J 193.0.0.10   NO          metadata-only at -2: not listed
 *   K 193.0.0.11   FR          last -361 -> 365: deadline +4, no agency
 *   L 193.0.0.12   NO AS2119   only a delivery at +1 (after NOW): not listed
 */
export const IP = {
  A: '193.0.0.1', B: '193.0.0.2', C: '193.0.0.3', D: '193.0.0.4', E: '192.0.2.1', F: '198.51.100.7', G: '193.0.0.7', H: '193.0.0.8',
  I: '193.0.0.9', J: '193.0.0.10', K: '193.0.0.11', L: '193.0.0.12',
  /** Placed in Norway by hand; no delivery in the main fixture (build.test.ts gives it one). */
  V6: '2001:db8::5',
  /** Placed in France by hand; no delivery in the main fixture (due.test.ts gives it one). */
  W: '193.0.0.13',
} as const;

const place = (ip: string, o: Partial<Enrichment>): Enrichment => ({ ip, enrichedAt: NOW - 100 * DAY, placeable: true, caveats: [], databases: [], ...o });
export const ENRICHMENTS: Enrichment[] = [
  place(IP.A, { country: 'NO', asn: 2119, asOrg: 'Telenor Norge AS' }),
  place(IP.B, { country: 'NO', asn: 25400, asOrg: 'Telia Norge AS' }),
  place(IP.C, { country: 'SE', asn: 3301, asOrg: 'Telia Company AB' }),
  place(IP.D, { country: 'DE', asn: 3320, asOrg: 'Deutsche Telekom AG' }),
  place(IP.E, { placeable: false, notPlaceable: 'documentation (RFC 5737)' }),
  place(IP.G, { country: 'NO', asn: 25400, asOrg: 'Telia Norge AS' }),
  place(IP.H, { country: 'NO', asn: 25400, asOrg: 'Telia Norge AS' }),
  place(IP.I, { country: 'NO', asn: 25400, asOrg: 'Telia Norge AS' }),
  place(IP.J, { country: 'NO', asn: 25400, asOrg: 'Telia Norge AS' }),
  place(IP.K, { country: 'FR', asn: 3215, asOrg: 'Orange S.A.' }),
  place(IP.L, { country: 'NO', asn: 2119, asOrg: 'Telenor Norge AS' }),
  place(IP.V6, { country: 'NO', asn: 2119, asOrg: 'Telenor Norge AS' }),
  place(IP.W, { country: 'FR', asn: 3215, asOrg: 'Orange S.A.' }),
];

export const RETENTION_CSV = 'country,asn,days,source\nNO,,21,"Norwegian ISPs, 2019-20 (issue 14)"\nNO,AS2119,60,ISP answer 2025\nSE,,180,test source SE\nFR,,365,test source FR\n';
export const AGENCY_CSV = 'country,agency,contact\nNO,Kripos,kripos@example.invalid\nSE,NOA,\nDE,BKA,bka@example.invalid\n';

/** Deliveries: [ip, days relative to NOW, metadata-only]. */
export const DELIVERIES: [string, number, boolean][] = [
  [IP.A, -50, false], [IP.A, -70, false], [IP.B, -30, false], [IP.B, -20, false], [IP.C, -175, false], [IP.D, -3, false], [IP.E, -2, false],
  [IP.F, -1, false], [IP.G, -25, false], [IP.H, -10, false], [IP.I, -15, false], [IP.I, -5, false], [IP.J, -2, true], [IP.K, -361, false], [IP.L, 1, false],
];

/** A data directory with a node key and these deliveries chained into its evidence log. */
export async function referralFixture(deliveries = DELIVERIES, f: StoreFactory = SQLITE_STORE): Promise<{ ctx: Context; root: string; done: () => Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'cs-referrals-'));
  const settings = loadSettings({ flags: { dataDir: join(root, 'data') }, env: {} });
  let dispose = async () => {};
  const ctx = openContext(settings, () => {}, (s) => {
    const o = f.open(s);
    dispose = o.dispose;
    return o.store;
  });
  await initEvidence(ctx);
  const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 50_000 }).decoy;
  ctx.store.insertPayload({ id: d.payloadId, size: d.size, label: 'a', mediaType: 'video/mp4', addedAt: 1 });
  const [decoy] = await ctx.store.insertDecoys([d], NOW - 400 * DAY);
  const ev = openEvidence(ctx.store, settings.dataDir, { create: false });
  await ctx.store.appendObservations(deliveries.map(([ip, day, meta], i) => sampleDelivery(decoy!.id, decoy!.infoHash, {
    remoteIp: ip, remotePort: 40000 + i, startedAt: NOW + day * DAY, endedAt: NOW + day * DAY + 60_000, metadataOnly: meta, completed: !meta,
  })));
  ev.detach();
  ctx.store.intel.saveEnrichments(ENRICHMENTS);
  return { ctx, root, done: async () => { await ctx.close(); await dispose(); rmSync(root, { recursive: true, force: true }); } };
}
