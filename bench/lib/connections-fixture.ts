/**
 * The decoys of bench/connections.bench.ts: K decoys of the default warning
 * video, each with its own placeholder name (hence its own infohash), inserted
 * into a fresh counterseed store the way bench/many-decoys.bench.ts does it
 * (building them through the CLI would take K CLI runs). libtorrent gets the
 * very same bencoded info dicts and the payload bytes, so both seeders serve
 * identical torrents.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from '../../src/bencode/index.ts';
import { loadSettings } from '../../src/config/load.ts';
import type { NewDecoy } from '../../src/domain/decoy.ts';
import { openContext } from '../../src/node/context.ts';
import { DEFAULT_PAYLOAD_ID } from '../../src/payload/default-payload.ts';

/** 256 KiB pieces, as counterseed picks for a payload of a few MB. */
const PIECE_LENGTH = 1 << 18;
export const MAX_FIXTURE_DECOYS = 100_000;

export interface ConnectionsFixture {
  readonly dataDir: string;
  /** "<length>\n<info dict>" records, read by connections_lt.py. */
  readonly infosPath: string;
  readonly payloadPath: string;
  /** Where libtorrent finds each torrent's file (a symlink to payloadPath). */
  readonly saveDir: string;
  readonly infoHashes: readonly string[];
}

export async function buildConnectionsFixture(root: string, decoys: number): Promise<ConnectionsFixture> {
  if (!(Number.isInteger(decoys) && decoys >= 1 && decoys <= MAX_FIXTURE_DECOYS)) throw new RangeError(`decoys must be 1..${MAX_FIXTURE_DECOYS}`);
  const dataDir = join(root, 'counterseed-data');
  const saveDir = join(root, 'lt-save');
  mkdirSync(saveDir, { recursive: true });
  const ctx = openContext(loadSettings({ env: {}, flags: { dataDir } }), () => {});
  try {
    const payload = ctx.payloads.bytes(DEFAULT_PAYLOAD_ID);
    const pieces = Buffer.concat(Array.from({ length: Math.ceil(payload.length / PIECE_LENGTH) }, (_, i) =>
      createHash('sha1').update(payload.subarray(i * PIECE_LENGTH, (i + 1) * PIECE_LENGTH)).digest()));
    const contentSha256 = createHash('sha256').update(payload).digest('hex');
    const rows: NewDecoy[] = [];
    const infos: Buffer[] = [];
    for (let i = 0; i < decoys; i++) {
      const name = `holiday-video-${String(i + 1).padStart(6, '0')}.mp4`;
      const info = encode({ length: payload.length, name, 'piece length': PIECE_LENGTH, pieces });
      rows.push({ infoHash: createHash('sha1').update(info).digest('hex'), name, payloadId: DEFAULT_PAYLOAD_ID, size: payload.length,
        pieceLength: PIECE_LENGTH, pieceCount: pieces.length / 20, info, contentSha256 });
      infos.push(Buffer.from(`${info.length}\n`), Buffer.from(info));
    }
    await ctx.store.insertDecoys(rows, Date.now());
    const infosPath = join(root, 'infos.bin');
    const payloadPath = join(root, 'payload.bin');
    writeFileSync(infosPath, Buffer.concat(infos));
    writeFileSync(payloadPath, payload);
    return { dataDir, infosPath, payloadPath, saveDir, infoHashes: rows.map((r) => r.infoHash) };
  } finally {
    await ctx.close();
  }
}
