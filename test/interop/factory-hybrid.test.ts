/**
 * Issue 3 §6 hybrid option: a campaign created with --hybrid releases BEP 52 v1+v2
 * torrents (BEP 47 pad files between the files of a folder). counterseed serves them on
 * the v1 infohash; libtorrent 2.0.8, which speaks v2, loads the .torrent as a hybrid
 * (with `piece layers`), downloads over the v1 wire protocol and checks both hash kinds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { downloadWithLibtorrent } from '../helpers/clients/libtorrent.ts';
import { addressFor, assertIsolated } from '../helpers/netns.ts';
import { assertDownloadMatches, startFactorySeed, type FactorySeed } from './factory-harness.ts';

const FOLDER = 'holiday-folder-0077';
const CSV = [
  'name,size,language,folder',
  `holiday-video-0077.mp4,5000000,,${FOLDER}`,
  `holiday-photo-0078.jpg,,,${FOLDER}`,
  `readme-0079.txt,,de,${FOLDER}`,
  'holiday-video-0080.mkv,3000000,,',
].join('\n');

let seed: FactorySeed;
before(async () => { assertIsolated(); seed = await startFactorySeed(CSV, { hybrid: true }); });
after(async () => { await seed?.close(); });

for (const name of [FOLDER, 'holiday-video-0080.mkv']) {
  test(`libtorrent downloads hybrid ${name}; bytes equal decoys write and the content SHA-256`, async () => {
    const d = seed.decoys.find((x) => x.name === name);
    assert.ok(d);
    const { path, parsed } = seed.torrentFor(d);
    assert.equal(parsed.hybrid, true);
    if (parsed.multiFile) assert.ok(parsed.files.some((f) => f.pad), 'pad files align the folder\'s files to pieces');
    const outDir = mkdtempSync(join(tmpdir(), 'cs-hybrid-lt-'));
    try {
      await downloadWithLibtorrent({ torrentFile: path, outDir, bindIp: addressFor('libtorrent'), timeoutMs: 120_000 });
      await assertDownloadMatches(seed, d, parsed, outDir, 'libtorrent');
    } finally { rmSync(outDir, { recursive: true, force: true }); }
  });
}
