import { RECORD_VERSION } from '../record.ts';
import type { JsonBytes } from './json-bytes.ts';

const AT = Buffer.from('{"at":');
const PREV = Buffer.from(',"prev":"');
const SEQ = Buffer.from('","seq":');
const VERSION = Buffer.from(`,"v":${RECORD_VERSION}}`);

/**
 * Writes a record's text as UTF-8 from its obs JSON bytes: the layout of recordTextOfJson in
 * evidence/record.ts, {"at":..,"kind":..,"node":..,"obs":..,"prev":..,"seq":..,"v":1}, which
 * test/unit/evidence/chain-hasher.test.ts holds this equal to. Exports re-derive records with
 * recordTextOfJson, so a difference would also show there as a broken chain, never pass unseen.
 * The caller checks at and seq are safe integers and node and prev lowercase hex.
 */
export class RecordBytes {
  #node = '';
  /** `,"kind":<kind>,"node":"<node>","obs":` by kind, for #node. */
  readonly #middles = new Map<string, Buffer>();

  write(out: JsonBytes, kind: string, at: number, obs: Uint8Array, seq: number, prev: string, node: string): void {
    out.bytes(AT);
    out.int(at);
    out.bytes(this.#middle(kind, node));
    out.bytes(obs);
    out.bytes(PREV);
    out.raw(prev);
    out.bytes(SEQ);
    out.int(seq);
    out.bytes(VERSION);
  }

  #middle(kind: string, node: string): Buffer {
    if (node !== this.#node) { this.#middles.clear(); this.#node = node; }
    let m = this.#middles.get(kind);
    if (!m) this.#middles.set(kind, m = Buffer.from(`,"kind":${JSON.stringify(kind)},"node":"${node}","obs":`));
    return m;
  }
}
