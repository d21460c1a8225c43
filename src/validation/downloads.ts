/**
 * Runs the validation downloads: every client in parallel, each client's downloads one
 * after another, each into its own temporary folder that is removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadWithAria2 } from './clients/aria2.ts';
import { downloadWithLibtorrent } from './clients/libtorrent.ts';
import { downloadWithTransmission } from './clients/transmission.ts';
import type { ClientName, DownloadOutcome, DownloadSpec } from './clients/types.ts';
import { DOWNLOAD_TIMEOUT_MS, VALIDATION_ADDRESSES } from './plan.ts';

const DRIVERS: Record<ClientName, (s: DownloadSpec) => Promise<DownloadOutcome>> = {
  libtorrent: downloadWithLibtorrent,
  transmission: downloadWithTransmission,
  aria2: downloadWithAria2,
};

export interface DownloadJob {
  readonly index: number;
  readonly client: ClientName;
  readonly decoyId: number;
  readonly torrentFile: string;
  readonly expectedSha256: string;
}

export interface DownloadResult {
  readonly index: number;
  readonly client: ClientName;
  readonly clientIp: string;
  readonly decoyId: number;
  readonly ok: boolean;
  /** The saved file's SHA-256 equals the decoy's recorded content SHA-256. */
  readonly contentMatches: boolean;
  readonly bytes: number;
  readonly elapsedMs: number;
  readonly error?: string;
}

export async function runDownloads(jobs: readonly DownloadJob[], opts: { signal?: AbortSignal; log: (m: string) => void }): Promise<DownloadResult[]> {
  const byClient = new Map<ClientName, DownloadJob[]>();
  for (const j of jobs) byClient.set(j.client, [...(byClient.get(j.client) ?? []), j]);
  const lanes = [...byClient.entries()].map(async ([client, list]) => {
    const out: DownloadResult[] = [];
    for (const job of list) out.push(await runOne(job, client, opts));
    return out;
  });
  return (await Promise.all(lanes)).flat().sort((a, b) => a.index - b.index);
}

async function runOne(job: DownloadJob, client: ClientName, opts: { signal?: AbortSignal; log: (m: string) => void }): Promise<DownloadResult> {
  const clientIp = VALIDATION_ADDRESSES[client];
  const outDir = mkdtempSync(join(tmpdir(), `cs-validate-${client}-`));
  const base = { index: job.index, client, clientIp, decoyId: job.decoyId };
  try {
    opts.log(`download ${job.index + 1}: ${client} from ${clientIp}, decoy ${job.decoyId}`);
    // plaintext: capture can decode every message (aria2 ignores it and uses MSE/RC4; see types.ts).
    const r = await DRIVERS[client]({
      torrentFile: job.torrentFile, outDir, bindIp: clientIp, plaintext: true, tcpOnly: true, timeoutMs: DOWNLOAD_TIMEOUT_MS,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const contentMatches = r.sha256 === job.expectedSha256;
    return { ...base, ok: contentMatches, contentMatches, bytes: r.bytes, elapsedMs: r.elapsedMs, ...(contentMatches ? {} : { error: `saved content SHA-256 ${r.sha256} differs from the decoy's` }) };
  } catch (e) {
    const msg = (e as Error).message;
    return { ...base, ok: false, contentMatches: false, bytes: 0, elapsedMs: 0, error: msg.length > 4000 ? `${msg.slice(0, 4000)}...` : msg };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
