import { type BencodeLimits, decodePrefix, encode } from '../../bencode/index.ts';
import { WireError, bencodeWireError } from './errors.ts';
import { MAX_METADATA_SIZE } from './extended.ts';

/** BEP 9: the info dictionary is exchanged in 16 KiB pieces; only the last may be shorter. */
export const METADATA_PIECE_SIZE = 16384;
/** Pieces of the largest metadata we accept (MAX_METADATA_SIZE / 16 KiB). */
export const MAX_METADATA_PIECES = MAX_METADATA_SIZE / METADATA_PIECE_SIZE;

export type MetadataMessage =
  | { msgType: 'request'; piece: number }
  | { msgType: 'data'; piece: number; totalSize: number; data: Uint8Array }
  | { msgType: 'reject'; piece: number };

/**
 * BEP 9: "an unrecognized message ID MUST be ignored". Thrown for such
 * messages so a caller can tell them from malformed ones (instanceof) and
 * carry on instead of disconnecting.
 */
export class UnknownMetadataMessageError extends WireError {
  readonly msgType: number;
  constructor(msgType: number) {
    super(`metadata:unknown-msg-type:${msgType}`);
    this.msgType = msgType;
  }
}

// BEP 9 msg_type values.
const REQUEST = 0, DATA = 1, REJECT = 2;
/** The dictionary holds three integers; anything deep or large is hostile. */
const LIMITS: BencodeLimits = { maxDepth: 2, maxItems: 32, maxStringLength: 256 };

/** Decodes a ut_metadata payload (after the extended message id byte). */
export function decodeMetadataMessage(payload: Uint8Array): MetadataMessage {
  let value, end;
  try {
    ({ value, end } = decodePrefix(payload, LIMITS));
  } catch (e) {
    throw bencodeWireError(e, 'ut_metadata');
  }
  if (!(value instanceof Map)) throw new WireError('metadata:not-a-dict');
  const msgType = value.get('msg_type');
  const piece = value.get('piece');
  if (typeof msgType !== 'number') throw new WireError('metadata:bad-msg-type');
  if (msgType !== REQUEST && msgType !== DATA && msgType !== REJECT) throw new UnknownMetadataMessageError(msgType);
  if (typeof piece !== 'number' || piece < 0 || piece >= MAX_METADATA_PIECES) throw new WireError('metadata:bad-piece', String(piece));
  const tail = payload.length - end;

  if (msgType === REQUEST || msgType === REJECT) {
    if (tail !== 0) throw new WireError('metadata:trailing-bytes', `${tail} bytes`);
    return msgType === REQUEST ? { msgType: 'request', piece } : { msgType: 'reject', piece };
  }
  // BEP 9: a data message carries total_size and the piece's bytes after the dictionary.
  const totalSize = value.get('total_size');
  if (typeof totalSize !== 'number' || totalSize < 1 || totalSize > MAX_METADATA_SIZE) throw new WireError('metadata:bad-total-size', String(totalSize));
  if (piece >= metadataPieceCount(totalSize)) throw new WireError('metadata:bad-piece', `${piece} of ${totalSize} bytes`);
  if (tail !== expectedPieceLength(piece, totalSize)) throw new WireError('metadata:bad-data-length', `${tail} bytes for piece ${piece}`);
  return { msgType: 'data', piece, totalSize, data: payload.subarray(end) };
}

export function encodeMetadataRequest(piece: number): Uint8Array {
  return encode({ msg_type: REQUEST, piece: checkPiece(piece) });
}

export function encodeMetadataData(piece: number, totalSize: number, data: Uint8Array): Uint8Array {
  checkPiece(piece);
  if (!Number.isSafeInteger(totalSize) || totalSize < 1) throw new RangeError(`bad metadata total size ${totalSize}`);
  if (data.length !== expectedPieceLength(piece, totalSize)) {
    throw new RangeError(`metadata piece ${piece} of ${totalSize} bytes must be ${expectedPieceLength(piece, totalSize)} bytes, got ${data.length}`);
  }
  const dict = encode({ msg_type: DATA, piece, total_size: totalSize });
  const out = new Uint8Array(dict.length + data.length);
  out.set(dict);
  out.set(data, dict.length);
  return out;
}

export function encodeMetadataReject(piece: number): Uint8Array {
  return encode({ msg_type: REJECT, piece: checkPiece(piece) });
}

export function metadataPieceCount(totalSize: number): number {
  if (!Number.isSafeInteger(totalSize) || totalSize < 0) throw new RangeError(`bad metadata total size ${totalSize}`);
  return Math.ceil(totalSize / METADATA_PIECE_SIZE);
}

/** 16 KiB for every piece but the last, which holds the remainder (BEP 9). -1 if the piece does not exist. */
function expectedPieceLength(piece: number, totalSize: number): number {
  const start = piece * METADATA_PIECE_SIZE;
  if (start >= totalSize) return -1;
  return Math.min(METADATA_PIECE_SIZE, totalSize - start);
}

function checkPiece(piece: number): number {
  if (!Number.isSafeInteger(piece) || piece < 0) throw new RangeError(`bad metadata piece ${piece}`);
  return piece;
}
