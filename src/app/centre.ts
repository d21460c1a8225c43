import { readFileSync } from 'node:fs';
import { type Settings, isLoopbackOrLab } from '../config/settings.ts';
import { InputError } from '../domain/errors.ts';
import { CentreDb, type NodeStatus } from '../centre/centre-db.ts';
import { CentreServer } from '../centre/centre-server.ts';

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

/** Runs the centre's intake until `signal` aborts; `ready` gets its URL once it listens. */
export async function serveCentre(s: Settings, o: { listen: string; signal: AbortSignal; ready?: (url: string) => void; log: (m: string) => void }): Promise<void> {
  const { host, port } = parseListen(o.listen, s.mode);
  const db = await CentreDb.open(centreStore(s));
  try {
    const server = await CentreServer.start({ db, host, port });
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

export interface CentreStatus { readonly nodes: NodeStatus[]; readonly refusals: { fingerprint: string; reason: string; count: number }[] }

/** Every registered node: acknowledged size, last contact, backlog, gaps, checkpoints; and refused requests. */
export async function centreStatus(s: Settings): Promise<CentreStatus> {
  const db = await CentreDb.open(centreStore(s));
  try { return { nodes: await db.status(), refusals: await db.refusals() }; } finally { await db.close(); }
}
