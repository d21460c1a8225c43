// `referrals build` (issue 14 part 4): N addresses of one agency in one evidence package (selection
// "ips", a completeness proof per address), beside the reference done in the same run: one `evidence
// export` by time window holding the same records in one package. The ratio is the cost of the
// per-address proofs and the referral around the package (before: one package per address, 36.3 s for 500).
// Usage: node bench/referrals-build.bench.ts [addresses=100] [deliveries-per-address=5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportEvidence, initEvidence } from '../src/app/evidence.ts';
import { importAgencies, importRetention } from '../src/app/referral-tables.ts';
import { buildReferrals } from '../src/app/referrals-build.ts';
import { loadSettings } from '../src/config/load.ts';
import { openEvidence } from '../src/evidence/open.ts';
import { openContext } from '../src/node/context.ts';
import { verifyReferral } from '../verifier/verify.mjs';
import { sampleDelivery } from '../test/helpers/sample-observations.ts';
import { testDecoy } from '../test/helpers/test-decoy.ts';

const N = Number(process.argv[2] ?? 100);
const PER = Number(process.argv[3] ?? 5);
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);
const load = () => execFileSync('uptime', { encoding: 'utf8' }).trim().replace(/^.*load average/, 'load average');
const root = mkdtempSync(join(tmpdir(), 'cs-bench-referrals-'));
try {
  const settings = loadSettings({ flags: { dataDir: join(root, 'data') }, env: {} });
  const ctx = openContext(settings, () => {});
  await initEvidence(ctx);
  const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 50_000 }).decoy;
  ctx.store.insertPayload({ id: d.payloadId, size: d.size, label: 'a', mediaType: 'video/mp4', addedAt: 1 });
  const [decoy] = await ctx.store.insertDecoys([d], NOW - 100 * DAY);
  const ips = Array.from({ length: N }, (_, i) => `193.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  const ev = openEvidence(ctx.store, settings.dataDir, { create: false });
  await ctx.store.appendObservations(ips.flatMap((ip, i) => Array.from({ length: PER }, (_, k) => sampleDelivery(decoy!.id, decoy!.infoHash, {
    remoteIp: ip, remotePort: 40000 + k, startedAt: NOW - (k + 1) * DAY + i * 1000, endedAt: NOW - (k + 1) * DAY + i * 1000 + 500,
  }))));
  ev.detach();
  ctx.store.intel.saveEnrichments(ips.map((ip) => ({ ip, enrichedAt: NOW, placeable: true, country: 'NO', asn: 2119, asOrg: 'Telenor Norge AS', caveats: [], databases: [] })));
  writeFileSync(join(root, 'r.csv'), 'country,asn,days,source\nNO,,21,bench\n');
  writeFileSync(join(root, 'a.csv'), 'country,agency\nNO,Kripos\n');
  importRetention(ctx, join(root, 'r.csv'), NOW);
  importAgencies(ctx, join(root, 'a.csv'), NOW);
  console.log(`${N} addresses x ${PER} chained deliveries; ${load()}`);

  const c0 = process.cpuUsage();
  let t = performance.now();
  const ref = await exportEvidence(ctx, { out: join(root, 'ref'), filter: { from: NOW - (PER + 1) * DAY, to: NOW }, now: () => NOW });
  const tRef = performance.now() - t;
  const cRef = process.cpuUsage(c0);
  const c1 = process.cpuUsage();
  t = performance.now();
  const built = await buildReferrals(ctx, { out: join(root, 'ref-pkgs'), now: NOW, maxIps: N });
  const tBuild = performance.now() - t;
  const cBuild = process.cpuUsage(c1);
  const cpu = (u: NodeJS.CpuUsage) => `CPU ${((u.user + u.system) / 1e6).toFixed(2)} s`;
  t = performance.now();
  const v = verifyReferral(built.packages[0]!.dir);
  const tVerify = performance.now() - t;
  console.log(`reference: one evidence export by time, ${ref.deliveries} deliveries: ${(tRef / 1000).toFixed(2)} s, ${cpu(cRef)}`);
  console.log(`referrals build: ${built.packages[0]!.ips} addresses in one evidence package, ${built.packages[0]!.deliveries} deliveries: ${(tBuild / 1000).toFixed(2)} s, ${cpu(cBuild)} (${(tBuild / N).toFixed(0)} ms per address); ratio ${(tBuild / tRef).toFixed(1)}x`);
  console.log(`verify.mjs on the referral package: ${(tVerify / 1000).toFixed(2)} s, ${v.ok ? 'VERIFIED' : `NOT VERIFIED (${v.findings.length})`}`);
  console.log(load());
  await ctx.close();
} finally { rmSync(root, { recursive: true, force: true }); }
