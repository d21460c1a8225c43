/**
 * Issue 3 (h), default suite: real clients download a multi-file decoy (a campaign
 * folder of files of different kinds, each its own padded variant) from counterseed's
 * seeder, and what they save equals `counterseed decoys write` and the decoy's content
 * SHA-256. The >1 GB case is test/interop/factory-large.test.ts (npm run test:interop:large).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { downloadWithAria2 } from '../helpers/clients/aria2.ts';
import { downloadWithLibtorrent } from '../helpers/clients/libtorrent.ts';
import { downloadWithTransmission } from '../helpers/clients/transmission.ts';
import type { DownloadOutcome, DownloadSpec } from '../helpers/clients/types.ts';
import { addressFor, assertIsolated } from '../helpers/netns.ts';
import { assertDownloadMatches, startFactorySeed, type FactorySeed } from './factory-harness.ts';

const FOLDER = 'holiday-folder-0042';
// Sizes mimic "genuine" ones where given; the others are payload-sized and unique.
const CSV = [
  'name,size,language,folder',
  `holiday-video-0042.mp4,6000000,,${FOLDER}`,
  `holiday-video-0043.mkv,,,${FOLDER}`,
  `holiday-photo-0044.jpg,300000,,${FOLDER}`,
  `holiday-notes-0045.pdf,,,${FOLDER}`,
  `holiday-archive-0046.zip,,,${FOLDER}`,
  `readme-0047.txt,,,${FOLDER}`,
].join('\n');

let seed: FactorySeed;

before(async () => {
  assertIsolated();
  seed = await startFactorySeed(CSV);
});
after(async () => { await seed?.close(); });

const CLIENTS: [string, (s: DownloadSpec) => Promise<DownloadOutcome>, string][] = [
  ['libtorrent', downloadWithLibtorrent, addressFor('libtorrent')],
  ['aria2', downloadWithAria2, addressFor('aria2')],
  ['transmission', downloadWithTransmission, addressFor('transmission')],
];

for (const [name, download, ip] of CLIENTS) {
  test(`${name} downloads a multi-file decoy; files equal decoys write and the content SHA-256`, async () => {
    const d = seed.decoys.find((x) => x.name === FOLDER);
    assert.ok(d, 'the folder was released as one torrent');
    const { path, parsed } = seed.torrentFor(d);
    assert.equal(parsed.multiFile, true);
    assert.deepEqual(parsed.files.map((f) => f.path.join('/')), CSV.split('\n').slice(1).map((l) => l.split(',')[0]));
    assert.equal(parsed.files[0]!.length, 6_000_000, 'mimicked size kept exactly');
    const outDir = mkdtempSync(join(tmpdir(), `cs-factory-${name}-`));
    try {
      await download({ torrentFile: path, outDir, bindIp: ip, timeoutMs: 180_000 });
      await assertDownloadMatches(seed, d, parsed, outDir, name);
    } finally { rmSync(outDir, { recursive: true, force: true }); }
  });
}
