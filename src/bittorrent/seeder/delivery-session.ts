import type { DeliveryObservation, Encryption, SessionProgressObservation, Transport } from '../../domain/observation.ts';
import type { PieceSource } from '../../domain/piece-source.ts';
import { uuidV7 } from '../../domain/uuid-v7.ts';
import { WireError } from '../wire/errors.ts';
import { decodeExtendedHandshake } from '../wire/extended.ts';
import { encodePresentedHandshake, utMetadataId } from '../wire/presented-handshake.ts';
import type { HandshakeStyle } from '../../domain/presentation.ts';
import type { Handshake } from '../wire/handshake.ts';
import { encodeMessage, encodePieceHeader, type Message } from '../wire/messages.ts';
import { decodeMetadataMessage, encodeMetadataData, encodeMetadataReject, METADATA_PIECE_SIZE, metadataPieceCount, UnknownMetadataMessageError, type MetadataMessage } from '../wire/metadata.ts';
import { MAX_REQUEST_LENGTH } from '../wire/constants.ts';
import { parseClient } from '../wire/peer-id.ts';
import type { Chokeable, Choker } from './choker.ts';
import { PeerPieces } from './peer-pieces.ts';
import { ProgressSchedule, type ProgressPolicy } from './progress-schedule.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { RangeSet } from './range-set.ts';
import { pieceSize, type ServedTorrent } from './served-torrent.ts';

/** How the session writes to its peer; the connection owns the socket and any MSE cipher. */
export interface PeerLink {
  send(bytes: Uint8Array): void;
  /** False while the socket is backpressured. */
  readonly writable: boolean;
  /** Calls `fn` once when the socket drains. */
  onDrain(fn: () => void): void;
  /** Batch the writes between cork() and uncork() into one writev (header + block in one segment). */
  cork(): void;
  uncork(): void;
}

export interface DeliverySessionInit {
  torrent: ServedTorrent;
  peer: Handshake;
  peerFlags: { extended: boolean; fast: boolean };
  encryption: Encryption;
  /** Absent: TCP. */
  transport?: Transport;
  remoteIp: string;
  remotePort: number;
  localIp: string;
  localPort: number;
  startedAt: number;
  /** Outstanding requests accepted before a peer is a flood (at least `reqq`). */
  maxRequestQueue: number;
  /** BEP 10 `v` we send. */
  clientVersion: string;
  /** Whose extended handshake we send (issue 10 item 3); libtorrent's when absent. */
  handshakeStyle?: HandshakeStyle;
  /** BEP 10 `reqq` we advertise; maxRequestQueue when absent. */
  reqq?: number;
  /** When to record the open session (session-progress); absent: only the final delivery record. */
  progress?: ProgressPolicy;
}

export interface DeliverySessionComponents {
  link: PeerLink;
  choker: Choker;
  limiter: RateLimiter;
  publish(o: DeliveryObservation | SessionProgressObservation): void;
  now(): number;
}

interface Req { index: number; begin: number; length: number }

/**
 * One peer connection routed to one decoy: upload-only serving plus everything we learn
 * about the peer, folded into a single DeliveryObservation when it ends.
 * We never send `interested` or `request`, and any `piece` a peer sends is a protocol error
 * (we never asked), so peer data is never kept.
 */
export class DeliverySession implements Chokeable {
  readonly sessionId = uuidV7();
  readonly #i: DeliverySessionInit;
  readonly #c: DeliverySessionComponents;
  readonly #served = new RangeSet();
  /** Ranges served since the last session-progress record (its newRanges). */
  #servedSinceRecord = new RangeSet();
  readonly #peerPieces: PeerPieces;
  #queue: Req[] = [];
  #choked = true;
  #interested = false;
  #bytes = 0;
  #blocks = 0;
  #metadataPieces = 0;
  #peerMetadataId = 0;
  /** The id peers send ut_metadata requests on: the one the presented client uses. */
  readonly #utMetadataId: number;
  readonly #requestLimit: number;
  #listenPort: number | null = null;
  #clientVersion: string | null = null;
  #pumping = false;
  #waitingForTokens = false;
  #waitingForDrain = false;
  #finished: DeliveryObservation | undefined;
  /** Resolved on the first request and kept: the node-wide LRU lookup is not per block. */
  #source: PieceSource | undefined;
  #requestsWhileChoked = 0;
  readonly #progress: ProgressSchedule | undefined;

  constructor(init: DeliverySessionInit, components: DeliverySessionComponents) {
    this.#i = init;
    this.#c = components;
    this.#peerPieces = new PeerPieces(init.torrent.decoy.pieceCount);
    this.#utMetadataId = utMetadataId(init.handshakeStyle ?? 'libtorrent');
    // A peer that honours the reqq we advertise is never a flood.
    this.#requestLimit = Math.max(init.maxRequestQueue, init.reqq ?? 0);
    if (init.progress) this.#progress = new ProgressSchedule(init.progress, { emit: () => this.#publishProgress('progress'), bytesServed: () => this.#bytes });
  }

  /** After both handshakes: advertise extensions and that we have every piece. */
  open(): void {
    const { decoy } = this.#i.torrent;
    if (this.#i.peerFlags.extended) {
      this.#c.link.send(encodeMessage({
        type: 'extended', id: 0,
        // As the client we present would: its keys, extension ids and reqq (issue 10 item 3). We serve
        // ut_metadata only and relay no third party's address (no PEX message is ever sent).
        payload: encodePresentedHandshake({
          style: this.#i.handshakeStyle ?? 'libtorrent', v: this.#i.clientVersion, reqq: this.#i.reqq ?? this.#i.maxRequestQueue,
          metadataSize: decoy.infoLength, yourip: ipBytes(this.#i.remoteIp), listenPort: this.#i.localPort,
        }),
      }));
    }
    // BEP 6: have_all replaces a full bitfield when both sides support the fast extension.
    this.#c.link.send(encodeMessage(this.#i.peerFlags.fast ? { type: 'have-all' } : { type: 'bitfield', bitfield: fullBitfield(decoy.pieceCount) }));
    // The session exists from here on, in the log too: a kill -9 can no longer make it vanish (issue 17, item 5).
    if (this.#progress) this.#publishProgress('open');
  }

  /** The open session's state as a session-progress record (keys sorted, as in finish()). */
  #publishProgress(phase: 'open' | 'progress'): void {
    const i = this.#i;
    const at = this.#c.now();
    this.#c.publish({
      kind: 'session-progress',
      at,
      blocksServed: this.#blocks,
      bytesServed: this.#bytes,
      client: parseClient(i.peer.peerId),
      clientVersion: this.#clientVersion,
      decoyId: i.torrent.decoy.id,
      encryption: i.encryption,
      infoHash: i.torrent.decoy.infoHash,
      listenPort: this.#listenPort,
      localIp: i.localIp,
      localPort: i.localPort,
      metadataPiecesServed: this.#metadataPieces,
      newRanges: this.#servedSinceRecord.toArray(),
      peerId: Buffer.from(i.peer.peerId).toString('hex'),
      peerPieces: this.#peerPieces.known ? this.#peerPieces.count : null,
      phase,
      progressAt: at,
      remoteIp: i.remoteIp,
      remotePort: i.remotePort,
      sessionId: this.sessionId,
      startedAt: i.startedAt,
    });
    this.#servedSinceRecord = new RangeSet();
  }

  /** Handles one peer message; throws WireError for protocol violations. */
  onMessage(m: Message): void {
    switch (m.type) {
      case 'keep-alive': case 'choke': case 'unchoke': case 'port': case 'suggest': case 'allowed-fast': case 'reject':
        return; // Nothing to do for an upload-only seed that never requests.
      case 'interested':
        this.#interested = true;
        this.#c.choker.interested(this);
        return;
      case 'not-interested':
        this.#interested = false;
        this.#dropQueue(false);
        this.#c.choker.release(this);
        if (!this.#choked) { this.#choked = true; this.#c.link.send(encodeMessage({ type: 'choke' })); }
        return;
      case 'have': this.#peerPieces.have(m.index); return;
      case 'bitfield': this.#peerPieces.bitfield(m.bitfield); return;
      case 'have-all': this.#requireFast(m.type); this.#peerPieces.all(); return;
      case 'have-none': this.#requireFast(m.type); this.#peerPieces.none(); return;
      case 'request': this.#onRequest(m); return;
      case 'cancel': this.#queue = this.#queue.filter((r) => !(r.index === m.index && r.begin === m.begin && r.length === m.length)); return;
      case 'piece': throw new WireError('unsolicited-piece', 'we never request data');
      case 'extended': this.#onExtended(m.id, m.payload); return;
    }
  }

  #requireFast(type: string): void {
    if (!this.#i.peerFlags.fast) throw new WireError(`fast-not-negotiated:${type}`);
  }

  #onRequest(r: Req): void {
    const d = this.#i.torrent.decoy;
    if (r.index >= d.pieceCount) throw new WireError('bad-request:index', `${r.index} >= ${d.pieceCount}`);
    const size = pieceSize(d, r.index);
    if (r.length === 0 || r.length > MAX_REQUEST_LENGTH || r.begin + r.length > size) throw new WireError('bad-request:range', `${r.index}/${r.begin}+${r.length}`);
    if (this.#choked) {
      // A few requests may cross our choke on the wire; a stream of them is abuse.
      if (++this.#requestsWhileChoked > 4 * this.#requestLimit) throw new WireError('requests-while-choked');
      // BEP 6: a fast peer gets an explicit reject; others are silently ignored (BEP 3 semantics).
      if (this.#i.peerFlags.fast) this.#c.link.send(encodeMessage({ type: 'reject', index: r.index, begin: r.begin, length: r.length }));
      return;
    }
    if (this.#queue.length >= this.#requestLimit) throw new WireError('request-flood', `more than ${this.#requestLimit} outstanding requests`);
    this.#queue.push({ index: r.index, begin: r.begin, length: r.length });
    this.#pump();
  }

  #onExtended(id: number, payload: Uint8Array): void {
    if (id === 0) {
      const h = decodeExtendedHandshake(payload);
      this.#peerMetadataId = h.m.get('ut_metadata') ?? 0;
      if (h.p !== undefined) this.#listenPort = h.p;
      if (h.v !== undefined) this.#clientVersion = h.v;
      return;
    }
    if (id !== this.#utMetadataId) return; // Not ut_metadata: ignored (BEP 10), nothing a peer sends is kept.
    let msg: MetadataMessage;
    try {
      msg = decodeMetadataMessage(payload);
    } catch (e) {
      if (e instanceof UnknownMetadataMessageError) return; // BEP 9: unknown msg_type is ignored.
      throw e;
    }
    if (msg.msgType !== 'request') return;
    if (this.#peerMetadataId === 0) throw new WireError('metadata-without-handshake');
    const info = this.#i.torrent.info();
    const count = metadataPieceCount(info.length);
    // Each request costs us up to 16 KiB of upload: bound the amplification per session.
    if (this.#metadataPieces >= 4 * count + 8) throw new WireError('metadata-flood');
    if (msg.piece >= count) {
      this.#c.link.send(encodeMessage({ type: 'extended', id: this.#peerMetadataId, payload: encodeMetadataReject(msg.piece) }));
      return;
    }
    const start = msg.piece * METADATA_PIECE_SIZE;
    const data = info.subarray(start, Math.min(info.length, start + METADATA_PIECE_SIZE));
    this.#c.link.send(encodeMessage({ type: 'extended', id: this.#peerMetadataId, payload: encodeMetadataData(msg.piece, info.length, data) }));
    this.#metadataPieces++;
    this.#progress?.changed();
  }

  unchoke(): void {
    if (this.#finished || !this.#choked) return;
    this.#choked = false;
    this.#c.link.send(encodeMessage({ type: 'unchoke' }));
  }

  choke(): void {
    if (this.#finished || this.#choked) return;
    this.#choked = true;
    this.#dropQueue(true);
    this.#c.link.send(encodeMessage({ type: 'choke' }));
  }

  /** BEP 6: a peer that supports the fast extension is told which pending requests will not be served. */
  #dropQueue(sendRejects: boolean): void {
    if (sendRejects && this.#i.peerFlags.fast) {
      for (const r of this.#queue) this.#c.link.send(encodeMessage({ type: 'reject', index: r.index, begin: r.begin, length: r.length }));
    }
    this.#queue = [];
  }

  /** Serves queued requests while the socket and the global rate limit allow. */
  #pump(): void {
    if (this.#pumping || this.#finished) return;
    this.#pumping = true;
    const { link, limiter } = this.#c;
    link.cork();
    const blocksBefore = this.#blocks;
    try {
      const d = this.#i.torrent.decoy;
      while (!this.#choked && this.#queue.length > 0) {
        if (!link.writable) {
          if (!this.#waitingForDrain) { this.#waitingForDrain = true; link.onDrain(this.#onDrain); }
          return;
        }
        const r = this.#queue[0]!;
        if (!limiter.tryTake(r.length)) {
          if (!this.#waitingForTokens) { this.#waitingForTokens = true; limiter.wake(this.#onTokens); }
          return;
        }
        this.#queue.shift();
        const offset = r.index * d.pieceLength + r.begin;
        const block = (this.#source ??= this.#i.torrent.source()).read(offset, r.length);
        link.send(encodePieceHeader(r.index, r.begin, r.length));
        link.send(block);
        this.#bytes += r.length;
        this.#blocks++;
        this.#served.add(offset, offset + r.length);
        if (this.#progress) this.#servedSinceRecord.add(offset, offset + r.length);
      }
    } finally {
      link.uncork();
      this.#pumping = false;
      if (this.#blocks !== blocksBefore) this.#progress?.changed();
    }
  }

  readonly #onDrain = (): void => {
    this.#waitingForDrain = false;
    this.#pump();
  };

  readonly #onTokens = (): void => {
    this.#waitingForTokens = false;
    this.#pump();
  };

  /** Ends the session once: frees its slot and publishes the delivery observation. */
  finish(reason: string): DeliveryObservation {
    if (this.#finished) return this.#finished;
    this.#progress?.stop();
    this.#queue = [];
    this.#c.choker.release(this);
    this.#c.limiter.cancel(this.#onTokens);
    const i = this.#i;
    const d = i.torrent.decoy;
    const completed = this.#peerPieces.complete || this.#coversRemainder();
    // Keys in sorted order after `kind`: the evidence chain's canonical JSON (RFC 8785) then takes
    // the native JSON.stringify fast path (see src/evidence/canonical-json.ts).
    this.#finished = {
      kind: 'delivery',
      blocksServed: this.#blocks,
      bytesServed: this.#bytes,
      client: parseClient(i.peer.peerId),
      clientVersion: this.#clientVersion,
      completed,
      decoyId: d.id,
      disconnectReason: reason,
      encryption: i.encryption,
      endedAt: this.#c.now(),
      infoHash: d.infoHash,
      listenPort: this.#listenPort,
      localIp: i.localIp,
      localPort: i.localPort,
      metadataOnly: this.#blocks === 0,
      metadataPiecesServed: this.#metadataPieces,
      peerId: Buffer.from(i.peer.peerId).toString('hex'),
      peerPiecesAtEnd: this.#peerPieces.known ? this.#peerPieces.count : null,
      peerPiecesAtStart: this.#peerPieces.atStart,
      remoteIp: i.remoteIp,
      remotePort: i.remotePort,
      servedRanges: this.#served.toArray(),
      sessionId: this.sessionId,
      startedAt: i.startedAt,
      transport: i.transport ?? 'tcp',
    };
    this.#c.publish(this.#finished);
    return this.#finished;
  }

  /** Complete if every piece the peer lacked at the start was served to it in full. */
  #coversRemainder(): boolean {
    const d = this.#i.torrent.decoy;
    if (this.#blocks === 0) return false;
    for (let p = 0; p < d.pieceCount; p++) {
      if (this.#peerPieces.hadAtStart(p)) continue;
      const start = p * d.pieceLength;
      if (!this.#served.covers(start, start + pieceSize(d, p))) return false;
    }
    return true;
  }

  get interested(): boolean { return this.#interested; }
  get bytesServed(): number { return this.#bytes; }
}

function fullBitfield(pieces: number): Uint8Array {
  const b = new Uint8Array(Math.ceil(pieces / 8)).fill(0xff);
  const spare = b.length * 8 - pieces;
  // BEP 3: spare bits at the end must be cleared.
  if (spare > 0) b[b.length - 1] = (0xff << spare) & 0xff;
  return b;
}

function ipBytes(ip: string): Uint8Array | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return Uint8Array.from(ip.split('.').map(Number));
  return undefined;
}
