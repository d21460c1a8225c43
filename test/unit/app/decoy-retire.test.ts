import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { retireDecoys } from '../../../src/app/decoy-retire.ts';
import { buildDecoys, readNameList } from '../../../src/app/decoys.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { InputError, NotFoundError } from '../../../src/domain/errors.ts';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import { openContext } from '../../../src/node/context.ts';
import { startSeedNode } from '../../../src/node/seed-node.ts';
import { RawPeer } from '../../helpers/raw-peer.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'cs-retire-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Whether the node answers a BitTorrent handshake for this infohash (served) or hangs up (not served). */
async function served(port: number, infoHashHex: string): Promise<boolean> {
  const peer = await RawPeer.connect(port);
  try {
    await peer.sendHandshake(infoHashFromHex(infoHashHex), new Uint8Array(Buffer.from('-LT2080-abcdefghijkl', 'latin1')));
    await peer.waitUntil(() => peer.handshake !== undefined || peer.closed, 5000, 'handshake or close');
    return peer.handshake !== undefined;
  } finally { peer.close(); }
}

function dataDirWith(names: string[]): string {
  const data = mkdtempSync(join(root, 'data-'));
  writeFileSync(join(data, 'names.txt'), names.map((n) => `${n}\n`).join(''));
  return data;
}

describe('decoys retire (issue 15 item 2: no command retired a decoy)', () => {
  it('a running seed stops serving a retired decoy at its next sync; the retirement is recorded; the others stay served', async () => {
    const data = dataDirWith(['holiday-video-0042.mp4', 'holiday-video-0043.mp4', 'holiday-video-0044.mp4']);
    const settings = loadSettings({ flags: { dataDir: data, port: '0', trackerServerPort: '0', announceIntervalS: '5', campaignTickS: '86400' }, env: {} });
    const ctx = openContext(settings, () => {});
    try {
      await buildDecoys(ctx, { rows: readNameList(join(data, 'names.txt')) });
      const [a, b, c] = await ctx.store.listDecoys();
      const node = await startSeedNode(ctx, { log: () => {} });
      try {
        for (const d of [a!, b!, c!]) assert.equal(await served(node.info.peerPort, d.infoHash), true, `${d.name} served before`);
        // By name, by infohash (upper case too): all in one go.
        const r = await retireDecoys(ctx, { refs: [a!.name, b!.infoHash.toUpperCase()], reason: 'lab samples', now: () => 1_800_000_000_000 });
        assert.deepEqual(r.retired.map((d) => d.id), [a!.id, b!.id]);
        await node.syncCampaigns();
        assert.equal(await served(node.info.peerPort, a!.infoHash), false, 'retired by name: no longer served');
        assert.equal(await served(node.info.peerPort, b!.infoHash), false, 'retired by infohash: no longer served');
        assert.equal(await served(node.info.peerPort, c!.infoHash), true, 'the other decoy is still served');
      } finally { await node.stop(); }
      assert.deepEqual(await ctx.store.decoyRetirements(), [
        { decoyId: a!.id, retiredAt: 1_800_000_000_000, reason: 'lab samples' }, { decoyId: b!.id, retiredAt: 1_800_000_000_000, reason: 'lab samples' },
      ]);
      // A restarted node does not serve them either.
      assert.deepEqual((await ctx.store.listDecoys({ status: 'active' })).map((d) => d.id), [c!.id]);
      // Again: nothing changes, and it says so.
      const again = await retireDecoys(ctx, { refs: [String(a!.id)] });
      assert.deepEqual([again.retired.length, again.alreadyRetired.map((d) => d.id)], [0, [a!.id]]);
    } finally { await ctx.close(); }
  });

  it('all or nothing: an unknown reference (exit 3) or a name two decoys share (exit 2) retires nothing', async () => {
    const data = dataDirWith(['holiday-video-0042.mp4', 'holiday-video-0043.mp4']);
    const ctx = openContext(loadSettings({ flags: { dataDir: data }, env: {} }), () => {});
    try {
      await buildDecoys(ctx, { rows: readNameList(join(data, 'names.txt')) });
      // The same name built a second time (a new decoy, another infohash).
      writeFileSync(join(data, 'again.txt'), 'holiday-video-0043.mp4\n');
      await buildDecoys(ctx, { rows: readNameList(join(data, 'again.txt')) });
      await assert.rejects(retireDecoys(ctx, { refs: ['holiday-video-0042.mp4', 'holiday-video-9999.mp4'] }), (e) => e instanceof NotFoundError && /holiday-video-9999\.mp4; nothing was retired/.test(e.message));
      await assert.rejects(retireDecoys(ctx, { refs: ['1', 'holiday-video-0043.mp4'] }), (e) => e instanceof InputError && /several decoys have the name "holiday-video-0043\.mp4" \(ids 2, 3\)/.test(e.message));
      await assert.rejects(retireDecoys(ctx, { refs: [] }), InputError);
      assert.equal((await ctx.store.listDecoys({ status: 'active' })).length, 3, 'nothing was retired');
    } finally { await ctx.close(); }
  });

  it('through the CLI: ids and a --list file, one line per decoy, exit 0; an unknown one exits 3', () => {
    const data = dataDirWith(['holiday-video-0042.mp4', 'holiday-video-0043.mp4', 'holiday-video-0044.mp4']);
    const cli = (...a: string[]) => spawnSync(process.execPath, [MAIN, '--data', data, ...a], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(cli('decoys', 'build', '--names', join(data, 'names.txt')).status, 0);
    writeFileSync(join(data, 'retire.txt'), '# lab samples\nholiday-video-0043.mp4\n\n');
    const r = cli('decoys', 'retire', '1', '--list', join(data, 'retire.txt'), '--reason', 'test');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^retired +1 +[0-9a-f]{40} +holiday-video-0042\.mp4\nretired +2 +[0-9a-f]{40} +holiday-video-0043\.mp4\n2 decoys retired\n$/);
    assert.deepEqual(JSON.parse(cli('decoys', 'list', '--status', 'active', '--json').stdout).map((d: { name: string }) => d.name), ['holiday-video-0044.mp4']);
    const missing = cli('decoys', 'retire', '99');
    assert.equal(missing.status, 3, missing.stderr);
    assert.match(missing.stderr, /no decoy 99; nothing was retired/);
  });
});
