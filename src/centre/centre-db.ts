import { createPublicKey, type KeyObject } from 'node:crypto';
import pg from 'pg';
import { FrontierStack } from '../evidence/chain/frontier-stack.ts';
import { verifyCheckpoint } from '../evidence/checkpoint.ts';
import { keyFingerprint } from '../evidence/keys.ts';
import { emptyFrontier, frontierFromBytes, frontierRoot, frontierToBytes, HASH_LEN } from '../evidence/merkle.ts';
import { ensureMonths, migrate } from '../store/postgres/migrate.ts';
import { SyncConnection } from '../store/postgres/sync-connection.ts';
import { insertSegment, segmentTexts, storedLinks } from './segments.ts';
import { MAX_BATCH_CHECKPOINTS, MAX_BATCH_RECORDS, readBatch, RefusedBatch, type ReadBatch, type ShipBatch, type ShippedCheckpoint } from './read-batch.ts';
import type { NodeHealthReport } from './assignment.ts';

export { MAX_BATCH_CHECKPOINTS, MAX_BATCH_RECORDS, RefusedBatch, type ShipBatch, type ShippedCheckpoint };
/** Records projected into the analysis tables per transaction (CentreDb.project): a bounded transaction, about a second of PostgreSQL's work. */
export const PROJECT_CHUNK = 20_000;
/** Chunks at most per CentreDb.project call (about a minute of PostgreSQL's work): a stream of new records cannot keep one call going; its caller runs it again while `more`. */
export const PROJECT_MAX_CHUNKS = 50;

export interface IngestResult {
  /** Highest contiguous seq + 1: every record below it is stored and its chain verified. */
  readonly acked: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly checkpointsVerified: number;
}
/** Missing records of a node, inclusive ranges. */
export type Gap = readonly [from: number, to: number];

export interface NodeStatus {
  readonly fingerprint: string; readonly label: string; readonly acked: number; readonly lastContact: number | null;
  readonly backlog: number | null; readonly gaps: Gap[]; readonly checkpointsVerified: number; readonly checkpointsPending: number;
  /** Campaigns assigned to the node, and what it reported at its last pull of them (issue 12 item 4). */
  readonly assigned: string[]; readonly lastPull: number | null; readonly health: NodeHealthReport | null;
  /** When its key was revoked (every request since is refused), or null. */
  readonly revokedAt: number | null;
}

/** The background projection as the operator sees it (`centre status`): records stored but not yet projected, and the projection's failures. */
export interface ProjectionHealth {
  readonly behind: number; readonly failures: number; readonly lastFailureAt: number | null; readonly lastError: string | null;
}

interface NodeRow { id: number; size: number; head: Buffer | null; frontier: Buffer; revoked_at: number | null }

const hex = (b: Buffer) => b.toString('hex');

/**
 * The centre's database side (issue 12 item 2): registered node keys, shipped records verified
 * and stored exactly once per (node, seq), checkpoints verified against the stored chain, gaps and
 * refusals. Each batch is one transaction holding its node's row lock, so two batches of one node
 * never interleave and a batch is stored whole or not at all.
 */
export class CentreDb {
  readonly #pool: pg.Pool;
  readonly #keys = new Map<string, KeyObject>();
  #rootsFromStored = 0;

  private constructor(pool: pg.Pool) { this.#pool = pool; }

  /** Opens (and migrates) the centre's database; `schema` keeps its tables apart (tests). */
  static async open(url: string, schema?: string): Promise<CentreDb> {
    const conn = new SyncConnection(url, schema);
    try {
      if (schema !== undefined) conn.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`);
      migrate(conn);
      ensureMonths(conn, Date.now());
    } finally { await conn.close(); }
    pg.types.setTypeParser(pg.types.builtins.INT8, Number);
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000, ...(schema ? { options: `-c search_path="${schema}"` } : {}) });
    pool.on('error', () => { /* a broken idle connection is replaced on the next checkout */ });
    return new CentreDb(pool);
  }

  /** Registers a node's public key (SPKI PEM); returns its fingerprint. Registering a key again changes nothing. */
  async registerNode(publicPem: string, label: string, now = Date.now()): Promise<string> {
    const fp = keyFingerprint(createPublicKey(publicPem));
    await this.#pool.query('INSERT INTO centre_nodes (fingerprint, public_key, label, registered_at) VALUES ($1, $2, $3, $4) ON CONFLICT (fingerprint) DO NOTHING', [fp, publicPem, label, now]);
    return fp;
  }

  /** The registered key of a fingerprint, or undefined. */
  async nodeKey(fingerprint: string): Promise<KeyObject | undefined> {
    const known = this.#keys.get(fingerprint);
    if (known) return known;
    const r = await this.#pool.query('SELECT public_key FROM centre_nodes WHERE fingerprint = $1', [fingerprint]);
    if (r.rows.length === 0) return undefined;
    const key = createPublicKey(String(r.rows[0].public_key));
    this.#keys.set(fingerprint, key);
    return key;
  }

  /**
   * Revokes a node's key (issue 12 item 3): every later request signed by it is refused and counted
   * (revoked-key); its stored records and checkpoints stay. Returns false if it was revoked already.
   * Takes the node's row lock, so a batch being stored finishes first and none follows.
   */
  async revokeNode(fingerprint: string, reason: string, now = Date.now()): Promise<boolean> {
    const r = await this.#pool.query('UPDATE centre_nodes SET revoked_at = $2, revoked_reason = $3 WHERE fingerprint = $1 AND revoked_at IS NULL', [fingerprint, now, reason]);
    return (r.rowCount ?? 0) > 0;
  }

  /** When the node's key was revoked, or null. */
  async revokedAt(fingerprint: string): Promise<number | null> {
    const r = await this.#pool.query('SELECT revoked_at FROM centre_nodes WHERE fingerprint = $1', [fingerprint]);
    return r.rows[0]?.revoked_at == null ? null : Number(r.rows[0].revoked_at);
  }

  async refuse(fingerprint: string, reason: string, now = Date.now()): Promise<void> {
    await this.#pool.query(`INSERT INTO centre_refusals (fingerprint, reason, count, last_at) VALUES ($1, $2, 1, $3)
      ON CONFLICT (fingerprint, reason) DO UPDATE SET count = centre_refusals.count + 1, last_at = excluded.last_at`, [fingerprint.slice(0, 64), reason, now]);
  }

  async refusals(): Promise<{ fingerprint: string; reason: string; count: number }[]> {
    return (await this.#pool.query('SELECT fingerprint, reason, count FROM centre_refusals ORDER BY fingerprint, reason')).rows;
  }

  /** Verifies and stores a node's batch (the sender is authenticated as `fingerprint` already). */
  async ingest(fingerprint: string, batch: ShipBatch, now = Date.now()): Promise<IngestResult> {
    if (batch.records.length > MAX_BATCH_RECORDS || batch.checkpoints.length > MAX_BATCH_CHECKPOINTS) throw new RefusedBatch('too-large', `a batch holds at most ${MAX_BATCH_RECORDS} records and ${MAX_BATCH_CHECKPOINTS} checkpoints`);
    if (!await this.nodeKey(fingerprint)) throw new RefusedBatch('unknown-key', `node key ${fingerprint} is not registered`);
    return this.ingestRead(fingerprint, readBatch(fingerprint, batch), now);
  }

  /**
   * Verifies and stores a batch read already (read-batch.ts readBatch: each record parsed, hashed and
   * linked to the one before it), on this thread or a read worker (read-pool.ts): reading needs no
   * database and no lock, so one batch is read while PostgreSQL stores the one before it (issue 12
   * target: >= 100,000 records/s at the centre). One transaction holding the node's row lock.
   * `read` must be readBatch's own result: its hashes and links are taken as computed.
   */
  async ingestRead(fingerprint: string, read: ReadBatch, now = Date.now()): Promise<IngestResult> {
    if (read.count > MAX_BATCH_RECORDS || read.checkpoints.length > MAX_BATCH_CHECKPOINTS) throw new RefusedBatch('too-large', `a batch holds at most ${MAX_BATCH_RECORDS} records and ${MAX_BATCH_CHECKPOINTS} checkpoints`);
    const key = await this.nodeKey(fingerprint);
    if (!key) throw new RefusedBatch('unknown-key', `node key ${fingerprint} is not registered`);
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const node = (await client.query('SELECT id, size, head, frontier, revoked_at FROM centre_nodes WHERE fingerprint = $1 FOR UPDATE', [fingerprint])).rows[0] as NodeRow;
      // Read under the node's row lock: a batch either committed before the revocation or is refused.
      if (node.revoked_at !== null) throw new RefusedBatch('revoked-key', `node key ${fingerprint} was revoked at ${new Date(Number(node.revoked_at)).toISOString()}`);
      const stored = await this.#store(client, node, read, now);
      const advanced = await this.#advance(client, node, read.first, read.leaves, sizesOf(read.checkpoints));
      const checkpointsVerified = await this.#checkpoints(client, node, key, fingerprint, read.checkpoints, advanced, now);
      await client.query('UPDATE centre_nodes SET size = $2, head = $3, frontier = $4, last_contact = $5, backlog = $6 WHERE id = $1',
        [node.id, advanced.size, advanced.head, frontierToBytes(advanced.frontier), now, read.backlog ?? null]);
      await client.query('COMMIT');
      return { acked: advanced.size, stored, duplicates: read.count - stored, checkpointsVerified };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally { client.release(); }
  }

  /**
   * Under the node's row lock: checks the batch against the node's stored records and stores the
   * records not stored yet as segment rows (one per run of new records; normally the whole batch is
   * one run). Checks, in seq order: the first record links to the stored record before it, the last
   * to the stored one after it; a record already stored must be the same record (same hash), so a
   * re-sent batch, or the part of a batch that overlaps what is stored, is recognised and not stored
   * again; each record links to the one before it (readBatch). A refused batch stores nothing (the
   * caller rolls back). Returns how many records were stored.
   *
   * A segment row holds the records' bytes as received (the body's lines) and their hashes: a row
   * per batch instead of a row per record writes about 6x fewer bytes (issue 12 target: >= 100,000
   * records/s at the centre; a row per record capped a plain COPY near 40,000 records/s here).
   */
  async #store(client: pg.PoolClient, node: NodeRow, read: ReadBatch, now: number): Promise<number> {
    const { first, count: n } = read;
    if (n === 0) return 0;
    const last = first + n - 1;
    const leaf = (i: number) => read.leaves.subarray(i * HASH_LEN, (i + 1) * HASH_LEN);
    const stored = new Map<number, { hash: Buffer; prev: Buffer }>();
    for (const s of await storedLinks(client, node.id, first - 1, last + 2)) stored.set(s.seq, s);
    const before = stored.get(first - 1);
    if (before && hex(before.hash) !== read.firstPrev) throw new RefusedBatch('chain-break', `record ${first} does not link to the stored record ${first - 1}`);
    // Runs of records not stored yet, as [first index, last index] of the batch: each becomes a segment.
    const runs: { from: number; to: number; minAt: number; maxAt: number }[] = [];
    let run: (typeof runs)[number] | null = null;
    for (let i = 0; i < n; i++) {
      if (i === read.breakAt) throw new RefusedBatch('chain-break', `record ${first + i} does not link to record ${first + i - 1}`);
      const s = stored.get(first + i);
      if (s && !s.hash.equals(leaf(i))) throw new RefusedBatch('fork', `record ${first + i} differs from the one stored for this node: the node presents another history`);
      const at = read.ats[i]!;
      if (s) run = null;
      else if (!run) runs.push(run = { from: i, to: i, minAt: at, maxAt: at });
      else { run.to = i; if (at < run.minAt) run.minAt = at; if (at > run.maxAt) run.maxAt = at; }
    }
    const after = stored.get(last + 1);
    if (after && !after.prev.equals(leaf(n - 1))) throw new RefusedBatch('chain-break', `the stored record ${last + 1} does not link to record ${last}`);
    let fresh = 0;
    for (const r of runs) {
      await insertSegment(client, node.id, {
        firstSeq: first + r.from, lastSeq: first + r.to, minAt: r.minAt, maxAt: r.maxAt, prev: r.from === 0 ? Buffer.from(read.firstPrev, 'hex') : leaf(r.from - 1),
        hashes: read.leaves.subarray(r.from * HASH_LEN, (r.to + 1) * HASH_LEN), texts: segmentTexts(read.lines, r.from, r.to),
      }, now);
      fresh += r.to - r.from + 1;
    }
    return fresh;
  }

  /**
   * The node's contiguous size after this batch: through the batch if it starts at or before the
   * old size, then through records stored earlier beyond a gap this batch filled. The frontier is
   * extended leaf by leaf; `roots` keeps the root at every size reached (for pending checkpoints).
   */
  async #advance(client: pg.PoolClient, node: NodeRow, first: number, leaves: Buffer, arriving: readonly number[]): Promise<{ size: number; head: Buffer | null; frontier: ReturnType<FrontierStack['frontier']>; roots: Map<number, { root: Buffer; head: Buffer }> }> {
    const stack = new FrontierStack();
    stack.load(node.size === 0 ? emptyFrontier() : frontierFromBytes(node.size, node.frontier));
    // The sizes of pending checkpoints and of those arriving with this batch (a node ships a checkpoint with
    // the records it covers): without the latter, each such checkpoint re-read the node's records from 0.
    const wanted = new Set((await client.query("SELECT tree_size FROM centre_checkpoints WHERE node_id = $1 AND status = 'pending'", [node.id])).rows.map((r) => Number(r.tree_size)));
    for (const size of arriving) wanted.add(size);
    const roots = new Map<number, { root: Buffer; head: Buffer }>();
    let head = node.head;
    // A checkpoint over exactly what was acknowledged before (the node signed at its head after that head was shipped).
    if (node.size > 0 && node.head && wanted.has(node.size)) roots.set(node.size, { root: frontierRoot(stack.frontier()), head: node.head });
    const add = (hashes: Buffer, at: number) => {
      stack.append(hashes, at);
      if (wanted.has(stack.size)) roots.set(stack.size, { root: frontierRoot(stack.frontier()), head: hashes.subarray(at, at + HASH_LEN) });
    };
    const count = leaves.length / HASH_LEN;
    if (count > 0 && first <= node.size) {
      for (let k = stack.size - first; k < count; k++) add(leaves, k * HASH_LEN);
      if (stack.size > node.size) head = leaves.subarray((stack.size - first - 1) * HASH_LEN, (stack.size - first) * HASH_LEN);
    }
    if (count > 0 && first <= node.size) {
      for (;;) {
        const from = stack.size;
        for (const r of await storedLinks(client, node.id, from, from + 10_000)) { if (r.seq !== stack.size) break; add(r.hash, 0); head = r.hash; }
        if (stack.size < from + 10_000) break;
      }
    }
    return { size: stack.size, head, frontier: stack.frontier(), roots };
  }

  /** Stores the batch's checkpoints (signature checked) and verifies every pending one the chain now reaches. */
  async #checkpoints(client: pg.PoolClient, node: NodeRow, key: KeyObject, fingerprint: string, cps: readonly ShippedCheckpoint[],
    adv: { size: number; roots: Map<number, { root: Buffer; head: Buffer }> }, now: number): Promise<number> {
    for (const cp of cps) {
      if (typeof cp?.text !== 'string' || typeof cp.signature !== 'string' || cp.text.length > 4096) throw new RefusedBatch('bad-checkpoint', 'a checkpoint is not {text, signature}');
      if (!verifyCheckpoint(cp, key)) throw new RefusedBatch('bad-checkpoint-signature', 'a checkpoint signature does not verify with the registered key');
      const body = JSON.parse(cp.text) as { node?: unknown; tree_size?: unknown; root?: unknown; head?: unknown };
      if (body.node !== fingerprint || !Number.isSafeInteger(body.tree_size) || typeof body.root !== 'string' || typeof body.head !== 'string') throw new RefusedBatch('bad-checkpoint', 'a checkpoint body is not this node\'s');
      await client.query(`INSERT INTO centre_checkpoints (node_id, tree_size, text, signature, status, received_at) VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT DO NOTHING`,
        [node.id, body.tree_size, cp.text, Buffer.from(cp.signature, 'base64'), now]);
    }
    let verified = 0;
    const pending = (await client.query("SELECT tree_size, text FROM centre_checkpoints WHERE node_id = $1 AND status = 'pending' AND tree_size <= $2", [node.id, adv.size])).rows;
    for (const p of pending) {
      const size = Number(p.tree_size);
      const body = JSON.parse(String(p.text)) as { root: string; head: string };
      let at = adv.roots.get(size);
      if (!at) { at = await rootFromStored(client, node.id, size); this.#rootsFromStored++; }
      if (hex(at.root) !== body.root || hex(at.head) !== body.head) throw new RefusedBatch('checkpoint-mismatch', `the checkpoint over ${size} records does not match the records received`);
      await client.query("UPDATE centre_checkpoints SET status = 'verified' WHERE node_id = $1 AND tree_size = $2 AND text = $3", [node.id, size, p.text]);
      verified++;
    }
    return verified;
  }

  /** Missing records per node: inclusive ranges between the acknowledged size and the last record stored. */
  async gaps(fingerprint: string): Promise<Gap[]> {
    const node = (await this.#pool.query('SELECT id, size FROM centre_nodes WHERE fingerprint = $1', [fingerprint])).rows[0] as { id: number; size: number } | undefined;
    if (!node) return [];
    // Between the acknowledged size and the first run stored beyond it, and between consecutive runs (segments never overlap).
    const r = await this.#pool.query(`SELECT lo, hi FROM (
        SELECT COALESCE(lag(last_seq) OVER (ORDER BY first_seq) + 1, $2) AS lo, first_seq - 1 AS hi FROM centre_segments WHERE node_id = $1 AND last_seq >= $2
      ) x WHERE hi >= lo ORDER BY lo LIMIT 1000`, [node.id, node.size]);
    return r.rows.map((x) => [Number(x.lo), Number(x.hi)] as const);
  }

  /** Per node: acknowledged size, last contact, the backlog it reported, gaps, checkpoints. */
  async status(): Promise<NodeStatus[]> {
    const nodes = (await this.#pool.query(`SELECT n.fingerprint, n.label, n.size, n.last_contact, n.backlog, n.last_pull, n.health, n.revoked_at,
        ARRAY(SELECT a.campaign::text FROM centre_assignments a WHERE a.node_id = n.id AND a.unassigned_at IS NULL ORDER BY a.campaign) AS assigned,
        (SELECT count(*) FROM centre_checkpoints c WHERE c.node_id = n.id AND c.status = 'verified') AS v,
        (SELECT count(*) FROM centre_checkpoints c WHERE c.node_id = n.id AND c.status = 'pending') AS p
      FROM centre_nodes n ORDER BY n.label, n.fingerprint`)).rows;
    const out: NodeStatus[] = [];
    for (const n of nodes) {
      out.push({ fingerprint: n.fingerprint, label: n.label, acked: Number(n.size), lastContact: n.last_contact === null ? null : Number(n.last_contact),
        backlog: n.backlog === null ? null : Number(n.backlog), gaps: await this.gaps(n.fingerprint), checkpointsVerified: Number(n.v), checkpointsPending: Number(n.p),
        assigned: (n.assigned as string[]).map(String), lastPull: n.last_pull === null ? null : Number(n.last_pull), health: n.health === null ? null : JSON.parse(String(n.health)) as NodeHealthReport,
        revokedAt: n.revoked_at === null ? null : Number(n.revoked_at) });
    }
    return out;
  }

  /** Records stored for a node, counted (tests and the health view). */
  async count(fingerprint: string): Promise<number> {
    return Number((await this.#pool.query('SELECT count(*) AS n FROM centre_nodes n, cs_centre_records(n.id, 0, 1099511627776) r WHERE n.fingerprint = $1', [fingerprint])).rows[0].n);
  }

  /** Distinct seqs stored for a node (exactly-once checks). */
  async distinctSeqs(fingerprint: string): Promise<number> {
    return Number((await this.#pool.query('SELECT count(DISTINCT r.seq) AS n FROM centre_nodes n, cs_centre_records(n.id, 0, 1099511627776) r WHERE n.fingerprint = $1', [fingerprint])).rows[0].n);
  }

  /**
   * Projects the nodes' verified records into the analysis tables (cs_project_centre_chunk,
   * pg-centre-007): at most `chunk` records of one node a transaction, until nothing is left or
   * `maxChunks` chunks were done. Runs apart from the intake (CentreServer, after batches): a batch is
   * acknowledged once stored and verified, never held up by the analysis. Returns the records covered,
   * and `more`: it stopped at `maxChunks`, and records may be left for the next call.
   */
  async project(chunk = PROJECT_CHUNK, maxChunks = PROJECT_MAX_CHUNKS): Promise<{ records: number; more: boolean }> {
    let records = 0;
    for (let i = 0; i < maxChunks; i++) {
      const k = Number((await this.#pool.query('SELECT cs_project_centre_chunk($1) AS k', [chunk])).rows[0].k);
      if (k === 0) return { records, more: false };
      records += k;
    }
    return { records, more: true };
  }

  /** Counts a failed background projection (pg-centre-projection-001), for `centre status`. */
  async noteProjectionFailure(message: string, now = Date.now()): Promise<void> {
    await this.#pool.query(`INSERT INTO centre_projection_failures (one, failures, last_at, last_error) VALUES (true, 1, $1, $2)
      ON CONFLICT (one) DO UPDATE SET failures = centre_projection_failures.failures + 1, last_at = $1, last_error = $2`, [now, message.slice(0, 500)]);
  }

  /** Records stored and verified but not yet projected, over every node, and the background projection's failures. */
  async projectionHealth(): Promise<ProjectionHealth> {
    const behind = Number((await this.#pool.query(`SELECT COALESCE(sum(n.size - COALESCE(p.projected, 0)), 0) AS b
      FROM centre_nodes n LEFT JOIN centre_projection p ON p.node_id = n.id`)).rows[0].b);
    const f = (await this.#pool.query('SELECT failures, last_at, last_error FROM centre_projection_failures')).rows[0];
    return { behind, failures: f ? Number(f.failures) : 0, lastFailureAt: f ? Number(f.last_at) : null, lastError: f ? String(f.last_error) : null };
  }

  get pool(): pg.Pool { return this.#pool; }

  /** How many checkpoints were verified by re-reading the node's stored records from 0 (the slow path; tests). */
  get rootsFromStored(): number { return this.#rootsFromStored; }

  async close(): Promise<void> { await this.#pool.end(); }
}

/** The tree sizes the batch's checkpoints claim (read leniently: #checkpoints checks each checkpoint properly). */
function sizesOf(cps: readonly ShippedCheckpoint[]): number[] {
  const out: number[] = [];
  for (const cp of cps) {
    try { const size = (JSON.parse(String(cp?.text)) as { tree_size?: unknown }).tree_size; if (Number.isSafeInteger(size)) out.push(size as number); } catch { /* refused later, with its reason */ }
  }
  return out;
}

/** Root and head over a node's stored records [0, size): for a checkpoint that arrives after the chain passed its size (rare). */
async function rootFromStored(client: pg.PoolClient, nodeId: number, size: number): Promise<{ root: Buffer; head: Buffer }> {
  const stack = new FrontierStack();
  let head: Buffer = Buffer.alloc(HASH_LEN);
  for (let from = 0; from < size; from += 10_000) {
    for (const r of await storedLinks(client, nodeId, from, Math.min(size, from + 10_000))) {
      if (r.seq !== stack.size) throw new RefusedBatch('checkpoint-mismatch', `record ${stack.size} is missing`);
      stack.append(r.hash, 0);
      head = r.hash;
    }
    if (stack.size !== Math.min(size, from + 10_000)) throw new RefusedBatch('checkpoint-mismatch', `record ${stack.size} is missing`);
  }
  return { root: frontierRoot(stack.frontier()), head };
}
