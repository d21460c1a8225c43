/**
 * One real-client download from counterseed, end to end through the CLI, and
 * the evidence checks every interop test makes. Inside scripts/netns-run.sh only.
 *
 *   fresh data dir -> decoys build -> seed (own tracker) -> decoys export
 *   -> capture on lo -> client download from its own address
 *   -> stop capture -> seed SIGTERM (flush) -> deliveries --json
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryObservation } from '../../../src/domain/observation.ts';
import { startCapture, type TcpConnection } from '../capture.ts';
import { CounterseedCli, type DecoyRow, type SeedProcess } from '../counterseed-cli.ts';
import { address6For, addressFor, assertIsolated } from '../netns.ts';
import { downloadWithAria2 } from './aria2.ts';
import { downloadWithLibtorrent } from './libtorrent.ts';
import { downloadWithTransmission } from './transmission.ts';
import type { ClientName, DownloadOutcome, DownloadSpec } from './types.ts';

export const DRIVERS: Record<ClientName, (spec: DownloadSpec) => Promise<DownloadOutcome>> = {
  transmission: downloadWithTransmission,
  aria2: downloadWithAria2,
  libtorrent: downloadWithLibtorrent,
};

/**
 * The transport each client uses at its default settings against a seeder that speaks both
 * (issue 10 item 4): libtorrent and Transmission try uTP first; aria2 speaks TCP only.
 */
export const DEFAULT_TRANSPORT: Record<ClientName, 'tcp' | 'utp'> = { transmission: 'utp', aria2: 'tcp', libtorrent: 'utp' };

/** The client name counterseed derives from each peer id (BEP 20). */
export const CLIENT_PATTERN: Record<ClientName, RegExp> = {
  transmission: /Transmission/,
  aria2: /aria2/,
  libtorrent: /libtorrent/,
};

const SEEDER_PORT = 6881;
const TRACKER_PORT = 6969;
/** A neutral placeholder name: never a real file's name. */
const DECOY_NAME = 'holiday-video-0042.mp4';

export type Mode = 'torrent' | 'magnet';

export interface ScenarioOptions {
  readonly client: ClientName;
  /** torrent: the exported .torrent via the built-in tracker; magnet: the exported magnet alone (tr= our tracker, BEP 9 metadata). */
  readonly mode: Mode;
  readonly requireEncryption?: boolean;
  /**
   * Over IPv6 (issue 10 item 2): the node binds 2001:db8::2 only (peer port, built-in tracker, its
   * announces), the client its 2001:db8:: address, the .torrent/magnet name the tracker's IPv6 URL,
   * and the deliveries are asked for with an odd spelling of the client's address. (A dual-stack
   * node lists both its addresses, and a dual-stack client such as Transmission then fetches over
   * both: two sessions, each recorded under its own address, which the one-session checks below
   * would count as a short delivery.)
   */
  readonly ipv6?: boolean;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface ScenarioResult {
  readonly decoy: DecoyRow;
  readonly clientIp: string;
  readonly seederIp: string;
  readonly seederPort: number;
  readonly outcome: DownloadOutcome;
  /** Every connection to the seeder port seen on the wire, from any address. */
  readonly connections: readonly TcpConnection[];
  /** `deliveries --json --ip <client ip>` after the seeder flushed. */
  readonly deliveries: readonly DeliveryObservation[];
  /** For failure messages: seeder output. */
  readonly seederLog: string;
}

export async function runCounterseedScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  assertIsolated();
  const dir = mkdtempSync(join(tmpdir(), `cs-interop-${o.client}-${o.mode}-`));
  const cli = new CounterseedCli(join(dir, 'data'));
  const clientIp = o.ipv6 ? address6For(o.client) : addressFor(o.client);
  const seederIp = o.ipv6 ? address6For('seeder') : addressFor('seeder');
  const sig = o.signal ? { signal: o.signal } : {};
  let seed: SeedProcess | null = null;
  try {
    writeFileSync(join(dir, 'names.txt'), `${DECOY_NAME}\n`);
    await cli.buildDecoys(join(dir, 'names.txt'));
    const decoys = await cli.listDecoys();
    assert.equal(decoys.length, 1, 'one name builds one decoy');
    const decoy = decoys[0]!;

    seed = await cli.startSeed({ bind: seederIp, port: SEEDER_PORT, trackerServerPort: TRACKER_PORT, announceIntervalS: 5, ...sig });
    const tracker = seed.ready.trackerHttp;
    assert.ok(tracker, `seed reports its built-in tracker: ${JSON.stringify(seed.ready)}`);
    const exported = await cli.exportDecoys(join(dir, 'export'), [tracker]);
    const torrentFile = exported.torrents.get(decoy.infoHash);
    const magnet = exported.magnets.find((m) => m.toLowerCase().includes(decoy.infoHash));
    assert.ok(torrentFile && magnet, `export wrote a .torrent and a magnet for ${decoy.infoHash}`);

    const capture = await startCapture({ port: seed.ready.peerPort, host: seederIp, dir, ...sig });
    const outDir = join(dir, 'download');
    mkdirSync(outDir);
    let outcome: DownloadOutcome;
    let connections: TcpConnection[];
    try {
      outcome = await DRIVERS[o.client]({
        ...(o.mode === 'torrent' ? { torrentFile } : { magnet }),
        outDir, bindIp: clientIp, requireEncryption: o.requireEncryption === true, timeoutMs: o.timeoutMs, ...sig,
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}\n=== seeder ===\n${seed.describe()}`, { cause: e });
    } finally {
      connections = await capture.stop(sig);
    }

    const exit = await seed.stop();
    const seederLog = seed.describe();
    seed = null;
    assert.equal(exit.code, 0, `seed exits 0 on SIGTERM after flushing\n${seederLog}`);
    // IPv6: "2001:DB8:0:0:0:0:0:11" must find the records of 2001:db8::11 (one normaliser, any spelling).
    const deliveries = await cli.deliveries({ ip: o.ipv6 ? clientIp.toUpperCase().replace('::', ':0:0:0:0:0:') : clientIp });
    return { decoy, clientIp, seederIp, seederPort: SEEDER_PORT, outcome, connections, deliveries, seederLog };
  } finally {
    if (seed) await seed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The evidence checks: the client got the decoy's exact bytes, and the store
 * holds exactly one data session for it, with the source address and port
 * seen on the wire, the client's name and every byte served.
 */
export function assertFullDelivery(r: ScenarioResult, o: ScenarioOptions): DeliveryObservation {
  const ctx = `${o.client}/${o.mode}`;
  const dump = (): string => `deliveries: ${JSON.stringify(r.deliveries, null, 1)}\nconnections: ${JSON.stringify(r.connections)}\n${r.seederLog}`;
  assert.equal(r.outcome.sha256, r.decoy.contentSha256, `${ctx}: downloaded file's SHA-256 equals the decoy's content SHA-256`);
  assert.equal(r.outcome.bytes, r.decoy.size, `${ctx}: downloaded file has the decoy's size`);

  for (const d of r.deliveries) assert.equal(d.remoteIp, r.clientIp, `${ctx}: --ip filter returns only the client's sessions`);
  const data = r.deliveries.filter((d) => !d.metadataOnly);
  assert.equal(data.length, 1, `${ctx}: exactly one data session for the client\n${dump()}`);
  const d = data[0]!;
  assert.equal(d.decoyId, r.decoy.id, `${ctx}: session recorded against the decoy`);
  assert.equal(d.infoHash, r.decoy.infoHash);
  assert.equal(d.localIp, r.seederIp);
  assert.equal(d.localPort, r.seederPort);
  assert.match(d.client ?? '', CLIENT_PATTERN[o.client], `${ctx}: client name parsed from the peer id\n${dump()}`);
  assert.equal(d.bytesServed, r.decoy.size, `${ctx}: every content byte served exactly once (empty client)\n${dump()}`);
  assert.equal(d.completed, true, `${ctx}: the client reported having every piece\n${dump()}`);
  if (o.requireEncryption) assert.equal(d.encryption, 'mse-rc4', `${ctx}: the client required RC4 (MSE)`);
  assert.equal(d.transport, DEFAULT_TRANSPORT[o.client], `${ctx}: the client's default transport, recorded\n${dump()}`);
  for (const s of r.deliveries) assert.equal(s.remoteIp, r.clientIp, `${ctx}: recorded with the client's address`);
  // Independent of counterseed: the capture saw this very connection. The capture decodes TCP only;
  // a uTP session's independent check is the client's own report (libtorrent's transport below).
  if (d.transport === 'tcp') {
    const fromClient = r.connections.filter((c) => c.srcIp === r.clientIp);
    const wire = fromClient.filter((c) => c.srcPort === d.remotePort);
    assert.equal(wire.length, 1, `${ctx}: the recorded source port ${d.remotePort} is one connection on the wire\n${dump()}`);
    assert.ok(wire[0]!.bytesFromServer >= d.bytesServed, `${ctx}: the wire carried at least the bytes served`);
    // Every other connection from the client carried no content (metadata or a refused attempt).
    const heavy = fromClient.filter((c) => c.bytesFromServer >= r.decoy.size);
    assert.equal(heavy.length, 1, `${ctx}: exactly one connection carried the content\n${dump()}`);
    // And every session counterseed recorded for the client is a connection on the wire.
    for (const s of r.deliveries) {
      assert.ok(fromClient.some((c) => c.srcPort === s.remotePort), `${ctx}: session from port ${s.remotePort} was seen on the wire\n${dump()}`);
    }
  }

  const metadataServed = r.deliveries.reduce((n, s) => n + s.metadataPiecesServed, 0);
  if (o.mode === 'magnet') {
    assert.ok(metadataServed > 0, `${ctx}: metadata came from our seeder (BEP 9)\n${dump()}`);
    for (const s of r.deliveries.filter((x) => x.metadataOnly)) {
      assert.equal(s.bytesServed, 0, `${ctx}: a metadata-only session served no content`);
    }
  } else {
    assert.equal(metadataServed, 0, `${ctx}: a client with the .torrent asks for no metadata`);
  }
  return d;
}
