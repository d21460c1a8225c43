import { purposeBanner, type DataPurpose } from '../domain/data-purpose.ts';
import { formatFingerprint } from '../evidence/keys.ts';

/** README.txt of an export package: what each file is and how to check it without counterseed. */
export function readmeText(o: { node: string; records: number; erased?: number; deliveries: number; treeSize: number; selection: string; createdAt: number; completeness?: string | undefined; published?: number | undefined; purpose?: DataPurpose }): string {
  const banner = o.purpose === undefined ? undefined : purposeBanner(o.purpose);
  return `${banner ? `${banner.toUpperCase()} (manifest.json: "purpose": "${o.purpose}")\n\n` : ''}counterseed evidence export
===========================

Created (UTC):      ${new Date(o.createdAt).toISOString()}
Selection:          ${o.selection}
Records:            ${o.records} (${o.deliveries} deliveries)
${o.erased ? `Erased records:     ${o.erased}, erased under the retention rules: in erased.json as stubs (seq, time, hash,
                    erasure), without their content; the proofs go through them
` : ''}Signed checkpoint:  tree of ${o.treeSize} records
Completeness:       ${o.completeness ? `every record of ${o.completeness} in the selection, proved against the checkpoint's key index` : 'not proved for this selection (a checkpoint before v3, or a selection by record kind)'}
Earlier checkpoints: ${o.published === undefined ? 'none shipped' : `${o.published} published checkpoint(s), each with a consistency proof`}
Node key:           ${formatFingerprint(o.node)}
                    (SHA-256 of the raw Ed25519 public key in public-key.pem)

FIRST compare the node key fingerprint above with the one the operating police unit
published. Everything below proves only that this package was signed by THAT key.

Files
-----
records.ndjson   the raw evidence records, one per line, exactly the bytes that were hashed.
                 Canonical JSON (RFC 8785, integers only). Each record holds seq (its position
                 in the node's log), prev (hash of record seq-1) and obs (the observation).
                 Schema v (1 or 2): a v2 obs also names its P2P network and a network-neutral
                 contentId (btih:<infohash> for BitTorrent v1; btmh:, ed2k: for others).
                 record hash = SHA-256(0x00 || line bytes)   (RFC 9162 leaf hash)
proofs.json      for every record an RFC 9162 inclusion proof (audit path) against the
                 signed checkpoint: the record is at position seq in the log the node signed.
erased.json      (only when the selection spans records erased under the retention rules)
                 one stub per erased record the proofs need: {seq, at, hash, erased: {at,
                 erasure}, path}. Its content is gone; its hash is still the leaf at position
                 seq of the signed tree (path), and the key index still counts it. The verifier
                 reports each as erased, with its erasure reference, and never as a delivered record.
completeness.json the selected key's leaf in the key index the checkpoint signs, with the links
                 of the key's records outside the time window: proof that no record of that IP
                 or decoy was left out (or, for a key with no records, the neighbouring leaves
                 that prove it has none). By IP: also the IP's /24 or /48 network key (aggregate
                 records). By IP and decoy: the IP's proof, with the texts of its records of
                 other decoys. By time: the leaves of every minute of the window.
consistency.json the checkpoints the node published earlier (its checkpoints.ndjson), each with
                 an RFC 9162 consistency proof: this log extends every one of them.
checkpoint.json  the signed tree head: {text, signature}; signature = Ed25519 over text.
manifest.json    list of records and SHA-256 of every file; manifest.sig = Ed25519 over it.
public-key.pem   the node's Ed25519 public key (SubjectPublicKeyInfo).
deliveries.csv   the deliveries for people (RFC 4180). One row per delivery record: remote IP,
                 source port, UTC start and end (ms), decoy name, infohash, content SHA-256,
                 bytes served, client and completion. Cells starting with = + - @ get a
                 leading ' so spreadsheets do not run them.
decoys.json      the decoys concerned: name, size, content SHA-256 and the bencoded info
                 dictionary (base64); SHA-1 of it is the infohash in the records (BEP 3).
case.jsonld      the same deliveries in CASE/UCO 1.4.0 JSON-LD (NetworkConnection, Action, File,
                 ProvenanceRecord); IRIs end in a UUIDv5 of node key, seq and record hash, so
                 packages from several nodes merge without collisions.
tool.json        node_runs: each start of the node that recorded these records, with its
                 settings and what it presented (address, port, tracker URLs, peer id);
                 config: the export command's own settings, with their SHA-256.

Times are UTC, milliseconds. Clock records (kind "clock") say which clock source and sync
state the node had when the deliveries were recorded.
Session-progress records (kind "session-progress") record a delivery session while it was
open: "open" when the handshakes were done, "progress" every few seconds while data was
served, with the totals so far and the byte ranges served since the previous record
(newRanges). A session's "delivery" record is its final account. A session whose node stopped
uncleanly (crash, power loss) has no delivery record; the node's next start then wrote an
"interrupted" record carrying the counters of the session's last progress record (taken at
progressAt) and the union of its records' ranges, right after an "unclean-shutdown" record (docs/crash-recovery.md in counterseed).

How to verify
-------------
With Node.js 20 or later and nothing else:
    node verify.mjs .  [--key-fingerprint HEX] [--published FILE]
(FILE: checkpoints the police unit published or a witness holds, one {"signature","text"} per line)
verify.mjs is the standalone verifier from counterseed's verifier/ directory (zero
dependencies); with counterseed installed: counterseed evidence verify PATH.
It checks the manifest signature and file hashes, the checkpoint signature, every record
hash, the chain links between consecutive records, every inclusion proof, the completeness
and consistency proofs, that deliveries.csv says exactly what records.ndjson says, the decoys' infohashes and the
configuration hash. It exits 0 only if everything holds.

The checks are simple enough to redo by hand: see verifier/README.md.
`;
}
