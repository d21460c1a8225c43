/**
 * Issue 3 interop (h): a data directory with a campaign built through the CLI, served
 * by counterseed's seed node on the seeder address with its built-in tracker, and the
 * checks every client download must pass: the bytes each client saved equal
 * `counterseed decoys write` and the decoy's content SHA-256, file by file.
 * Inside scripts/netns-run.sh only (real clients).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../src/config/load.ts';
import { buildTorrentFile, parseTorrentFile, type ParsedTorrent } from '../../src/decoy/index.ts';
import { decoyPieceLayers } from '../../src/decoy/v2-hashes.ts';
import type { Decoy } from '../../src/domain/decoy.ts';
import { openContext, type Context } from '../../src/node/context.ts';
import { startSeedNode, type SeedNode } from '../../src/node/seed-node.ts';
import { addressFor } from '../helpers/netns.ts';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
/** Bounded: campaign create renders variants (ffmpeg) and hashes decoys of up to a few GB. */
const CLI_TIMEOUT_MS = 10 * 60_000;

export function cli(data: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [MAIN, '--data', data, ...args], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  assert.equal(r.status, 0, `counterseed ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export interface FactorySeed {
  readonly data: string;
  readonly ctx: Context;
  readonly node: SeedNode;
  readonly decoys: readonly Decoy[];
  /** Writes DATA/<id>.torrent announcing to the node's tracker; returns its path and parse. */
  torrentFor(d: Decoy): { path: string; parsed: ParsedTorrent };
  /** `counterseed decoys write ID --out FILE`, once per decoy; returns FILE. */
  written(d: Decoy): string;
  close(): Promise<void>;
}

/** Creates a campaign from `csv` (all rows released today) and starts a seed node that serves it. */
export async function startFactorySeed(csv: string, opts: { hybrid?: boolean } = {}): Promise<FactorySeed> {
  const data = mkdtempSync(join(tmpdir(), 'cs-factory-'));
  writeFileSync(join(data, 'names.csv'), csv);
  cli(data, 'campaign', 'create', 'interop', '--names', join(data, 'names.csv'), '--per-day', '1000', '--ttl', '30', ...(opts.hybrid ? ['--hybrid'] : []));
  const settings = loadSettings({ flags: { dataDir: data, bind: addressFor('seeder'), port: '6881', trackerServerPort: '6969', announceIntervalS: '5' }, env: {} });
  const ctx = openContext(settings, () => {});
  const node = await startSeedNode(ctx, { log: () => {} });
  await node.announced({ signal: AbortSignal.timeout(30_000) });
  const decoys = await ctx.store.listDecoys({ status: 'active' });
  const writes = new Map<number, string>();
  return {
    data, ctx, node, decoys,
    torrentFor(d) {
      const path = join(data, `${d.id}.torrent`);
      const pieceLayers = decoyPieceLayers(d, ctx.sourceFor(d));
      const bytes = buildTorrentFile({ info: d.info, announce: [node.info.trackerHttp!], createdBy: 'counterseed interop', ...(pieceLayers ? { pieceLayers } : {}) });
      writeFileSync(path, bytes);
      return { path, parsed: parseTorrentFile(bytes) };
    },
    written(d) {
      let out = writes.get(d.id);
      if (out === undefined) {
        out = join(data, `decoy-${d.id}.bin`);
        const line = cli(data, 'decoys', 'write', String(d.id), '--out', out).trim();
        assert.equal(line.split(/\s+/)[0], d.contentSha256, 'decoys write prints the recorded content SHA-256');
        writes.set(d.id, out);
      }
      return out;
    },
    async close() {
      await node.stop();
      await ctx.close();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * The client's saved files (BEP 3 layout under outDir; BEP 47 pad files skipped) must,
 * concatenated in order, be byte-identical to `decoys write` output and hash to the
 * decoy's content SHA-256. Compared in streamed 4 MiB chunks: decoys can be GBs.
 */
export async function assertDownloadMatches(seed: FactorySeed, d: Decoy, parsed: ParsedTorrent, outDir: string, client: string): Promise<void> {
  const multi = parsed.multiFile;
  const reference = seed.written(d);
  const ref = chunks(reference);
  const sha = createHash('sha256');
  let offset = 0;
  for (const f of parsed.files) {
    if (f.pad) {
      // BEP 47: clients need not save pad files; their bytes in the content are zeros.
      const zeros = new Uint8Array(f.length);
      for (let at = 0; at < f.length;) {
        const r = await ref.take(f.length - at);
        assert.ok(r.length > 0 && r.every((x) => x === 0), `${client}: pad file ${f.path.join('/')} is zeros in decoys write`);
        at += r.length;
      }
      sha.update(zeros);
      offset += f.length;
      continue;
    }
    const p = { file: multi ? join(outDir, parsed.name, ...f.path) : join(outDir, parsed.name), length: f.length };
    assert.equal(statSync(p.file).size, p.length, `${client}: ${p.file} has the torrent's length`);
    for await (const c of chunks(p.file)) {
      sha.update(c);
      for (let at = 0; at < c.length;) {
        const r = await ref.take(c.length - at);
        assert.ok(r.length > 0, `${client}: downloaded content is longer than decoys write output`);
        assert.ok(Buffer.compare(r, c.subarray(at, at + r.length)) === 0, `${client}: byte mismatch with decoys write near offset ${offset + at} (${p.file})`);
        at += r.length;
      }
      offset += c.length;
    }
  }
  assert.equal((await ref.take(1)).length, 0, `${client}: decoys write output is longer than the download`);
  assert.equal(offset, d.size, `${client}: downloaded ${offset} bytes, decoy has ${d.size}`);
  assert.equal(sha.digest('hex'), d.contentSha256, `${client}: content SHA-256 equals the record`);
}

const CHUNK = 4 * 1024 * 1024;

function chunks(path: string): AsyncIterable<Buffer> & { take(n: number): Promise<Buffer> } {
  const it = createReadStream(path, { highWaterMark: CHUNK })[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let buf: Buffer = Buffer.alloc(0);
  return {
    [Symbol.asyncIterator]: () => it,
    /** Up to n bytes from the stream (fewer only at its end). */
    async take(n: number): Promise<Buffer> {
      if (buf.length === 0) { const r = await it.next(); if (r.done) return Buffer.alloc(0); buf = r.value; }
      const out = buf.subarray(0, Math.min(n, buf.length));
      buf = buf.subarray(out.length);
      return out;
    },
  };
}
