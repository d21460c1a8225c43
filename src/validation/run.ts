/**
 * One validation run (issue 5, section 6): a fresh data directory, decoys with neutral names,
 * counterseed's seed node + built-in tracker on the seeder address, real clients downloading
 * while dumpcap captures `lo`; then every recorded delivery is compared with the capture, the
 * run's evidence is exported and verified offline, and the report is written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../config/load.ts';
import type { Settings } from '../config/settings.ts';
import { buildTorrentFile } from '../decoy/index.ts';
import type { Decoy } from '../domain/decoy.ts';
import type { DeliveryObservation, RejectedConnectionObservation } from '../domain/observation.ts';
import { openEvidence } from '../evidence/open.ts';
import { writeExportPackage } from '../exports/package-writer.ts';
import { toolInfo } from '../exports/tool-info.ts';
import { openContext } from '../node/context.ts';
import { nodeRunsOf } from '../node/node-run.ts';
import { startSeedNode } from '../node/seed-node.ts';
import { verifyPackage } from '../../verifier/verify.mjs';
import { startCapture } from './capture.ts';
import type { ClientName } from './clients/types.ts';
import { compareRun, DEFAULT_TOLERANCE } from './compare.ts';
import { runDownloads } from './downloads.ts';
import { ValidationError } from './errors.ts';
import { isolationProblem } from './isolation.ts';
import { assignDownloads, SEEDER_PORT, TRACKER_PORT, VALIDATION_ADDRESSES } from './plan.ts';
import { readCapture } from './read-capture.ts';
import { renderMarkdown, type ValidationReport } from './report.ts';
import { collectVersions } from './versions.ts';

export interface ValidationRequest {
  readonly out: string;
  readonly downloads: number;
  readonly clients: readonly ClientName[];
  readonly signal?: AbortSignal;
  readonly log: (m: string) => void;
  /**
   * Builds one decoy per row of the name list `namesFile` (CSV name,size) in the run's data
   * directory: the application's build-decoys use case, passed in so validation/ imports neither
   * app/ nor cli/ (issue 16 §5).
   */
  readonly buildDecoys: (settings: Settings, namesFile: string) => Promise<void>;
}

/** Decoy sizes: a few MB each (several pieces, hundreds of blocks), distinct per download. */
const DECOY_BASE_SIZE = 3_000_000;

export async function runValidation(req: ValidationRequest): Promise<ValidationReport> {
  const problem = isolationProblem();
  if (problem !== null) throw new ValidationError(`refusing to run real clients outside an isolated network namespace: ${problem}`);
  const jobsPlan = assignDownloads(req.downloads, req.clients);
  const dataDir = join(req.out, 'data');
  const exportDir = join(req.out, 'evidence-export');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const startedAt = Date.now();
  const log = req.log;

  const settings = loadSettings({
    flags: {
      dataDir, bind: VALIDATION_ADDRESSES.seeder, port: String(SEEDER_PORT), trackerServerPort: String(TRACKER_PORT), announceIntervalS: '5',
    },
    env: {},
  });
  // Neutral placeholder names only; sizes differ so every decoy is unique.
  const names = jobsPlan.map((j) => `validation-video-${String(j.index + 1).padStart(4, '0')}.mp4,${DECOY_BASE_SIZE + j.index * 100_003}`);
  writeFileSync(join(req.out, 'names.csv'), `${names.join('\n')}\n`);
  await req.buildDecoys(settings, join(req.out, 'names.csv'));

  const ctx = openContext(settings, log);
  let report: ValidationReport;
  try {
    const decoys = (await ctx.store.listDecoys({ status: 'active' })).sort((a, b) => a.id - b.id);
    if (decoys.length !== jobsPlan.length) throw new ValidationError(`expected ${jobsPlan.length} decoys, the store has ${decoys.length}`);
    const node = await startSeedNode(ctx, { log: () => {} });
    let downloads;
    let capFile: string;
    let capStats: { fencePort: number; received: number; dropped: number };
    try {
      await node.announced({ signal: AbortSignal.timeout(30_000) });
      const cap = await startCapture({ port: SEEDER_PORT, host: VALIDATION_ADDRESSES.seeder, probeIp: VALIDATION_ADDRESSES.probe, dir: req.out, ...(req.signal ? { signal: req.signal } : {}) });
      capFile = cap.file;
      const jobs = jobsPlan.map((j) => {
        const d = decoys[j.index]!;
        const torrentFile = join(req.out, `decoy-${d.id}.torrent`);
        writeFileSync(torrentFile, buildTorrentFile({ info: d.info, announce: [node.info.trackerHttp!], createdBy: 'counterseed validate' }));
        return { ...j, decoyId: d.id, torrentFile, expectedSha256: d.contentSha256 };
      });
      try {
        downloads = await runDownloads(jobs, { log, ...(req.signal ? { signal: req.signal } : {}) });
      } finally {
        // Stop the node first: it closes every open session (recorded) and writes every
        // observation; the capture then still sees those connections end.
        await node.stop();
        capStats = await cap.stop();
      }
    } finally {
      await node.stop();
    }
    const endedAt = Date.now();

    const deliveries = await ctx.store.queryDeliveries({ since: startedAt, limit: 100_000 });
    const ev = openEvidence(ctx.store, dataDir, { create: false });
    let rejected: RejectedConnectionObservation[];
    let exported;
    let verification;
    try {
      rejected = ev.table.select({ from: startedAt, kinds: ['rejected-connection'] }, 100_000)
        .map((r) => (JSON.parse(r.text) as { obs: RejectedConnectionObservation }).obs);
      log('exporting the run\'s evidence and verifying it offline');
      exported = await writeExportPackage({
        table: ev.table, log: ev.log, key: ev.key, getDecoy: (id) => ctx.store.getDecoy(id), tool: toolInfo(settings, nodeRunsOf(ctx.store)), now: Date.now,
      }, { filter: { from: startedAt }, selection: { validation: new Date(startedAt).toISOString(), from: new Date(startedAt).toISOString() }, out: exportDir, purpose: ctx.purpose });
      verification = verifyPackage(exportDir, { keyFingerprint: ev.key.fingerprint });
    } finally { ev.detach(); }

    if (capStats.dropped > 0) throw new ValidationError(`dumpcap dropped ${capStats.dropped} of ${capStats.received} packets: the capture is incomplete`);
    const captured = await readCapture(capFile, { serverPort: SEEDER_PORT, probeIp: VALIDATION_ADDRESSES.probe, fencePort: capStats.fencePort, ...(req.signal ? { signal: req.signal } : {}) });
    const pieceLengths = new Map<number, number>(decoys.map((d: Decoy) => [d.id, d.pieceLength]));
    const comparison = compareRun({ deliveries: deliveries as DeliveryObservation[], rejected, connections: captured, pieceLengths, tolerance: DEFAULT_TOLERANCE });
    report = {
      format: 'counterseed-validation-report/1',
      startedAt: new Date(startedAt).toISOString(), endedAt: new Date(endedAt).toISOString(),
      versions: await collectVersions(),
      environment: {
        seeder: `${VALIDATION_ADDRESSES.seeder}:${SEEDER_PORT}`, tracker: node.info.trackerHttp ?? '', clients: Object.fromEntries(req.clients.map((c) => [c, VALIDATION_ADDRESSES[c]])),
        namespace: 'network namespace with only lo (scripts/netns-run.sh), RFC 2544 addresses 198.18.0.0/15',
        dataDir, capture: capFile, capturePackets: capStats.received, captureDropped: capStats.dropped,
      },
      downloadsRequested: req.downloads,
      decoys: decoys.map((d) => ({ id: d.id, name: d.name, infoHash: d.infoHash, size: d.size, pieceLength: d.pieceLength, contentSha256: d.contentSha256 })),
      downloads,
      tolerance: DEFAULT_TOLERANCE,
      comparison,
      evidence: { exportDir, records: exported.records, deliveries: exported.deliveries, treeSize: exported.treeSize, verified: verification.ok, findings: verification.findings, fingerprint: verification.facts.fingerprint },
      ok: false,
    };
    report = { ...report, ok: isOk(report) };
  } finally {
    await ctx.close();
  }
  writeFileSync(join(req.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(req.out, 'report.md'), renderMarkdown(report));
  return report;
}

function isOk(r: ValidationReport): boolean {
  return r.downloads.every((d) => d.ok) && r.comparison.mismatches.length === 0 && r.evidence.verified
    && r.evidence.deliveries === r.comparison.deliveries;
}
