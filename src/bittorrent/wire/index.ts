export { WireError, bencodeWireError } from './errors.ts';
export {
  MessageId, PROTOCOL, HANDSHAKE_LENGTH, LENGTH_PREFIX, BLOCK_SIZE, MAX_REQUEST_LENGTH,
  MAX_BITFIELD_PIECES, MAX_FRAME_LENGTH,
} from './constants.ts';
export {
  type Handshake, type ReservedFlags, encodeHandshake, decodeHandshake, isProtocolPrefix, makeReserved, reservedFlags,
} from './handshake.ts';
export { type Message, type MessageType, encodeMessage, encodePieceHeader, decodeMessage } from './messages.ts';
export { type FramerLimits, type Frame, DEFAULT_FRAMER_LIMITS, Framer } from './framer.ts';
export {
  type ExtendedHandshake, EXTENDED_HANDSHAKE_ID, MAX_EXTENSIONS, MAX_EXTENSION_ID, MAX_CLIENT_VERSION_BYTES,
  MAX_METADATA_SIZE, encodeExtendedHandshake, decodeExtendedHandshake,
} from './extended.ts';
export {
  type MetadataMessage, METADATA_PIECE_SIZE, MAX_METADATA_PIECES, UnknownMetadataMessageError,
  decodeMetadataMessage, encodeMetadataRequest, encodeMetadataData, encodeMetadataReject, metadataPieceCount,
} from './metadata.ts';
export { parseClient, peerIdToHex } from './peer-id.ts';
