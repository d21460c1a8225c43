import { readFileSync } from 'node:fs';
import { type Settings, isLoopbackOrLab } from '../config/settings.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import { AssignmentFormatError } from '../centre/assignment.ts';
import { assignCampaign, findNode, UnknownNodeError, unassignCampaign } from '../centre/assignments-db.ts';
import { readListFile } from '../decoy/list-file.ts';
import { readCampaignList } from './campaigns.ts';
import { CentreDb, type NodeStatus, type ProjectionHealth } from '../centre/centre-db.ts';
import { CentreServer } from '../centre/centre-server.ts';
import { CentreRefusedError, CentreUnavailableError } from '../centre/errors.ts';
import { Shipper, ShipRefused } from '../centre/shipper.ts';
import { type ChainReport, verifyStoredChain } from '../centre/verify-chain.ts';
import { loadNodeKey } from '../evidence/keys.ts';
import type { Context } from '../node/context.ts';

/** Use cases of the centre (issue 12, docs/centre.md): serve the intake, register node keys, show the nodes. */

function centreStore(s: Settings): string {
  if (s.store === '') throw new InputError('the centre lives in PostgreSQL: give --store postgres://user@host:port/database (or COUNTERSEED_STORE)');
  return s.store;
}

/** host:port; lab mode listens on loopback or the lab's own addresses only. */
export function parseListen(listen: string, mode: Settings['mode']): { host: string; port: number } {
  const m = /^\[?([0-9a-fA-F:.]+)\]?:(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[2]) : -1;
  if (!m || port > 65535) throw new InputError(`--listen ${listen}: expected ADDRESS:PORT, e.g. 127.0.0.1:7878`);
  if (mode !== 'live' && !isLoopbackOrLab(m[1]!)) throw new InputError(`--listen ${listen}: lab mode listens on loopback addresses only; use --mode live`);
  return { host: m[1]!, port };
}

/** How long after a stored batch `centre serve` starts projecting (several batches of a catch-up are projected together). */
const CENTRE_PROJECT_AFTER_MS = 5_000;

/** Runs the centre's intake until `signal` aborts; `ready` gets its URL once it listens. */
export async function serveCentre(s: Settings, o: { listen: string; signal: AbortSignal; ready?: (url: string) => void; log: (m: string) => void }): Promise<void> {
  const { host, port } = parseListen(o.listen, s.mode);
  const db = await CentreDb.open(centreStore(s));
  try {
    // Stored records are projected into the analysis tables a few seconds after batches, in bounded transactions (CentreDb.project).
    const server = await CentreServer.start({ db, host, port, projectAfterMs: CENTRE_PROJECT_AFTER_MS, readWorkers: s.centreReadWorkers,
      onProjectionError: (e) => o.log(`centre: projecting stored records into the analysis tables failed (counted in centre status; retried after the next batch): ${e.message}`) });
    try {
      o.ready?.(server.url);
      if (!o.signal.aborted) await new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true }));
    } finally { await server.close(); }
  } finally { await db.close(); }
}

/** Registers a node's public key (the SPKI PEM file `counterseed evidence key` prints); returns its fingerprint. */
export async function registerCentreNode(s: Settings, o: { keyFile: string; label: string }): Promise<string> {
  let pem: string;
  try { pem = readFileSync(o.keyFile, 'utf8'); } catch (e) { throw new InputError(`--key ${o.keyFile}: ${(e as Error).message}`); }
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem) || pem.length > 4096) throw new InputError(`--key ${o.keyFile}: not a public key PEM (keys/node-ed25519.pub.pem in the node's data directory)`);
  const db = await CentreDb.open(centreStore(s));
  try {
    try { return await db.registerNode(pem, o.label); } catch (e) { throw new InputError(`--key ${o.keyFile}: ${(e as Error).message}`); }
  } finally { await db.close(); }
}

export interface CentreStatus {
  readonly nodes: NodeStatus[]; readonly refusals: { fingerprint: string; reason: string; count: number }[];
  /** The background projection into the analysis tables: records left to project, and its failures. */
  readonly projection: ProjectionHealth;
}

/** Every registered node: acknowledged size, last contact, backlog, gaps, checkpoints; refused requests; the projection's lag and failures. */
export async function centreStatus(s: Settings): Promise<CentreStatus> {
  const db = await CentreDb.open(centreStore(s));
  try { return { nodes: await db.status(), refusals: await db.refusals(), projection: await db.projectionHealth() }; } finally { await db.close(); }
}

/** Re-verifies every node's stored chain at the centre (or the named ones): hashes, links, contiguity, every checkpoint. */
export async function verifyCentre(s: Settings, o: { fingerprints?: readonly string[] } = {}): Promise<ChainReport[]> {
  const db = await CentreDb.open(centreStore(s));
  try {
    const fps = o.fingerprints && o.fingerprints.length > 0 ? o.fingerprints : (await db.status()).map((n) => n.fingerprint);
    const out: ChainReport[] = [];
    for (const fp of fps) out.push(await verifyStoredChain(db.pool, fp));
    return out;
  } finally { await db.close(); }
}

export interface ShipOutcome { readonly records: number; readonly acked: number; readonly requests: number }

/** Requests without progress before `centre ship` gives up (the centre answers but acknowledges nothing new). */
const MAX_STALLED_REQUESTS = 3;

/**
 * Ships this data directory's chained records to the centre until it has acknowledged every one,
 * then returns (issue 12): for a node that is stopped (a running seed ships by itself), e.g. to hand
 * over the records a node wrote at its shutdown, or before a node is retired. Nothing is changed
 * locally: the node's store is only read.
 */
export async function shipToCentre(ctx: Context, o: { url: string; signal: AbortSignal; batchSize?: number }): Promise<ShipOutcome> {
  if (o.url === '') throw new InputError('centre ship: give the centre with --centre http(s)://host:port (or COUNTERSEED_CENTRE)');
  const key = loadNodeKey(ctx.settings.dataDir);
  if (!key) throw new InputError(`no node key in ${ctx.settings.dataDir}/keys: the centre knows a node by its key`);
  const log = ctx.store.evidenceLog().tables;
  const shipper = new Shipper({ url: o.url, key, log, batchSize: o.batchSize ?? 5000 });
  let requests = 0;
  let stalled = 0;
  for (let last = -1; ;) {
    try { await shipper.shipOnce(o.signal); } catch (e) {
      if (e instanceof ShipRefused) throw new CentreRefusedError(`centre ${o.url} refused this node's records: ${e.message} (${e.reason})`);
      throw new CentreUnavailableError(`centre ${o.url}: ${(e as Error).message}`, { cause: e });
    }
    requests++;
    const acked = shipper.acked ?? 0;
    const records = log.count();
    if (acked >= records) return { records, acked, requests };
    stalled = acked === last ? stalled + 1 : 0;
    if (stalled >= MAX_STALLED_REQUESTS) throw new CentreUnavailableError(`centre ${o.url} acknowledges ${acked} of ${records} records and no more`);
    last = acked;
  }
}

export interface AssignInput {
  /** The node: its label, its fingerprint or the fingerprint's first 8+ hex digits. */
  readonly node: string;
  readonly campaign: string;
  /** The campaign list (CSV name,size,language,folder), checked here as `campaign create` checks it. */
  readonly listFile: string;
  readonly perDay: number;
  readonly ttlDays: number;
  readonly payloadId?: string;
  readonly hybrid: boolean;
}

/** Assigns a campaign to a node (issue 12 item 4): the node creates it at its next pull. */
export async function assignCentreCampaign(s: Settings, a: AssignInput): Promise<void> {
  readCampaignList(a.listFile); // every row checked before anything is stored
  const list = readListFile(a.listFile);
  const db = await CentreDb.open(centreStore(s));
  try {
    await assignCampaign(db.pool, a.node, { campaign: a.campaign, list, perDay: a.perDay, ttlDays: a.ttlDays, payloadId: a.payloadId ?? null, hybrid: a.hybrid });
  } catch (e) {
    if (e instanceof UnknownNodeError) throw new NotFoundError(e.message);
    if (e instanceof AssignmentFormatError) throw new InputError(e.message);
    throw e;
  } finally { await db.close(); }
}

/** Takes a campaign off a node's assignment: the node stops it at its next pull (releases nothing more, retires its decoys; records stay). */
export async function unassignCentreCampaign(s: Settings, o: { node: string; campaign: string }): Promise<void> {
  const db = await CentreDb.open(centreStore(s));
  try {
    if (!await unassignCampaign(db.pool, o.node, o.campaign)) throw new NotFoundError(`campaign ${o.campaign} is not assigned to ${o.node}`);
  } catch (e) {
    if (e instanceof UnknownNodeError) throw new NotFoundError(e.message);
    throw e;
  } finally { await db.close(); }
}

/**
 * Revokes a node's key at the centre (issue 12 item 3): every later request it signs (batches and
 * pulls) is refused and counted as revoked-key; its stored records stay, verifiable by the key. For a
 * node whose key is lost or compromised: a new key is registered as a new node.
 */
export async function revokeCentreNode(s: Settings, o: { node: string; reason: string; now?: number }): Promise<{ fingerprint: string; label: string; revoked: boolean }> {
  const reason = o.reason.trim();
  if (reason === '' || reason.length > 500) throw new InputError('--reason: 1-500 characters');
  const db = await CentreDb.open(centreStore(s));
  try {
    const n = await findNode(db.pool, o.node);
    return { fingerprint: n.fingerprint, label: n.label, revoked: await db.revokeNode(n.fingerprint, reason, o.now) };
  } catch (e) {
    if (e instanceof UnknownNodeError) throw new NotFoundError(e.message);
    throw e;
  } finally { await db.close(); }
}
