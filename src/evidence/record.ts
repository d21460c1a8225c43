import type { Observation } from '../domain/observation.ts';
import { canonicalJson } from './canonical-json.ts';
import { CanonicalEncodingError } from './errors.ts';
import { leafHashOfText } from './merkle.ts';

/** Records that are not network observations: the node's own statements (clock source and sync state). */
export interface ClockStatement {
  readonly kind: 'clock';
  readonly at: number;
  /** Kernel clocksource and the sync daemon seen, e.g. "tsc; systemd-timesyncd". */
  readonly source: string;
  readonly syncState: 'synchronized' | 'unsynchronized' | 'unknown';
  /** Measured NTP offset in ms (live mode only), null when not measured. */
  readonly ntpOffsetMs: number | null;
  readonly ntpServer: string | null;
  readonly note: string;
}

export type Recordable = Observation | ClockStatement;

/**
 * Record schema versions. v1: the first schema. v2 (issue 16, item 3): the same header, and `obs`
 * also holds `network` and `contentId` (domain/content-id.ts). A record is v2 exactly when its
 * observation names its network; observations without one stay v1, byte for byte as before, so
 * records written by older versions re-derive and verify unchanged.
 */
export const RECORD_VERSION = 1;
export const RECORD_VERSION_NETWORK = 2;
export type RecordVersion = typeof RECORD_VERSION | typeof RECORD_VERSION_NETWORK;
/** The obs fields a v2 record adds, absent from v1 records. */
export const V2_FIELDS = ['contentId', 'network'] as const;
export const GENESIS_PREV = '0'.repeat(64);

/**
 * One chained record (canonical JSON, see canonical-json.ts):
 * {"at":<UTC ms>,"kind":<string>,"node":<key fingerprint>,"obs":{...},"prev":<hex hash of seq-1>,"seq":<n>,"v":1 or 2}
 * `obs` is the recordable without its `kind`. The record hash is SHA-256(0x00 || UTF-8 bytes),
 * i.e. the RFC 9162 leaf hash, so one hash serves both the chain and the Merkle tree.
 */
export interface ChainedRecord {
  readonly seq: number;
  readonly kind: string;
  readonly at: number;
  readonly text: string;
  readonly hash: Buffer;
}

/** The primary UTC instant of a recordable (a delivery: its start). */
export function recordTime(o: Recordable): number {
  return o.kind === 'delivery' ? o.startedAt : o.at;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The record text. `fields` is the recordable without its kind; `prev` and `node` must be 64 lowercase
 * hex digits (checked by encodeRecord, and by EvidenceLog once per node and per head read).
 */
export function recordText(kind: string, at: number, fields: Record<string, unknown>, seq: number, prev: string, node: string): string {
  const v = recordVersionOf(kind, fields);
  return recordTextOfJson(kind, at, canonicalJson(v === RECORD_VERSION_NETWORK ? { ...fields, contentId: fields['contentId'] ?? null } : v1Fields(kind, fields)), seq, prev, node, v);
}

/**
 * v2 when the observation names its network, else v1. Aggregates are always v1: their `network`
 * field is the source address prefix (an IP network), not a P2P network.
 */
export function recordVersionOf(kind: string, fields: Record<string, unknown>): RecordVersion {
  return kind !== 'aggregate' && fields['network'] !== undefined && fields['network'] !== null ? RECORD_VERSION_NETWORK : RECORD_VERSION;
}

/** A v1 record's fields: never the v2 ones, not even as null; a content id without its network is refused. */
function v1Fields(kind: string, fields: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'aggregate' || !('network' in fields || 'contentId' in fields)) return fields;
  const { network: _n, contentId, ...v1 } = fields;
  if (contentId !== undefined && contentId !== null) throw new CanonicalEncodingError(`content id ${String(contentId)} without a network`);
  return v1;
}

/** recordText with `obs` already in canonical JSON (the store's record codecs write it from row values). */
export function recordTextOfJson(kind: string, at: unknown, obsJson: string, seq: number, prev: string, node: string, v: RecordVersion = RECORD_VERSION): string {
  if (!Number.isSafeInteger(at) || !Number.isSafeInteger(seq)) throw new CanonicalEncodingError(`bad record header (at ${String(at)}, seq ${seq})`);
  // The outer keys are written in their canonical (sorted) order by hand: at, kind, node, obs, prev, seq, v.
  return `{"at":${at as number},"kind":${JSON.stringify(kind)},"node":"${node}","obs":${obsJson},"prev":"${prev}","seq":${seq},"v":${v}}`;
}

export function encodeRecord(o: Recordable, seq: number, prev: string, node: string): ChainedRecord {
  if (!HEX64.test(prev) || !HEX64.test(node)) throw new CanonicalEncodingError(`bad record header (prev ${prev}, node ${node})`);
  const { kind, ...fields } = o;
  const at = recordTime(o);
  const text = recordText(kind, at, fields, seq, prev, node);
  return { seq, kind, at, text, hash: leafHashOfText(text) };
}

export const isHex64 = (s: string): boolean => HEX64.test(s);
