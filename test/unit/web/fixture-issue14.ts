import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCase, linkCase, noteCase } from '../../../src/app/cases.ts';
import { importAgencies, importRetention } from '../../../src/app/referral-tables.ts';
import { scoreRisk } from '../../../src/app/risk.ts';
import { importSources } from '../../../src/app/sources-import.ts';
import { matchSources } from '../../../src/app/sources-match.ts';
import type { Enrichment } from '../../../src/domain/enrichment.ts';
import type { WebFixture } from './fixture.ts';

/** The fixture's deliveries start here (fixture.ts): 2025-11-24T16:00:00Z. */
export const FIRST_DELIVERY = 1_764_000_000_000;
const DAY = 86_400_000;
/** A clock 16 days after the deliveries: Norway's 21-day retention leaves 5 days (issue 14 part 4). */
export const NOW_14 = FIRST_DELIVERY + 16 * DAY;

/**
 * Source, case and agency names as hostile as decoy names (issue 13 §2: escaped everywhere): markup,
 * script, the longest a source name may be (200), right-to-left override.
 */
export const HOSTILE_SOURCES = [
  '<script>alert("src")</script>Partner A',
  '"><img src=x onerror=alert(2)>Partner B',
  `Partner-${'long-'.repeat(38)}C`.slice(0, 200),
  '\u202EB rentraP',
];

/**
 * Adds issue 14 data to a web fixture: four imports under hostile names (the same partner file:
 * 198.18.0.11 on the delivery's source port, .12 on its listen port, .13 on another port, so CGNAT
 * rules it out), a match run, a risk run, agency and retention tables (NO 21 days, Kripos), the three
 * addresses placed in Norway, and a case with a hostile title linking .11.
 */
export async function addIssue14Data(f: WebFixture): Promise<void> {
  const csv = join(f.root, 'partner.csv');
  writeFileSync(csv, 'ip,port,timestamp,action,file_name,reference\n'
    + '198.18.0.11,40001,2025-11-24T16:00:02Z,download,holiday-video-0042.mp4,<b>REF-1</b>\n'
    + '198.18.0.12,51413,2025-11-24T17:00:02+01:00,download,holiday-video-0042.mp4,REF-2\n'
    + '198.18.0.13,9999,2025-11-24T16:01:40Z,download,holiday-video-0042.mp4,REF-3\n');
  for (const [i, source] of HOSTILE_SOURCES.entries()) {
    await importSources(f.ctx, { file: csv, source, reliability: 'BCDF'[i]!, credibility: String(i + 2), importedBy: 'tester', note: `<i>note ${i}</i>` }, FIRST_DELIVERY + DAY);
  }
  matchSources(f.ctx, { windowS: 60 }, FIRST_DELIVERY + DAY);
  scoreRisk(f.ctx, {}, FIRST_DELIVERY + DAY);
  const agencies = join(f.root, 'agencies.csv'), retention = join(f.root, 'retention.csv');
  writeFileSync(agencies, 'country,agency,contact\nNO,"Kripos <script>x</script>",kripos@example.invalid\n');
  writeFileSync(retention, 'country,asn,days,source\nNO,,21,"Norwegian ISPs, 2019-20"\n');
  importAgencies(f.ctx, agencies, FIRST_DELIVERY);
  importRetention(f.ctx, retention, FIRST_DELIVERY);
  const place = (ip: string): Enrichment => ({ ip, enrichedAt: FIRST_DELIVERY, placeable: true, caveats: [], databases: [], country: 'NO', asn: 2119, asOrg: 'Telenor Norge AS' });
  f.ctx.store.intel.refreshRollups();
  f.ctx.store.intel.saveEnrichments(['198.18.0.11', '198.18.0.12', '198.18.0.13'].map(place));
  createCase(f.ctx, { id: 'case-7', title: '<script>alert("case")</script>\u202Eeltit', now: FIRST_DELIVERY });
  linkCase(f.ctx, 'case-7', { ips: ['198.18.0.11'], sources: ['<img src=x onerror=alert(3)>'] }, FIRST_DELIVERY);
  noteCase(f.ctx, 'case-7', 'note with <b>markup</b>', FIRST_DELIVERY);
}
