import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Decoy, ServedDecoy } from '../../src/domain/decoy.ts';
import type { AdapterComponents, AdapterHealth, DecoyAddress, NetworkAdapter } from '../../src/network/network-adapter.ts';

/**
 * A second network for tests, written without src/bittorrent: a loopback TCP server speaking a
 * trivial protocol. A client sends "GET <content id>\n"; the server answers with the decoy's bytes
 * (from the node's piece source) and closes; every such session is published as a delivery. It
 * shows that a network plugs into the node through NetworkAdapter alone.
 */
export class LoopbackAdapter implements NetworkAdapter {
  readonly name = 'loopback';
  readonly network = 'loopback';
  readonly #c: AdapterComponents;
  readonly #served = new Map<string, ServedDecoy>();
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;
  starts = 0;
  stops = 0;

  constructor(c: AdapterComponents) { this.#c = c; }

  async start(signal: AbortSignal): Promise<void> {
    this.starts++;
    signal.throwIfAborted();
    const server = createServer((s) => this.#serve(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, signal }, () => { server.off('error', reject); resolve(); });
    });
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.stops++;
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    const startedAt = this.#c.now();
    let line = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      line += chunk;
      // Bounded: a request is one short line.
      if (line.length > 100) { socket.destroy(); return; }
      const nl = line.indexOf('\n');
      if (nl < 0) return;
      const d = this.#served.get(line.slice(0, nl).replace(/^GET /, ''));
      if (!d) { socket.end('NOT FOUND\n'); return; }
      const bytes = this.#c.sourceFor(d).read(0, d.size);
      socket.end(bytes, () => {
        this.#c.publish({
          kind: 'delivery', sessionId: randomUUID(), decoyId: d.id, infoHash: d.infoHash,
          remoteIp: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0, localIp: socket.localAddress ?? '', localPort: socket.localPort ?? 0,
          transport: 'tcp', encryption: 'none', startedAt, endedAt: this.#c.now(), peerId: '00'.repeat(20), client: 'loopback-test', clientVersion: null,
          listenPort: null, bytesServed: d.size, blocksServed: 1, servedRanges: [[0, d.size]], peerPiecesAtStart: null, peerPiecesAtEnd: null,
          completed: true, metadataPiecesServed: 0, metadataOnly: false, disconnectReason: 'served',
        });
      });
    });
  }

  reserve(): void {}
  addDecoy(d: Decoy | ServedDecoy): void {
    this.#served.set(d.infoHash, 'info' in d ? { id: d.id, infoHash: d.infoHash, payloadId: d.payloadId, size: d.size, pieceLength: d.pieceLength, pieceCount: d.pieceCount, infoLength: d.info.length } : d);
  }
  removeDecoy(d: ServedDecoy): void { this.#served.delete(d.infoHash); }
  decoys(): Iterable<ServedDecoy> { return this.#served.values(); }
  address(d: Decoy): DecoyAddress { return { network: this.network, contentId: d.infoHash, link: `loopback://127.0.0.1:${this.port}/${d.infoHash}` }; }
  health(): AdapterHealth {
    return { network: this.network, running: this.#server !== undefined, decoys: this.#served.size, connections: this.#sockets.size, listening: this.#server ? [`tcp 127.0.0.1:${this.port}`] : [] };
  }
}

/** Fetches a decoy from a LoopbackAdapter: the whole content, or an error when it is not served. */
export async function loopbackGet(port: number, contentId: string): Promise<Buffer> {
  const s = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve, reject) => { s.on('close', () => resolve()); s.on('error', reject); s.write(`GET ${contentId}\n`); });
  return Buffer.concat(chunks);
}

/** An adapter whose start always fails (a port taken, a bad key): what rollback is for. */
export class FailingAdapter implements NetworkAdapter {
  readonly name = 'failing';
  readonly network = 'failing';
  stops = 0;
  async start(): Promise<void> { throw new Error('failing adapter: cannot bind'); }
  async stop(): Promise<void> { this.stops++; }
  reserve(): void {}
  addDecoy(): void {}
  removeDecoy(): void {}
  decoys(): Iterable<ServedDecoy> { return []; }
  address(d: Decoy): DecoyAddress { return { network: this.network, contentId: d.infoHash, link: '' }; }
  health(): AdapterHealth { return { network: this.network, running: false, decoys: 0, connections: 0, listening: [] }; }
}
