import { connect, type Socket } from 'node:net';
import Wire from 'bittorrent-protocol';

const BLOCK = 16384;

/**
 * A downloader on the npm bittorrent-protocol Wire (independent of counterseed's codec), for tests
 * that need to watch a transfer as it goes: it handshakes, says interested, requests every block of
 * the decoy once unchoked, and counts the bytes that arrive. It never serves anything.
 */
export class WirePeer {
  readonly socket: Socket;
  readonly wire = new Wire('tcpOutgoing');
  /** The seeder's handshake arrived: the session is open on both sides. */
  handshaken = false;
  bytes = 0;
  closed = false;
  /** Our source port (kept: a closed socket no longer reports it). */
  localPort = 0;

  private constructor(socket: Socket) { this.socket = socket; }

  static async download(port: number, decoy: { infoHash: string; size: number; pieceLength: number }, peerId: string, host = '127.0.0.1'): Promise<WirePeer> {
    const socket = connect({ host, port });
    const p = new WirePeer(socket);
    const { wire } = p;
    await new Promise<void>((res, rej) => { socket.once('connect', res); socket.once('error', rej); });
    p.localPort = socket.localPort ?? 0;
    socket.on('data', (c: Buffer) => { try { wire.write(c); } catch { socket.destroy(); } });
    socket.on('close', () => { p.closed = true; });
    socket.on('error', () => { p.closed = true; });
    wire.on('data', (c) => { if (!socket.destroyed) socket.write(c); });
    wire.on('error', () => socket.destroy());
    wire.on('handshake', () => { p.handshaken = true; wire.interested(); });
    let requested = false;
    wire.on('unchoke', () => {
      if (requested) return;
      requested = true;
      for (let off = 0; off < decoy.size; off += BLOCK) {
        const index = Math.floor(off / decoy.pieceLength);
        wire.request(index, off - index * decoy.pieceLength, Math.min(BLOCK, decoy.size - off), (err, block) => { if (!err && block) p.bytes += block.length; });
      }
    });
    wire.handshake(decoy.infoHash, new Uint8Array(Buffer.from(peerId, 'latin1')), { dht: false });
    return p;
  }

  close(): void { this.wire.destroy(); this.socket.destroy(); }
}
