import { MAX_BITFIELD_PIECES, MessageId } from './constants.ts';
import { WireError } from './errors.ts';

/**
 * Every peer-wire message after the handshake (BEP 3, BEP 5, BEP 6, BEP 10).
 * Byte fields of decoded messages are views into the decoded body, not copies.
 */
export type Message =
  | { type: 'keep-alive' }
  | { type: 'choke' }
  | { type: 'unchoke' }
  | { type: 'interested' }
  | { type: 'not-interested' }
  | { type: 'have'; index: number }
  | { type: 'bitfield'; bitfield: Uint8Array }
  | { type: 'request'; index: number; begin: number; length: number }
  | { type: 'piece'; index: number; begin: number; block: Uint8Array }
  | { type: 'cancel'; index: number; begin: number; length: number }
  | { type: 'port'; port: number }
  | { type: 'suggest'; index: number }
  | { type: 'have-all' }
  | { type: 'have-none' }
  | { type: 'reject'; index: number; begin: number; length: number }
  | { type: 'allowed-fast'; index: number }
  | { type: 'extended'; id: number; payload: Uint8Array };

export type MessageType = Message['type'];

/** keep-alive: <len=0000> */
const KEEP_ALIVE = Uint8Array.of(0, 0, 0, 0);
/** choke: <len=0001><id=0> */
const CHOKE = Uint8Array.of(0, 0, 0, 1, MessageId.choke);
/** unchoke: <len=0001><id=1> */
const UNCHOKE = Uint8Array.of(0, 0, 0, 1, MessageId.unchoke);
/** interested: <len=0001><id=2> */
const INTERESTED = Uint8Array.of(0, 0, 0, 1, MessageId.interested);
/** not interested: <len=0001><id=3> */
const NOT_INTERESTED = Uint8Array.of(0, 0, 0, 1, MessageId.notInterested);
/** have all (BEP 6): <len=0001><id=14> */
const HAVE_ALL = Uint8Array.of(0, 0, 0, 1, MessageId.haveAll);
/** have none (BEP 6): <len=0001><id=15> */
const HAVE_NONE = Uint8Array.of(0, 0, 0, 1, MessageId.haveNone);

/** Encodes a whole frame, including the 4-byte big-endian length prefix. */
export function encodeMessage(m: Message): Uint8Array {
  switch (m.type) {
    // Copies, so that a caller mutating a result cannot corrupt the shared constants.
    case 'keep-alive': return KEEP_ALIVE.slice();
    case 'choke': return CHOKE.slice();
    case 'unchoke': return UNCHOKE.slice();
    case 'interested': return INTERESTED.slice();
    case 'not-interested': return NOT_INTERESTED.slice();
    case 'have-all': return HAVE_ALL.slice();
    case 'have-none': return HAVE_NONE.slice();
    /** have: <len=0005><id=4><piece index> */
    case 'have': return frame(MessageId.have, [m.index]);
    /** suggest (BEP 6): <len=0005><id=13><piece index> */
    case 'suggest': return frame(MessageId.suggest, [m.index]);
    /** allowed fast (BEP 6): <len=0005><id=17><piece index> */
    case 'allowed-fast': return frame(MessageId.allowedFast, [m.index]);
    /** request: <len=0013><id=6><index><begin><length> */
    case 'request': return frame(MessageId.request, [m.index, m.begin, m.length]);
    /** cancel: <len=0013><id=8><index><begin><length> */
    case 'cancel': return frame(MessageId.cancel, [m.index, m.begin, m.length]);
    /** reject request (BEP 6): <len=0013><id=16><index><begin><length> */
    case 'reject': return frame(MessageId.reject, [m.index, m.begin, m.length]);
    /** bitfield: <len=0001+X><id=5><bitfield> */
    case 'bitfield': return frame(MessageId.bitfield, [], m.bitfield);
    /** piece: <len=0009+X><id=7><index><begin><block> */
    case 'piece': return frame(MessageId.piece, [m.index, m.begin], m.block);
    case 'port': {
      /** port (BEP 5): <len=0003><id=9><listen-port, 2 bytes> */
      if (!Number.isInteger(m.port) || m.port < 0 || m.port > 0xffff) throw new RangeError(`port out of range: ${m.port}`);
      return Uint8Array.of(0, 0, 0, 3, MessageId.port, m.port >>> 8, m.port & 0xff);
    }
    case 'extended': {
      /** extended (BEP 10): <len=0002+X><id=20><extended message id><payload> */
      if (!Number.isInteger(m.id) || m.id < 0 || m.id > 0xff) throw new RangeError(`extended message id out of range: ${m.id}`);
      const out = new Uint8Array(4 + 2 + m.payload.length);
      new DataView(out.buffer).setUint32(0, 2 + m.payload.length);
      out[4] = MessageId.extended;
      out[5] = m.id;
      out.set(m.payload, 6);
      return out;
    }
  }
}

/**
 * The 13-byte prefix of a piece message, <len=0009+X><id=7><index><begin>,
 * so the seeder can write it and then the block without concatenating.
 */
export function encodePieceHeader(index: number, begin: number, blockLength: number): Uint8Array {
  checkU32(blockLength, 'blockLength');
  const out = new Uint8Array(13);
  const v = new DataView(out.buffer);
  if (9 + blockLength > 0xffffffff) throw new RangeError(`block too long: ${blockLength}`);
  v.setUint32(0, 9 + blockLength);
  out[4] = MessageId.piece;
  v.setUint32(5, checkU32(index, 'index'));
  v.setUint32(9, checkU32(begin, 'begin'));
  return out;
}

/**
 * Decodes one frame body (the bytes after the length prefix; empty = keep-alive).
 * Fixed-size messages must have exactly their size, as libtorrent enforces:
 * a peer that gets these wrong is broken or probing, and we disconnect it.
 */
export function decodeMessage(body: Uint8Array): Message {
  if (body.length === 0) return { type: 'keep-alive' };
  const id = body[0] as number;
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const u32 = (at: number): number => v.getUint32(at);
  switch (id) {
    case MessageId.choke: return exact(body, 1, { type: 'choke' });
    case MessageId.unchoke: return exact(body, 1, { type: 'unchoke' });
    case MessageId.interested: return exact(body, 1, { type: 'interested' });
    case MessageId.notInterested: return exact(body, 1, { type: 'not-interested' });
    case MessageId.haveAll: return exact(body, 1, { type: 'have-all' });
    case MessageId.haveNone: return exact(body, 1, { type: 'have-none' });
    case MessageId.have: need(body, 5, 'have'); return { type: 'have', index: u32(1) };
    case MessageId.suggest: need(body, 5, 'suggest'); return { type: 'suggest', index: u32(1) };
    case MessageId.allowedFast: need(body, 5, 'allowed-fast'); return { type: 'allowed-fast', index: u32(1) };
    case MessageId.request: need(body, 13, 'request'); return { type: 'request', index: u32(1), begin: u32(5), length: u32(9) };
    case MessageId.cancel: need(body, 13, 'cancel'); return { type: 'cancel', index: u32(1), begin: u32(5), length: u32(9) };
    case MessageId.reject: need(body, 13, 'reject'); return { type: 'reject', index: u32(1), begin: u32(5), length: u32(9) };
    case MessageId.port: need(body, 3, 'port'); return { type: 'port', port: v.getUint16(1) };
    case MessageId.bitfield:
      // One bit per piece; larger bitfields than MAX_BITFIELD_PIECES describe no torrent we serve.
      if (body.length - 1 > MAX_BITFIELD_PIECES / 8) throw new WireError('bad-length:bitfield', `${body.length} bytes`);
      return { type: 'bitfield', bitfield: body.subarray(1) };
    case MessageId.piece:
      if (body.length < 9) throw new WireError('bad-length:piece', `${body.length} bytes`);
      return { type: 'piece', index: u32(1), begin: u32(5), block: body.subarray(9) };
    case MessageId.extended:
      // BEP 10: at least the extended message id byte.
      if (body.length < 2) throw new WireError('bad-length:extended', `${body.length} bytes`);
      return { type: 'extended', id: body[1] as number, payload: body.subarray(2) };
    default:
      throw new WireError(`unknown-message-id:${id}`);
  }
}

function need(body: Uint8Array, n: number, type: MessageType): void {
  if (body.length !== n) throw new WireError(`bad-length:${type}`, `${body.length} bytes, expected ${n}`);
}

function exact<M extends Message>(body: Uint8Array, n: number, m: M): M {
  need(body, n, m.type);
  return m;
}

/** <len><id><u32...><tail>, for the variable and integer-carrying messages. */
function frame(id: number, ints: readonly number[], tail?: Uint8Array): Uint8Array {
  const bodyLength = 1 + 4 * ints.length + (tail?.length ?? 0);
  const out = new Uint8Array(4 + bodyLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, bodyLength);
  out[4] = id;
  ints.forEach((n, i) => v.setUint32(5 + 4 * i, checkU32(n, 'field')));
  if (tail) out.set(tail, 5 + 4 * ints.length);
  return out;
}

function checkU32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what} is not a uint32: ${n}`);
  return n;
}
