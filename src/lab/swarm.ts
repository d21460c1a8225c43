import { LabConfigError } from './errors.ts';
import { isLoopbackAddress } from './loopback.ts';
import { LAB_PEER_ID_PREFIX } from './peer-id.ts';
import { type Random, randomInt, seededRandom } from './prng.ts';
import { type SimDownloadInit, type SimDownloadResult, simulateDownload } from './sim-downloader.ts';

export interface SwarmTarget { infoHash: Uint8Array; info?: Uint8Array }

/** One simulated downloader, decided up front from the seed. */
export interface SwarmPlanItem {
  readonly index: number;
  /** Index into `targets`. */
  readonly target: number;
  readonly localAddress: string;
  /** Fetches the info dict over BEP 9 (always true for targets without `info`). */
  readonly magnet: boolean;
  /** 1 for a full download, else the share of pieces to fetch. */
  readonly fraction: number;
  readonly peerIdPrefix: string;
}

export interface SwarmInit {
  targets: readonly SwarmTarget[];
  host: string; port: number;
  downloaders: number;
  concurrency: number;
  /** 127.x.y.z addresses the downloaders connect from. */
  sourceAddresses: readonly string[];
  /** Fraction of downloaders using magnet mode. */
  magnetShare: number;
  /** Fraction of downloaders that stop part-way. */
  partialShare: number;
  /** Per download. */
  timeoutMs: number;
  signal?: AbortSignal;
  onResult?: (result: SimDownloadResult, plan: SwarmPlanItem) => void;
  /** Same seed, same plan. Default 1. */
  seed?: number;
  /** Per-download content bound; default 64 MiB. */
  maxBytes?: number;
  /** BEP 20 client prefixes to rotate through; default the lab's own. */
  peerIdPrefixes?: readonly string[];
}

export interface SwarmSummary { attempted: number; ok: number; failed: number; bytes: number }

export type Downloader = (init: SimDownloadInit) => Promise<SimDownloadResult>;

export const MAX_DOWNLOADERS = 100_000;
export const MAX_CONCURRENCY = 256;
const DEFAULT_MAX_BYTES = 64 << 20;

/**
 * The deterministic plan: targets round-robin so every decoy sees traffic;
 * the rest drawn from the seed. Validates eagerly, yields lazily.
 */
export function planSwarm(init: SwarmInit): Generator<SwarmPlanItem> {
  validateSwarm(init);
  return generatePlan(init);
}

function* generatePlan(init: SwarmInit): Generator<SwarmPlanItem> {
  const rand: Random = seededRandom(init.seed ?? 1);
  const prefixes = init.peerIdPrefixes ?? [LAB_PEER_ID_PREFIX];
  for (let index = 0; index < init.downloaders; index++) {
    const target = index % init.targets.length;
    const localAddress = init.sourceAddresses[randomInt(rand, init.sourceAddresses.length)] as string;
    const magnet = rand() < init.magnetShare || init.targets[target]?.info === undefined;
    // Partial downloads stop somewhere between 10% and 90%, in whole percent.
    const fraction = rand() < init.partialShare ? Math.round(10 + rand() * 80) / 100 : 1;
    const peerIdPrefix = prefixes[randomInt(rand, prefixes.length)] as string;
    yield { index, target, localAddress, magnet, fraction, peerIdPrefix };
  }
}

/**
 * Runs the planned downloaders with at most `concurrency` at a time. Stops
 * starting new ones once `signal` aborts; running ones end through the same
 * signal. Rejects for an invalid configuration or a throwing onResult;
 * individual download failures are counted, never thrown.
 */
export async function runSimulatedSwarm(init: SwarmInit, download: Downloader = simulateDownload): Promise<SwarmSummary> {
  const plan = planSwarm(init);
  const summary: SwarmSummary = { attempted: 0, ok: 0, failed: 0, bytes: 0 };
  let callbackError: unknown;
  const take = (): SwarmPlanItem | undefined => {
    if (init.signal?.aborted || callbackError !== undefined) return undefined;
    const r = plan.next();
    return r.done ? undefined : r.value;
  };
  const worker = async (): Promise<void> => {
    for (let item = take(); item !== undefined; item = take()) {
      const t = init.targets[item.target] as SwarmTarget;
      summary.attempted++;
      const result = await download({
        host: init.host, port: init.port, localAddress: item.localAddress, infoHash: t.infoHash,
        ...(item.magnet || t.info === undefined ? {} : { info: t.info }),
        peerIdPrefix: item.peerIdPrefix, fraction: item.fraction,
        timeoutMs: init.timeoutMs, maxBytes: init.maxBytes ?? DEFAULT_MAX_BYTES,
        ...(init.signal ? { signal: init.signal } : {}),
      });
      if (result.ok) summary.ok++; else summary.failed++;
      summary.bytes += result.bytes;
      try {
        init.onResult?.(result, item);
      } catch (err) {
        callbackError ??= err;
      }
    }
  };
  const workers = Math.min(init.concurrency, init.downloaders);
  await Promise.all(Array.from({ length: workers }, worker));
  // A throwing onResult stops new downloads; it surfaces once the running ones have ended.
  if (callbackError !== undefined) throw callbackError;
  return summary;
}

function validateSwarm(init: SwarmInit): void {
  const bad = (msg: string): never => { throw new LabConfigError(msg); };
  if (init.targets.length === 0) bad('a lab swarm needs at least one target');
  if (!isLoopbackAddress(init.host)) bad(`lab swarms connect to loopback only, not ${init.host}`);
  if (init.sourceAddresses.length === 0) bad('a lab swarm needs at least one source address');
  for (const a of init.sourceAddresses) if (!isLoopbackAddress(a)) bad(`source address ${a} is not loopback (use 127.x.y.z)`);
  if (!Number.isSafeInteger(init.downloaders) || init.downloaders < 0 || init.downloaders > MAX_DOWNLOADERS) bad(`downloaders must be in [0, ${MAX_DOWNLOADERS}]`);
  if (!Number.isSafeInteger(init.concurrency) || init.concurrency < 1 || init.concurrency > MAX_CONCURRENCY) bad(`concurrency must be in [1, ${MAX_CONCURRENCY}]`);
  for (const [k, v] of [['magnetShare', init.magnetShare], ['partialShare', init.partialShare]] as const) {
    if (!(v >= 0 && v <= 1)) bad(`${k} must be in [0, 1], got ${v}`);
  }
  if (init.peerIdPrefixes !== undefined && init.peerIdPrefixes.length === 0) bad('peerIdPrefixes must not be empty');
}
