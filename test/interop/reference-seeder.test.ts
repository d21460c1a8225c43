/**
 * The harness itself, without counterseed: every client driver downloads from
 * the libtorrent reference seeder (test/helpers/lt_seed.py) through a minimal
 * reference tracker, from the .torrent and from the magnet alone, and the
 * capture sees the client's connection carrying the content. When a counterseed
 * interop test fails and this passes, look at counterseed first.
 * Run inside the namespace: scripts/netns-run.sh node --test --test-concurrency=1 test/interop/
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCapture } from '../helpers/capture.ts';
import { DRIVERS } from '../helpers/clients/interop-scenario.ts';
import { startReferenceSwarm } from '../helpers/clients/reference-swarm.ts';
import type { ClientName } from '../helpers/clients/types.ts';
import { addressFor, assertIsolated } from '../helpers/netns.ts';

const TIMEOUT_MS = 240_000;
/** Several 64 KiB pieces, not a multiple of the piece or block size. */
const SIZE = 1_000_003;

for (const client of ['libtorrent', 'aria2', 'transmission'] as const satisfies readonly ClientName[]) {
  for (const mode of ['torrent', 'magnet'] as const) {
    test(`reference: ${client} downloads from lt_seed.py (${mode})`, { timeout: TIMEOUT_MS + 60_000 }, async () => {
      assertIsolated();
      const dir = mkdtempSync(join(tmpdir(), `cs-reference-${client}-${mode}-`));
      const clientIp = addressFor(client);
      const swarm = await startReferenceSwarm({ dir, ip: addressFor('reference-seeder'), name: 'holiday-video-0042.mp4', size: SIZE, trackerPort: 6970 });
      try {
        const capture = await startCapture({ port: swarm.seederPort, host: swarm.seederIp, dir });
        let connections;
        let outcome;
        try {
          outcome = await DRIVERS[client]({
            ...(mode === 'torrent' ? { torrentFile: swarm.torrentFile } : { magnet: swarm.magnet }),
            // TCP only: this checks the harness against its TCP capture (and Transmission 3.00 with uTP on
            // cannot fetch from a TCP-only seeder, INTEROP-NOTES).
            outDir: join(dir, 'download'), bindIp: clientIp, timeoutMs: TIMEOUT_MS, tcpOnly: true,
          }).catch((e: Error) => { throw new Error(`${e.message}\n=== reference swarm ===\n${swarm.describe()}`, { cause: e }); });
        } finally {
          connections = await capture.stop();
        }
        assert.equal(outcome.client, client);
        assert.equal(outcome.sha256, swarm.contentSha256, `${client}: content SHA-256`);
        assert.equal(outcome.bytes, SIZE);
        const fromClient = connections.filter((c) => c.srcIp === clientIp);
        assert.ok(fromClient.length >= 1, `${client}: the capture saw the client connect from its own address: ${JSON.stringify(connections)}`);
        assert.equal(connections.length, fromClient.length, 'only the client connected to the seeder');
        const heavy = fromClient.filter((c) => c.bytesFromServer >= SIZE);
        assert.equal(heavy.length, 1, `${client}: exactly one connection carried the content: ${JSON.stringify(fromClient)}`);
      } finally {
        await swarm.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

// Issue 10's reference for time to the first piece: libtorrent at its defaults (uTP first) against a
// libtorrent seeder that speaks uTP; test/interop/libtorrent.test.ts prints the same figure against counterseed.
test('reference: libtorrent downloads from lt_seed.py over uTP (time to first piece)', { timeout: TIMEOUT_MS + 60_000 }, async () => {
  assertIsolated();
  const dir = mkdtempSync(join(tmpdir(), 'cs-reference-utp-'));
  const swarm = await startReferenceSwarm({ dir, ip: addressFor('reference-seeder'), name: 'holiday-video-0042.mp4', size: SIZE, trackerPort: 6970, utp: true });
  try {
    const outcome = await DRIVERS.libtorrent({ torrentFile: swarm.torrentFile, outDir: join(dir, 'download'), bindIp: addressFor('libtorrent'), timeoutMs: TIMEOUT_MS });
    assert.equal(outcome.sha256, swarm.contentSha256);
    assert.equal(outcome.transport, 'utp', `libtorrent reports uTP\n${outcome.log}`);
    console.log(`# reference libtorrent seeder: transport ${outcome.transport}, first piece after ${outcome.firstPieceMs} ms`);
  } finally {
    await swarm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
