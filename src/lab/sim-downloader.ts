import { createHash } from 'node:crypto';
import net from 'node:net';
import Wire from 'bittorrent-protocol';
import { infoHashToHex } from '../domain/info-hash.ts';
import { type InfoLayout, parseInfoLayout } from './info-layout.ts';
import { isLoopbackAddress } from './loopback.ts';
import { fetchMetadataOverWire } from './magnet-metadata.ts';
import { makePeerId } from './peer-id.ts';
import { PieceAssembler, type BlockRef } from './piece-assembler.ts';

export interface SimDownloadInit {
  host: string; port: number;
  /** Source address to connect from, e.g. 127.0.3.7 (any 127/8 address works on Linux loopback without configuration). */
  localAddress?: string;
  infoHash: Uint8Array;
  /** Bencoded info dict if known (.torrent mode); if absent, fetch it over BEP 9 with ut_metadata (magnet mode) and verify SHA-1(info) == infoHash. */
  info?: Uint8Array;
  /** Peer id client prefix for BEP 20, e.g. '-WW0105-' ... or a lab-specific one '-LB0001-'. */
  peerIdPrefix?: string;
  /** Stop after this fraction of pieces (0..1] to simulate partial downloads; default 1. */
  fraction?: number;
  timeoutMs: number; signal?: AbortSignal;
  /** Upper bound on bytes accepted (content size from info must be <= this). */
  maxBytes: number;
}

export interface SimDownloadResult {
  ok: boolean; error?: string; localPort: number; metadataFetched: boolean;
  piecesVerified: number; bytes: number;
  /** SHA-256 of the full content, only when every piece was downloaded and verified. */
  sha256?: string;
  durationMs: number;
}

/** Outstanding block requests per connection; enough to fill loopback, small enough to bound memory. */
export const PIPELINE_DEPTH = 16;
/** Bytes a peer may send beyond maxBytes: handshakes, bitfield, framing, and up to two metadata fetches. */
const WIRE_OVERHEAD_BYTES = 4 << 20;
/** After a clean finish, how long the socket may linger for our last `have`s to flush. */
const LINGER_MS = 1000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A simulated downloader built on the npm bittorrent-protocol Wire, an
 * implementation independent of counterseed's own wire code. Never rejects:
 * every failure, timeout and abort resolves with ok:false and an error.
 *
 * A piece whose SHA-1 does not match ends the download with ok:false: the
 * lab has one seeder per connection, so asking the same peer again would
 * only repeat the fault, and the failure is what a lab run should show.
 */
export function simulateDownload(init: SimDownloadInit): Promise<SimDownloadResult> {
  return new Promise((resolve) => new DownloadSession(init, resolve).start());
}

class DownloadSession {
  readonly #init: SimDownloadInit;
  readonly #resolve: (r: SimDownloadResult) => void;
  readonly #startedAt = performance.now();
  readonly #wire = new Wire('tcpOutgoing');
  #socket: net.Socket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #assembler: PieceAssembler | undefined;
  #settled = false;
  #outstanding = 0;
  #received = 0;
  #bytes = 0;
  #localPort = 0;
  #metadataFetched = false;

  constructor(init: SimDownloadInit, resolve: (r: SimDownloadResult) => void) {
    this.#init = init;
    this.#resolve = resolve;
  }

  start(): void {
    try {
      this.#start();
    } catch (err) {
      this.#fail((err as Error).message);
    }
  }

  #start(): void {
    const init = this.#init;
    const problem = validate(init);
    if (problem !== undefined) return this.#fail(problem);
    if (init.signal?.aborted) return this.#fail('aborted');
    const peerId = makePeerId(init.peerIdPrefix);
    const layout = init.info === undefined ? undefined : layoutFromKnownInfo(init.info, init.infoHash, init.maxBytes);

    this.#timer = setTimeout(() => this.#fail(`timed out after ${init.timeoutMs} ms`), init.timeoutMs);
    init.signal?.addEventListener('abort', this.#onAbort, { once: true });

    const wire = this.#wire;
    if (layout === undefined) {
      fetchMetadataOverWire(wire, init.infoHash, {
        onInfo: (info) => {
          this.#metadataFetched = true;
          this.#guard(() => this.#beginTransfer(parseInfoLayout(info, init.maxBytes)));
        },
        onError: (message) => this.#fail(message),
      });
    }
    const socket = net.connect({ host: init.host, port: init.port, ...(init.localAddress ? { localAddress: init.localAddress } : {}) });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.#localPort = socket.localPort ?? 0;
      // BEP 3 handshake; reserved bits: BEP 10 extended on (the Wire always sets it), BEP 5 DHT off.
      this.#guard(() => wire.handshake(init.infoHash, peerId, { dht: false }));
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.#settled) return;
      this.#received += chunk.length;
      if (this.#received > init.maxBytes + WIRE_OVERHEAD_BYTES) return this.#fail('peer sent more bytes than the content bound allows');
      this.#guard(() => wire.write(chunk));
    });
    socket.on('error', (err) => this.#fail(`socket: ${err.message}`));
    socket.on('close', () => this.#fail('connection closed by peer'));
    wire.on('data', (chunk) => { if (!socket.destroyed && socket.writable) socket.write(chunk); });
    wire.on('end', () => socket.end());
    wire.on('error', (err) => this.#fail(`wire: ${err.message}`));
    wire.on('handshake', (infoHashHex, _peerId, ext) => {
      if (infoHashHex !== infoHashToHex(init.infoHash)) return this.#fail('peer answered with another infohash');
      if (layout !== undefined) this.#guard(() => this.#beginTransfer(layout));
      else if (!ext.extended) this.#fail('peer does not support BEP 10 extensions, so metadata cannot be fetched');
    });
    wire.on('unchoke', () => this.#pump());
    wire.on('have', () => this.#pump());
    wire.on('bitfield', () => this.#pump());
  }

  #beginTransfer(layout: InfoLayout): void {
    const fraction = this.#init.fraction ?? 1;
    // The epsilon keeps 0.3 * 10 at 3 pieces despite binary floating point.
    const wanted = Math.min(layout.pieceCount, Math.max(1, Math.ceil(fraction * layout.pieceCount - 1e-9)));
    this.#assembler = new PieceAssembler(layout, wanted, wanted === layout.pieceCount);
    this.#wire.interested();
    this.#pump();
  }

  #pump(): void {
    const a = this.#assembler;
    const wire = this.#wire;
    while (a !== undefined && !this.#settled && !wire.peerChoking && this.#outstanding < PIPELINE_DEPTH) {
      const block = a.next((i) => wire.peerPieces.get(i));
      if (block === undefined) return;
      this.#outstanding++;
      wire.request(block.piece, block.offset, block.length, (err, data) => this.#guard(() => this.#onBlock(block, err, data)));
    }
  }

  #onBlock(block: BlockRef, err: Error | null, data: Uint8Array | null): void {
    this.#outstanding--;
    const a = this.#assembler;
    if (this.#settled || a === undefined) return;
    if (err !== null || data === null) {
      // BEP 3: a choke discards our pending requests; ask again after the next unchoke.
      if (this.#wire.peerChoking) return a.requeue(block);
      return this.#fail(`request failed: ${err?.message ?? 'no data'}`);
    }
    const outcome = a.accept(block, data);
    if (outcome.kind === 'corrupt') return this.#fail(`piece ${outcome.piece} failed SHA-1 verification`);
    if (outcome.kind === 'verified') {
      this.#bytes += outcome.size;
      this.#wire.have(outcome.piece); // lets the seeder record our progress
      if (a.done) return this.#finish();
    }
    this.#pump();
  }

  #finish(): void {
    if (this.#settled) return;
    const result = this.#result(true);
    this.#settle();
    this.#wire.uninterested();
    this.#wire.end(); // its 'end' ends the socket once our last messages are out
    setTimeout(() => this.#socket?.destroy(), LINGER_MS).unref();
    this.#resolve(result);
  }

  #fail(error: string): void {
    if (this.#settled) return;
    const result = this.#result(false, error);
    this.#settle();
    this.#wire.destroy();
    this.#socket?.destroy();
    this.#resolve(result);
  }

  #settle(): void {
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#init.signal?.removeEventListener('abort', this.#onAbort);
  }

  readonly #onAbort = (): void => this.#fail('aborted');

  /** Runs a step; anything it throws (hostile input the npm code rejects) fails this download only. */
  #guard(step: () => unknown): void {
    try {
      step();
    } catch (err) {
      this.#fail((err as Error).message);
    }
  }

  #result(ok: boolean, error?: string): SimDownloadResult {
    const sha256 = ok ? this.#assembler?.contentSha256() : undefined;
    return {
      ok,
      ...(error !== undefined ? { error } : {}),
      localPort: this.#localPort,
      metadataFetched: this.#metadataFetched,
      piecesVerified: this.#assembler?.verifiedCount ?? 0,
      bytes: this.#bytes,
      ...(sha256 !== undefined ? { sha256 } : {}),
      durationMs: Math.round(performance.now() - this.#startedAt),
    };
  }
}

function validate(init: SimDownloadInit): string | undefined {
  if (!isLoopbackAddress(init.host)) return `lab downloaders connect to loopback only, not ${init.host}`;
  if (init.localAddress !== undefined && !isLoopbackAddress(init.localAddress)) return `localAddress must be loopback, not ${init.localAddress}`;
  if (!Number.isInteger(init.port) || init.port < 1 || init.port > 65535) return `invalid port ${init.port}`;
  if (init.infoHash.length !== 20) return `infohash must be 20 bytes, got ${init.infoHash.length}`;
  const f = init.fraction ?? 1;
  if (!(f > 0 && f <= 1)) return `fraction must be in (0, 1], got ${f}`;
  if (!(init.timeoutMs > 0 && init.timeoutMs <= MAX_TIMER_MS)) return `timeoutMs must be in (0, ${MAX_TIMER_MS}], got ${init.timeoutMs}`;
  if (!Number.isSafeInteger(init.maxBytes) || init.maxBytes < 1) return `maxBytes must be a positive integer, got ${init.maxBytes}`;
  return undefined;
}

function layoutFromKnownInfo(info: Uint8Array, infoHash: Uint8Array, maxBytes: number): InfoLayout {
  if (!createHash('sha1').update(info).digest().equals(infoHash)) throw new Error('info does not match the infohash');
  return parseInfoLayout(info, maxBytes);
}
