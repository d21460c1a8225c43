/**
 * A swarm without counterseed: a reference tracker plus the libtorrent
 * reference seeder (test/helpers/lt_seed.py) seeding one mktorrent-made v1
 * torrent. It proves the client drivers work before blaming counterseed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asDict, decode, encode } from '../../../src/bencode/index.ts';
import { infoHashToHex } from '../../../src/domain/info-hash.ts';
import { ManagedProcess, requireBinary } from './proc.ts';
import { startReferenceTracker } from './reference-tracker.ts';

const PYTHON = '/usr/bin/python3';
const MKTORRENT = '/usr/bin/mktorrent';
const LT_SEED = join(dirname(fileURLToPath(import.meta.url)), '..', 'lt_seed.py');

export interface ReferenceSwarm {
  readonly torrentFile: string;
  readonly magnet: string;
  readonly infoHash: string;
  readonly contentSha256: string;
  readonly size: number;
  readonly seederIp: string;
  readonly seederPort: number;
  /** Seeder output and tracker log, for failure messages. */
  describe(): string;
  stop(): Promise<void>;
}

export interface ReferenceSwarmOptions {
  readonly dir: string;
  readonly ip: string;
  /** Neutral placeholder names only. */
  readonly name: string;
  readonly size: number;
  readonly trackerPort: number;
  /** The reference seeder speaks uTP too (libtorrent's default); absent: TCP only, as the capture decodes. */
  readonly utp?: boolean;
  readonly signal?: AbortSignal;
}

export async function startReferenceSwarm(o: ReferenceSwarmOptions): Promise<ReferenceSwarm> {
  requireBinary(PYTHON, 'python3-libtorrent');
  requireBinary(MKTORRENT, 'mktorrent');
  const dataDir = join(o.dir, 'seed-data');
  mkdirSync(dataDir, { recursive: true });
  const content = deterministicBytes(o.size);
  writeFileSync(join(dataDir, o.name), content);
  const contentSha256 = createHash('sha256').update(content).digest('hex');

  const tracker = await startReferenceTracker({ host: o.ip, port: o.trackerPort });
  const torrentFile = join(o.dir, `${o.name}.torrent`);
  // 2^16-byte pieces: several pieces even for small test files.
  const mk = spawnSync(MKTORRENT, ['-d', '-l', '16', '-a', tracker.announceUrl, '-o', torrentFile, join(dataDir, o.name)], { encoding: 'utf8', timeout: 60_000 });
  if (mk.status !== 0) { await tracker.close(); throw new Error(`mktorrent failed (${mk.status ?? mk.signal}): ${mk.stderr}`); }
  const meta = asDict(decode(readFileSync(torrentFile), { maxDepth: 8, maxItems: 1_000, maxStringLength: 16 << 20 }));
  // mktorrent writes canonical bencode, so re-encoding gives the original info bytes.
  const infoHash = infoHashToHex(createHash('sha1').update(encode(asDict(meta.get('info')))).digest());
  const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=${encodeURIComponent(o.name)}&tr=${encodeURIComponent(tracker.announceUrl)}`;

  const seeder = new ManagedProcess(PYTHON, [LT_SEED, '--bind', o.ip, '--port', '0', '--data', dataDir, ...(o.utp === true ? ['--utp'] : []), torrentFile]);
  let seederPort: number;
  try {
    const m = await seeder.waitForLine(/^ready (\{.*\})$/, { timeoutMs: 30_000, ...(o.signal ? { signal: o.signal } : {}) });
    seederPort = (JSON.parse(m[1]!) as { port: number }).port;
  } catch (e) {
    await seeder.stop();
    await tracker.close();
    throw e;
  }
  return {
    torrentFile, magnet, infoHash, contentSha256, size: o.size, seederIp: o.ip, seederPort,
    describe: () => `${seeder.describe()}\n--- tracker ---\n${tracker.log.join('\n')}`,
    async stop() {
      try {
        const exit = await seeder.stop('SIGTERM', 10_000);
        if (exit.code !== 0) throw new Error(`lt_seed.py exited with ${exit.code ?? exit.signal}\n${seeder.describe()}`);
      } finally {
        await tracker.close();
      }
    },
  };
}

/** Reproducible, incompressible-looking content (a SHA-256 counter stream). */
function deterministicBytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let off = 0, i = 0; off < size; off += 32, i++) {
    createHash('sha256').update(`counterseed-reference-${i}`).digest().copy(out, off);
  }
  return out;
}
