import { type BDict, type BencodeLimits, type Encodable, decode, encode } from '../../bencode/index.ts';
import { WireError, bencodeWireError } from './errors.ts';

/** The BEP 10 handshake: extended message id 0, a bencoded dictionary. */
export interface ExtendedHandshake {
  /** Extension name -> the message id the sender wants to receive it on; 0 means disabled (BEP 10). */
  m: Map<string, number>;
  /** BEP 9: size of the info dictionary in bytes. */
  metadataSize?: number;
  /** BEP 21: the sender will not download (we always say so). */
  uploadOnly?: boolean;
  /** Client name and version, UTF-8. */
  v?: string;
  /** Sender's listen port. */
  p?: number;
  /** The receiver's address as the sender sees it: 4 (IPv4) or 16 (IPv6) bytes. */
  yourip?: Uint8Array;
  /** Number of outstanding requests the sender accepts. */
  reqq?: number;
}

export const EXTENDED_HANDSHAKE_ID = 0;
export const MAX_EXTENSIONS = 64;
/** BEP 10 ids are one byte. */
export const MAX_EXTENSION_ID = 255;
export const MAX_CLIENT_VERSION_BYTES = 128;
/** BEP 9 metadata of a decoy is a few KiB; 16 MiB is beyond any sane info dictionary (libtorrent's default cap is 30 MiB for all torrents, 16 MiB is ample for ours). */
export const MAX_METADATA_SIZE = 16 * 1024 * 1024;

/** The whole dictionary is a few dozen values; unknown keys are allowed but bounded. */
const LIMITS: BencodeLimits = { maxDepth: 4, maxItems: 1024, maxStringLength: 4096 };
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Payload only: it travels inside an `extended` message with id 0. */
export function encodeExtendedHandshake(h: ExtendedHandshake): Uint8Array {
  if (h.m.size > MAX_EXTENSIONS) throw new RangeError(`more than ${MAX_EXTENSIONS} extensions`);
  for (const [name, id] of h.m) {
    if (!Number.isInteger(id) || id < 0 || id > MAX_EXTENSION_ID) throw new RangeError(`extension ${name} has id ${id}`);
  }
  const d: Record<string, Encodable | undefined> = {
    m: h.m,
    metadata_size: h.metadataSize,
    upload_only: h.uploadOnly === undefined ? undefined : h.uploadOnly ? 1 : 0,
    v: h.v,
    p: h.p,
    yourip: h.yourip,
    reqq: h.reqq,
  };
  return encode(d);
}

/**
 * Decodes a peer's extended handshake. Limits from this module's constants
 * throw a WireError; a known key of the wrong type is ignored as if absent,
 * and unknown keys are ignored (BEP 10: "unrecognized keys should be ignored").
 */
export function decodeExtendedHandshake(payload: Uint8Array): ExtendedHandshake {
  let root;
  try {
    root = decode(payload, LIMITS);
  } catch (e) {
    throw bencodeWireError(e, 'extended handshake');
  }
  if (!(root instanceof Map)) throw new WireError('bad-extended-handshake:not-a-dict');
  const out: ExtendedHandshake = { m: decodeM(root.get('m')) };

  const rawSize = root.get('metadata_size');
  if (typeof rawSize === 'bigint') throw new WireError('bad-extended-handshake:metadata-size', String(rawSize));
  const metadataSize = int(root, 'metadata_size');
  if (metadataSize !== undefined) {
    if (metadataSize < 0 || metadataSize > MAX_METADATA_SIZE) throw new WireError('bad-extended-handshake:metadata-size', String(metadataSize));
    out.metadataSize = metadataSize;
  }
  const uploadOnly = int(root, 'upload_only');
  if (uploadOnly !== undefined) out.uploadOnly = uploadOnly !== 0;
  const v = bytes(root, 'v');
  if (v !== undefined) {
    if (v.length > MAX_CLIENT_VERSION_BYTES) throw new WireError('bad-extended-handshake:v-too-long', `${v.length} bytes`);
    out.v = utf8.decode(v);
  }
  const p = int(root, 'p');
  if (p !== undefined && p >= 1 && p <= 0xffff) out.p = p;
  const yourip = bytes(root, 'yourip');
  if (yourip !== undefined && (yourip.length === 4 || yourip.length === 16)) out.yourip = yourip.slice();
  const reqq = int(root, 'reqq');
  if (reqq !== undefined && reqq >= 1) out.reqq = reqq;
  return out;
}

function decodeM(v: unknown): Map<string, number> {
  const m = new Map<string, number>();
  if (!(v instanceof Map)) return m;
  if (v.size > MAX_EXTENSIONS) throw new WireError('bad-extended-handshake:too-many-extensions', `${v.size}`);
  for (const [name, id] of v as BDict) {
    if (typeof id === 'bigint') throw new WireError('bad-extended-handshake:extension-id', `${name}=${id}`);
    if (typeof id !== 'number') continue;
    if (id < 0 || id > MAX_EXTENSION_ID) throw new WireError('bad-extended-handshake:extension-id', `${name}=${id}`);
    m.set(name, id);
  }
  return m;
}

/** Safe integers only: bencode yields bigint for huge ones, which no field here can hold. */
function int(d: BDict, key: string): number | undefined {
  const v = d.get(key);
  return typeof v === 'number' ? v : undefined;
}

function bytes(d: BDict, key: string): Uint8Array | undefined {
  const v = d.get(key);
  return v instanceof Uint8Array ? v : undefined;
}
