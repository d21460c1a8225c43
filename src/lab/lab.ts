import { randomBytes } from 'node:crypto';
import { buildVirtualDecoys } from '../decoy/factory.ts';
import { fileResolver } from '../decoy/file-resolver.ts';
import { seededPadding } from '../payload/variants/padding-bytes.ts';
import { DEFAULT_PAYLOAD_ID, defaultPayloadPath } from '../payload/index.ts';
import { transcriptBeside } from '../payload/variants/variant-registry.ts';
import { httpAnnounce } from '../bittorrent/tracker/client/http-client.ts';
import type { Context } from '../node/context.ts';
import { startSeedNode, type SeedNode } from '../node/seed-node.ts';
import type { Decoy } from '../domain/decoy.ts';
import { sampleNames } from './sample-names.ts';
import { simulateDownload, type SimDownloadInit, type SimDownloadResult } from './sim-downloader.ts';
import { runSimulatedSwarm, type SwarmSummary } from './swarm.ts';
import { infoHashFromHex } from '../domain/info-hash.ts';
import { DataPurposeError } from '../domain/data-purpose.ts';

export interface LabInit {
  durationS: number;
  downloaders: number;
  concurrency: number;
  decoys: number;
  /** Distinct 127.x.y.z source addresses. */
  sources: number;
}

export interface LabReport {
  peer: string;
  tracker: string | undefined;
  decoys: number;
  swarm: SwarmSummary;
  deliveriesRecorded: number;
  announcesRecorded: number;
  uniqueIps: number;
  /** Failure reasons of simulated downloads, with counts. */
  failures: Record<string, number>;
}

/**
 * Lab mode: everything on loopback. A built-in tracker and the seeder serve the default
 * warning payload under neutral sample names; simulated downloaders (an independent
 * implementation: the npm bittorrent-protocol package) find the seeder through the tracker
 * from many 127.x.y.z addresses and download, so the evidence store fills up.
 */
export async function runLab(ctx: Context, init: LabInit, opts: { signal: AbortSignal; log: (m: string) => void }): Promise<LabReport> {
  // Lab data never mixes with real evidence (issue 15 item 2): only a directory opened for the lab.
  if (ctx.purpose !== 'lab') throw new DataPurposeError(`${ctx.settings.dataDir} holds ${ctx.purpose} data: the lab runs only in a lab data directory`);
  const { store } = ctx;
  let active = await store.listDecoys({ status: 'active' });
  if (active.length < init.decoys) {
    const existing = new Set((await store.listDecoys()).map((d) => d.name));
    const names = sampleNames(init.decoys + existing.size).filter((n) => !existing.has(n)).slice(0, init.decoys - active.length);
    // The decoy factory, as in production: a variant per extension, unique padded bytes per decoy.
    const textPath = transcriptBeside(defaultPayloadPath());
    const p = ctx.presentation;
    const resolve = fileResolver(ctx.variants, { ...(textPath ? { textPath } : {}), ...(p.padding === 'seed' ? { padding: seededPadding(p.choiceKey) } : {}) });
    const built = buildVirtualDecoys(names.map((name, i) => ({ line: i + 1, name, files: [{ size: null, ...resolve(name, DEFAULT_PAYLOAD_ID) }] })),
      { hasher: ctx.hasher, sizeTaken: ctx.decoyFiles.sizeTaken(), pieceSize: p.torrent.pieceSize });
    ctx.decoyFiles.insert(built, Date.now());
    active = await store.listDecoys({ status: 'active' });
    opts.log(`lab: built ${built.length} unique sample decoys from the default warning payload`);
  }
  const since = Date.now();
  const node = await startSeedNode(ctx, { log: opts.log });
  // Stopped however the run ends: an abort while waiting for the first announces, or a failing
  // swarm, must not leave the seeder and the tracker listening (issue 16, start and stop).
  try {
    return await driveLab(ctx, node, active, since, init, opts);
  } finally {
    await node.stop();
  }
}

/** Simulated downloaders against a started node, then the counts the store recorded since `since`. */
async function driveLab(ctx: Context, node: SeedNode, active: readonly Decoy[], since: number, init: LabInit, opts: { signal: AbortSignal; log: (m: string) => void }): Promise<LabReport> {
  const { store } = ctx;
  const tracker = node.info.trackerHttp;
  const totals: SwarmSummary = { attempted: 0, ok: 0, failed: 0, bytes: 0 };
  const failures: Record<string, number> = {};
  // A failing swarm (or an abort) must never leave the node serving: stop() runs on every way out.
  try {
    opts.log(`lab: seeder on ${node.info.peerHost}:${node.info.peerPort}, tracker ${tracker ?? '(none)'}, ${node.info.decoys} decoys`);

    const deadline = AbortSignal.any([opts.signal, AbortSignal.timeout(init.durationS * 1000)]);
    await node.announced({ signal: deadline });
    // The announces may all be done before an abort is looked at: a stopped lab ends here, whatever the timing.
    opts.signal.throwIfAborted();
    const sources = Array.from({ length: init.sources }, (_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`);
    // Each simulated downloader finds the seeder the way a real client would: announce, then connect to a returned peer.
    const viaTracker = async (d: SimDownloadInit): Promise<SimDownloadResult> => {
      if (!tracker) return simulateDownload(d);
      const peerId = new Uint8Array(Buffer.concat([Buffer.from('-LB0001-'), randomBytes(12)]));
      const base = { infoHash: d.infoHash, peerId, port: 6881, uploaded: 0, downloaded: 0, compact: true, numWant: 50 };
      const local = d.localAddress ? { localAddress: d.localAddress } : {};
      let res;
      try {
        res = await httpAnnounce(tracker, { ...base, left: 1, event: 'started' }, { timeoutMs: 5000, signal: deadline, ...local });
      } catch (e) {
        return { ok: false, error: `announce failed: ${(e as Error).message}`, localPort: 0, metadataFetched: false, piecesVerified: 0, bytes: 0, durationMs: 0 };
      }
      const seedPeer = res.peers.find((p) => p.port === node.info.peerPort);
      if (!seedPeer) return { ok: false, error: 'tracker did not return the seeder', localPort: 0, metadataFetched: false, piecesVerified: 0, bytes: 0, durationMs: 0 };
      const r = await simulateDownload({ ...d, host: seedPeer.ip, port: seedPeer.port });
      await httpAnnounce(tracker, { ...base, downloaded: r.bytes, left: r.ok ? 0 : 1, event: r.ok ? 'completed' : 'stopped' }, { timeoutMs: 5000, ...local }).catch(() => undefined);
      return r;
    };

    const onResult = (r: SimDownloadResult) => { if (!r.ok) failures[r.error ?? '?'] = (failures[r.error ?? '?'] ?? 0) + 1; };
    // Rounds until the duration ends; bounded by time and by the downloader count.
    for (let round = 1; !deadline.aborted && totals.attempted < init.downloaders; round++) {
      const s = await runSimulatedSwarm({
        targets: active.map((d) => ({ infoHash: infoHashFromHex(d.infoHash), info: d.info })),
        host: node.info.peerHost, port: node.info.peerPort, downloaders: Math.min(init.concurrency * 4, init.downloaders - totals.attempted),
        concurrency: init.concurrency, sourceAddresses: sources, magnetShare: 0.3, partialShare: 0.2, timeoutMs: 20_000,
        signal: deadline, seed: round, peerIdPrefixes: ['-LB0001-', '-WW0105-', '-qB4520-'], onResult,
      }, viaTracker);
      for (const k of ['attempted', 'ok', 'failed', 'bytes'] as const) totals[k] += s[k];
      opts.log(`lab: round ${round}: ${s.ok}/${s.attempted} downloads ok, ${(s.bytes / 1e6).toFixed(1)} MB`);
    }
  } finally {
    await node.stop();
  }
  const deliveries = await store.queryDeliveries({ since });
  const announces = (await store.queryAnnounces()).filter((a) => a.at >= since);
  return {
    peer: `${node.info.peerHost}:${node.info.peerPort}`, tracker, decoys: node.info.decoys, swarm: totals,
    deliveriesRecorded: deliveries.length, announcesRecorded: announces.length, uniqueIps: new Set(deliveries.map((d) => d.remoteIp)).size, failures,
  };
}
