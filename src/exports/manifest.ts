import { sign, type KeyObject } from 'node:crypto';
import type { DataPurpose } from '../domain/data-purpose.ts';
import { canonicalJson } from '../evidence/canonical-json.ts';

export const MANIFEST_TYPE = 'counterseed-export/v1';
/**
 * A package that carries erased records as stubs (erased.json, `erased`): v2, so that a verifier from
 * before stubs says "unknown type" instead of reporting the erased records as left out. Every other
 * package stays v1.
 */
export const MANIFEST_TYPE_ERASED = 'counterseed-export/v2';

/** How the selection was asked for: { ip }, { decoy }, { case, ... }, { ips: [...] } (a referral), with from/to. */
export type Selection = Record<string, string | number | readonly string[]>;

/** manifest.json: what the package holds, signed by the node key (manifest.sig) so no file can be swapped, dropped or edited unseen. */
export interface Manifest {
  readonly type: typeof MANIFEST_TYPE | typeof MANIFEST_TYPE_ERASED;
  readonly node: string;
  /**
   * What the node's data directory holds (issue 15 item 2): `evidence`, or `lab`/`synthetic` for
   * simulated records that are never evidence. Signed with the rest, so it cannot be changed unseen.
   * Absent in packages made before it existed.
   */
  readonly purpose: DataPurpose;
  readonly created_at: number;
  readonly tool: { readonly name: string; readonly version: string; readonly config_sha256: string };
  readonly selection: Selection;
  readonly checkpoint: { readonly tree_size: number; readonly root: string };
  /** Sequence numbers of every record in records.ndjson, ascending. */
  readonly records: readonly number[];
  /**
   * v2 only: sequence numbers of the records erased under the retention rules that the selection's
   * proofs go through, ascending; each is a stub in erased.json (seq, time, hash, erasure), never a
   * record in records.ndjson. Signed, so no one can turn a delivered record into a stub unseen.
   */
  readonly erased?: readonly number[];
  readonly deliveries: number;
  /** SHA-256 (hex) of every other file in the package. */
  readonly files: Readonly<Record<string, string>>;
}

/** Returns the manifest file text (canonical JSON) and its detached Ed25519 signature (base64). */
export function signManifest(m: Manifest, key: KeyObject): { text: string; signature: string } {
  const text = canonicalJson(m as unknown as Parameters<typeof canonicalJson>[0]);
  return { text, signature: sign(null, Buffer.from(text, 'utf8'), key).toString('base64') };
}
