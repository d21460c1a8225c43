/**
 * A minimal seeder for tests, built from the npm bittorrent-protocol Wire and
 * ut_metadata (not counterseed's own seeder), on 127.0.0.1 with an ephemeral port.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import Wire from 'bittorrent-protocol';
import utMetadata from 'ut_metadata';
import { encode } from '../../../src/bencode/index.ts';

export interface TestTorrent { content: Uint8Array; info: Uint8Array; infoHash: Uint8Array; pieceLength: number; pieceCount: number }

export function makeTorrent(size: number, pieceLength: number, name = 'holiday-video-0042.mp4'): TestTorrent {
  const content = new Uint8Array(randomBytes(size));
  const pieceCount = Math.ceil(size / pieceLength);
  const hashes: Buffer[] = [];
  for (let i = 0; i < pieceCount; i++) hashes.push(createHash('sha1').update(content.subarray(i * pieceLength, (i + 1) * pieceLength)).digest());
  const info = encode({ length: size, name, 'piece length': pieceLength, pieces: new Uint8Array(Buffer.concat(hashes)) });
  return { content, info, infoHash: new Uint8Array(createHash('sha1').update(info).digest()), pieceLength, pieceCount };
}

export interface SeederOptions {
  /** Flip a byte in every block served for this piece. */
  corruptPiece?: number;
  /** Handshake and send the bitfield, but never unchoke. */
  neverUnchoke?: boolean;
  /** Serve this info dict over BEP 9 instead of the torrent's own. */
  serveInfo?: Uint8Array;
  /** Choke once after serving this many blocks, unchoke again shortly after. */
  chokeOnceAfter?: number;
  /** On the peer's BEP 10 handshake, send a ut_metadata data message for this (bogus) piece index. */
  bogusMetadataPiece?: number;
}

export interface TestSeeder {
  port: number;
  remoteAddresses: string[];
  /** Piece indexes announced by downloaders with `have`. */
  haves: number[];
  requestsServed: number;
  close(): Promise<void>;
}

export async function startTestSeeder(t: TestTorrent, opts: SeederOptions = {}): Promise<TestSeeder> {
  const sockets = new Set<net.Socket>();
  const state: Omit<TestSeeder, 'port' | 'close'> = { remoteAddresses: [], haves: [], requestsServed: 0 };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    state.remoteAddresses.push(socket.remoteAddress ?? '');
    const wire = new Wire('tcpIncoming');
    wire.use(utMetadata(opts.serveInfo ?? t.info));
    let choked = false;
    socket.on('data', (d: Buffer) => wire.write(d));
    wire.on('data', (d) => { if (socket.writable) socket.write(d); });
    wire.on('end', () => socket.end());
    socket.on('close', () => wire.destroy());
    wire.on('handshake', () => {
      wire.handshake(t.infoHash, new Uint8Array(Buffer.from('-TS0001-abcdefghijkl')), { dht: false });
      const bits = new Uint8Array(Math.ceil(t.pieceCount / 8));
      for (let i = 0; i < t.pieceCount; i++) bits[i >> 3]! |= 0x80 >> (i & 7); // BEP 3: high bit first
      wire.bitfield(bits);
    });
    wire.on('interested', () => { if (!opts.neverUnchoke) wire.unchoke(); });
    wire.on('have', (i) => state.haves.push(i));
    wire.on('request', (index, offset, length, respond) => {
      const start = index * t.pieceLength + offset;
      const block = new Uint8Array(t.content.subarray(start, start + length));
      if (index === opts.corruptPiece) block[0] = (block[0]! ^ 0xff);
      state.requestsServed++;
      respond(null, block);
      if (state.requestsServed === opts.chokeOnceAfter && !choked) {
        choked = true;
        wire.choke();
        setTimeout(() => wire.unchoke(), 20);
      }
    });
    wire.on('extended', (name) => {
      if (name !== 'handshake' || opts.bogusMetadataPiece === undefined) return;
      const dict = encode({ msg_type: 1, piece: opts.bogusMetadataPiece, total_size: t.info.length });
      wire.extended('ut_metadata', new Uint8Array(Buffer.concat([dict, new Uint8Array(100)])));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return Object.assign(state, {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  });
}
