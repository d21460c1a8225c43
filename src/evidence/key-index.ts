import { hash } from 'node:crypto';
import { normalizeIp } from '../domain/ip-address.ts';
import { canonicalJson } from './canonical-json.ts';
import { HASH_LEN } from './merkle.ts';

/**
 * The key index committed in every signed checkpoint (docs/completeness.md). Each record is filed
 * under the keys of its table's declared ip and decoy fields: "ip:<address>" and "decoy:<id>". Per
 * key the index holds the number of records and an accumulator over them in seq order:
 *
 *   acc_0 = 32 zero bytes
 *   acc_k = SHA-256(acc_(k-1) || seq as 8-byte big-endian || at as 8-byte big-endian || record hash)
 *
 * so the (seq, time, hash) of every record of the key is committed, in order, by 32 bytes. The
 * leaves of the map are the canonical JSON {"acc":hex,"count":n,"key":key}, sorted by key, in an
 * RFC 9162 tree (leaf hash SHA-256(0x00 || text)), whose root is the checkpoint's `index`. A
 * verifier given a key's leaf, its inclusion path and the links of the key's records can recompute
 * the accumulator and so check that no record of the key was left out (non-omission); two
 * neighbouring leaves prove that a key has no records at all (absence).
 */
export const ACC_ZERO: Buffer = Buffer.alloc(HASH_LEN);

const stepInput = Buffer.alloc(HASH_LEN + 16 + HASH_LEN);

export function accStep(acc: Uint8Array, seq: number, at: number, recordHash: Uint8Array): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 0 || !Number.isSafeInteger(at)) throw new RangeError(`bad index entry (seq ${seq}, at ${at})`);
  stepInput.set(acc, 0);
  writeInt64BE(stepInput, seq, HASH_LEN);
  writeInt64BE(stepInput, at, HASH_LEN + 8);
  stepInput.set(recordHash, HASH_LEN + 16);
  return hash('sha256', stepInput, 'buffer');
}

/** A safe integer as 8 bytes, big-endian two's complement (what writeBigInt64BE writes, without a BigInt per call). */
function writeInt64BE(b: Buffer, n: number, at: number): void {
  const hi = Math.floor(n / 2 ** 32);
  b.writeInt32BE(hi, at);
  b.writeUInt32BE(n - hi * 2 ** 32, at + 4);
}

export interface IndexLeaf { readonly key: string; readonly count: number; readonly acc: Buffer }

/** The leaf's bytes: canonical JSON, the one encoding records and checkpoints use. */
export function indexLeafText(l: IndexLeaf): string {
  return canonicalJson({ acc: l.acc.toString('hex'), count: l.count, key: l.key });
}

/**
 * One spelling per address, so that "ip:X" names one key however the row wrote X: the project's one
 * normaliser (domain/ip-address.ts: RFC 5952, IPv4-mapped as IPv4). undefined for text that is not an
 * address (such a record is filed under no ip key). verifier/verify.mjs ipKey() applies the same rules.
 */
export function normaliseIp(ip: string): string | undefined {
  return normalizeIp(ip) ?? undefined;
}

export const ipKey = (ip: string): string | undefined => { const n = normaliseIp(ip); return n === undefined ? undefined : `ip:${n}`; };
export const decoyKey = (id: number): string => `decoy:${id}`;
/**
 * "net:<network address>": where a v3 index files the aggregate records of a source network (its
 * /24 or /48, observation/source-prefix.ts), apart from "ip:" keys, so that a host whose address
 * is a network address (198.51.100.0) keeps a key of its own. An export by IP includes its network's key.
 */
export const networkKeyOf = (network: string): string | undefined => { const n = normaliseIp(network); return n === undefined ? undefined : `net:${n}`; };

/** Records are filed under the UTC minute of their `at` from checkpoint v4 on (v3: the hour; 1970..9999: four-digit years, so the key's text sorts as its time). */
const MAX_TIME_KEYED = Date.UTC(10_000, 0, 1);
const MINUTE_MS = 60_000;

/**
 * "time:YYYY-MM-DDTHH:MM": the UTC minute of a record's `at`. Time keys sort by their minute, so the
 * keys of a time window are consecutive leaves of the sorted map, and a window's proof is that run of
 * leaves with one neighbour at each end (docs/completeness.md). A minute, not an hour (v3): a window
 * carries the links of the records of its first and last key that fall outside it, and an hour of a
 * busy node held up to a million of them. undefined before 1970 or after 9999.
 */
export function timeKey(at: number): string | undefined {
  if (!Number.isSafeInteger(at) || at < 0 || at >= MAX_TIME_KEYED) return undefined;
  const minute = Math.floor(at / MINUTE_MS);
  // Records come in time order, nearly: the last minute's text is kept (toISOString costs ~1 µs).
  if (minute !== lastMinute) { lastMinute = minute; lastMinuteKey = `time:${new Date(minute * MINUTE_MS).toISOString().slice(0, 16)}`; }
  return lastMinuteKey;
}
let lastMinute = -1;
let lastMinuteKey = '';

/** The keys a record is filed under (checkpoint v4): keysOf() and the UTC minute of its `at` (timeKey). */
export function recordKeys(obs: Record<string, unknown>, fields: { readonly ipField?: string; readonly decoyField?: string; readonly networkField?: string }, at: number): string[] {
  const keys = keysOf(obs, fields);
  const t = timeKey(at);
  if (t !== undefined) keys.push(t);
  return keys;
}

/** The keys a record is filed under by its `obs` fields named as the table's ip and decoy fields. */
export function keysOf(obs: Record<string, unknown>, fields: { readonly ipField?: string; readonly decoyField?: string; readonly networkField?: string }): string[] {
  const keys: string[] = [];
  const ip = fields.ipField === undefined ? undefined : obs[fields.ipField];
  if (typeof ip === 'string') { const k = ipKey(ip); if (k) keys.push(k); }
  const net = fields.networkField === undefined ? undefined : obs[fields.networkField];
  if (typeof net === 'string') { const k = networkKeyOf(net); if (k) keys.push(k); }
  const decoy = fields.decoyField === undefined ? undefined : obs[fields.decoyField];
  if (typeof decoy === 'number' && Number.isSafeInteger(decoy)) keys.push(decoyKey(decoy));
  return keys;
}
