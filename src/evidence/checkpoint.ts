import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

export const CHECKPOINT_TYPE_V1 = 'counterseed-checkpoint/v1';
export const CHECKPOINT_TYPE_V2 = 'counterseed-checkpoint/v2';
export const CHECKPOINT_TYPE_V3 = 'counterseed-checkpoint/v3';
export const CHECKPOINT_TYPE = 'counterseed-checkpoint/v4';

/**
 * A signed tree head (cf. RFC 9162 section 4.10): the node commits to the first `treeSize`
 * records. `head` is the hash of record treeSize-1, tying the Merkle view to the chain view.
 * v2 adds the key index (src/evidence/key-index.ts): `index` is the root of the sorted map of
 * keys ("ip:…", "decoy:…") over every record below tree_size, and `index_size` its number of leaves.
 * v3 has the same fields; its index also files every record under the UTC hour of its time
 * ("time:2026-12-06T07"), so that a selection by time has a completeness proof too. A log whose
 * newest index is v2 has its index rebuilt from record 0 at its first v3 checkpoint.
 * v4 has the same fields; its index files records under the UTC minute ("time:2026-12-06T07:42"),
 * not the hour, so that a window's proof carries the links of at most two minutes' records outside
 * it, not two hours'. An index signed in v3 is rebuilt from record 0 at the first v4 checkpoint.
 * v1 (no index): every checkpoint signed before evidence-004, and the node's own ones until issue 17's
 * incremental audit (every checkpoint is audited and indexed since).
 */
export interface CheckpointBody {
  readonly type: typeof CHECKPOINT_TYPE | typeof CHECKPOINT_TYPE_V3 | typeof CHECKPOINT_TYPE_V2 | typeof CHECKPOINT_TYPE_V1;
  readonly node: string;
  readonly tree_size: number;
  readonly root: string;
  readonly head: string;
  readonly at: number;
  readonly index?: string;
  readonly index_size?: number;
}

export interface SignedCheckpoint {
  readonly body: CheckpointBody;
  /** The exact canonical JSON that was signed. */
  readonly text: string;
  /** Ed25519 signature (RFC 8032, pure, no pre-hash) over the UTF-8 of `text`, base64. */
  readonly signature: string;
}

export function signCheckpoint(body: CheckpointBody, key: KeyObject): SignedCheckpoint {
  const text = canonicalJson(body);
  return { body, text, signature: sign(null, Buffer.from(text, 'utf8'), key).toString('base64') };
}

export function verifyCheckpoint(cp: { text: string; signature: string }, pub: KeyObject): boolean {
  return verify(null, Buffer.from(cp.text, 'utf8'), pub, Buffer.from(cp.signature, 'base64'));
}
