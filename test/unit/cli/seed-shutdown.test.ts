import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { httpAnnounce } from '../../../src/bittorrent/tracker/client/http-client.ts';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import type { DeliveryObservation } from '../../../src/domain/observation.ts';
import { RawPeer } from '../../helpers/raw-peer.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

it('seed: serves, records tracker announces, and on SIGTERM writes the open session before exiting 0', async () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-seed-'));
  writeFileSync(join(data, 'names.txt'), 'holiday-video-0042.mp4\n');
  assert.equal(cli('--data', data, 'decoys', 'build', '--names', join(data, 'names.txt')).status, 0);
  const [decoy] = JSON.parse(cli('--data', data, 'decoys', 'list', '--json').stdout) as { id: number; infoHash: string; size: number; pieceLength: number; contentSha256: string }[];

  const child = spawn(process.execPath, [MAIN, '--data', data, 'seed', '--port', '0', '--tracker-server', '0', '--announce-interval', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('seed did not become ready')), 15_000);
      createInterface({ input: child.stdout! }).on('line', (l) => { if (l.startsWith('ready ')) { clearTimeout(t); resolve(l); } });
    });
    const ready = JSON.parse(line.slice(6)) as { peerPort: number; trackerHttp: string };

    // The seeder announced itself to its own tracker: a client announce gets it back.
    const infoHash = infoHashFromHex(decoy!.infoHash);
    let peers: readonly { ip: string; port: number }[] = [];
    for (let i = 0; i < 50 && !peers.some((p) => p.port === ready.peerPort); i++) {
      peers = (await httpAnnounce(ready.trackerHttp, { infoHash, peerId: new Uint8Array(20).fill(7), port: 50000, uploaded: 0, downloaded: 0, left: decoy!.size, event: 'started', compact: true })).peers;
      if (!peers.some((p) => p.port === ready.peerPort)) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(peers.some((p) => p.port === ready.peerPort), 'tracker returns the seeder');

    const peer = await RawPeer.connect(ready.peerPort);
    await peer.sendHandshake(infoHash, new Uint8Array(Buffer.from('-LT2080-abcdefghijkl', 'latin1')));
    await peer.waitFor('have-all');
    peer.send({ type: 'interested' });
    await peer.waitFor('unchoke');
    for (let off = 0; off < decoy!.size; off += 16384) {
      const index = Math.floor(off / decoy!.pieceLength);
      peer.send({ type: 'request', index, begin: off - index * decoy!.pieceLength, length: Math.min(16384, decoy!.size - off) });
    }
    await peer.waitUntil(() => peer.received.filter((m) => m.type === 'piece').length === Math.ceil(decoy!.size / 16384), 10_000, 'pieces');
    const content = new Uint8Array(decoy!.size);
    for (const m of peer.received) if (m.type === 'piece') content.set(m.block, m.index * decoy!.pieceLength + m.begin);
    assert.equal(createHash('sha256').update(content).digest('hex'), decoy!.contentSha256);

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const rows = JSON.parse(cli('--data', data, 'deliveries', '--json').stdout) as DeliveryObservation[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.disconnectReason, 'shutdown');
    assert.equal(rows[0]!.remotePort, peer.localPort);
    assert.equal(rows[0]!.bytesServed, decoy!.size);
    assert.equal(rows[0]!.client, 'libtorrent (Rasterbar) 2.0.8');
    const ann = JSON.parse(cli('--data', data, 'announces', '--json').stdout) as { event: string; left: number; announcedPort: number; decoyId: number | null }[];
    const ours = ann.find((a) => a.announcedPort === 50000);
    assert.ok(ours, 'the test client announce is recorded');
    assert.equal(ours.event, 'started');
    assert.equal(ours.left, decoy!.size);
    assert.equal(ours.decoyId, decoy!.id);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
