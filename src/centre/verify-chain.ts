import { createPublicKey } from 'node:crypto';
import type pg from 'pg';
import { FrontierStack } from '../evidence/chain/frontier-stack.ts';
import { verifyCheckpoint } from '../evidence/checkpoint.ts';
import { frontierRoot, leafHashOfText } from '../evidence/merkle.ts';
import { GENESIS_PREV } from '../evidence/record.ts';

/** What a re-verification of one node's stored chain found (issue 12 testbed: "every chain verifies at the centre"). */
export interface ChainReport {
  readonly fingerprint: string;
  /** Records read, from seq 0, contiguous. */
  readonly records: number;
  /** Checkpoints whose signature, root and head were checked against the stored records. */
  readonly checkpoints: number;
  /** Records erased at the centre under the retention rules (tombstones): chained by their stored prev and leaf hash, their text gone. */
  readonly erased: number;
  /** The first problem found, or null: the chain verifies. */
  readonly problem: string | null;
}

const PAGE = 10_000;

/**
 * Re-reads a node's records as the centre stores them, from seq 0, and checks them again without
 * trusting anything the intake computed: each record's hash is SHA-256(0x00 || text) (RFC 9162 leaf),
 * each text names the node and its seq and links to the record before it (genesis for record 0), the
 * seqs are contiguous, and every stored checkpoint of the node is signed by its registered key and
 * states the root and head of the stored records at its tree size. The ingest checks the same as
 * records arrive (centre-db.ts); this is the audit an operator (or the testbed) runs afterwards.
 */
export async function verifyStoredChain(pool: pg.Pool, fingerprint: string): Promise<ChainReport> {
  const node = (await pool.query('SELECT id, public_key FROM centre_nodes WHERE fingerprint = $1', [fingerprint])).rows[0] as { id: number; public_key: string } | undefined;
  let erased = 0;
  const report = (records: number, checkpoints: number, problem: string | null): ChainReport => ({ fingerprint, records, checkpoints, erased, problem });
  if (!node) return report(0, 0, 'the node is not registered');
  const key = createPublicKey(node.public_key);
  const cps = (await pool.query('SELECT tree_size, text, signature FROM centre_checkpoints WHERE node_id = $1 ORDER BY tree_size', [node.id])).rows
    .map((r) => ({ size: Number(r.tree_size), text: String(r.text), signature: (r.signature as Buffer).toString('base64') }));
  const stack = new FrontierStack();
  let prev = GENESIS_PREV;
  let checked = 0;
  const checkAt = (size: number): string | null => {
    for (; checked < cps.length && cps[checked]!.size <= size; checked++) {
      const cp = cps[checked]!;
      if (cp.size < size) return `checkpoint over ${cp.size} records: the stored chain never had that size`;
      if (!verifyCheckpoint(cp, key)) return `checkpoint over ${cp.size} records: the signature does not verify with the registered key`;
      const body = JSON.parse(cp.text) as { root?: unknown; head?: unknown };
      if (body.root !== frontierRoot(stack.frontier()).toString('hex') || body.head !== prev) return `checkpoint over ${cp.size} records: its root or head differs from the stored records`;
    }
    return null;
  };
  const atZero = checkAt(0);
  if (atZero) return report(0, checked, atZero);
  for (let from = 0; ; from += PAGE) {
    // Records as stored (cs_centre_records: the segments' lines and hashes, pg-centre-007).
    const rows = (await pool.query(`SELECT r.seq, r.hash, r.prev, r.text, e.erasure FROM cs_centre_records($1, $2, $3) r
      LEFT JOIN centre_erased e ON e.node_id = r.node_id AND e.seq = r.seq ORDER BY r.seq`, [node.id, from, from + PAGE])).rows;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== stack.size) return report(stack.size, checked, `record ${stack.size} is missing`);
      const text = String(r.text);
      if (text === '' && r.erasure !== null && r.erasure !== undefined) {
        // Erased at the centre (pg-centre-erasure-001): its content is gone, its stored prev and leaf hash stay in the chain.
        if ((r.prev as Buffer).toString('hex') !== prev) return report(seq, checked, `record ${seq} (erased: ${String(r.erasure)}) does not link to record ${seq - 1}`);
        stack.append(r.hash as Buffer, 0);
        prev = (r.hash as Buffer).toString('hex');
        erased++;
        const bad = checkAt(stack.size);
        if (bad) return report(stack.size, checked, bad);
        continue;
      }
      const hash = leafHashOfText(text);
      if (!hash.equals(r.hash as Buffer)) return report(seq, checked, `record ${seq}: the stored hash is not the hash of the stored text`);
      let head: { seq?: unknown; node?: unknown; prev?: unknown };
      try { head = JSON.parse(text) as typeof head; } catch { return report(seq, checked, `record ${seq}: not JSON`); }
      if (head.seq !== seq || head.node !== fingerprint) return report(seq, checked, `record ${seq}: its text names another seq or node`);
      if (head.prev !== prev) return report(seq, checked, `record ${seq} does not link to record ${seq - 1}`);
      stack.append(hash, 0);
      prev = hash.toString('hex');
      const bad = checkAt(stack.size);
      if (bad) return report(stack.size, checked, bad);
    }
    if (rows.length < PAGE) break;
  }
  if (checked < cps.length) return report(stack.size, checked, `checkpoint over ${cps[checked]!.size} records: only ${stack.size} records are stored`);
  return report(stack.size, checked, null);
}
