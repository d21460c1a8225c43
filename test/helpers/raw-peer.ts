import { connect, type Socket } from 'node:net';
import { Framer } from '../../src/bittorrent/wire/framer.ts';
import { encodeHandshake, makeReserved, type Handshake } from '../../src/bittorrent/wire/handshake.ts';
import { encodeMessage, type Message } from '../../src/bittorrent/wire/messages.ts';
import { MseInitiator } from './mse-initiator.ts';

/**
 * A scripted test peer built on the project's codec: it connects to the seeder, optionally runs
 * MSE as initiator, and records every frame it receives. Tests drive it step by step.
 */
export class RawPeer {
  readonly socket: Socket;
  readonly received: Message[] = [];
  handshake: Handshake | undefined;
  closed = false;
  /** Set if the seeder sent something our codec rejects. */
  protocolError: Error | undefined;
  readonly localPort: number;
  #framer = new Framer({ expectHandshake: true });
  #waiters: (() => void)[] = [];
  #mse: MseInitiator | undefined;
  #cipher: { encrypt(b: Uint8Array): Uint8Array; decrypt(b: Uint8Array): Uint8Array } | undefined;
  #pendingIa: Uint8Array | undefined;
  #mseDone: Promise<void> | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.localPort = socket.localPort ?? 0;
    socket.on('data', (c: Buffer) => this.#onData(c));
    socket.on('close', () => { this.closed = true; this.#wake(); });
    socket.on('error', () => { this.closed = true; this.#wake(); });
  }

  static async connect(port: number, opts: { host?: string; localAddress?: string; mse?: { infoHash: Uint8Array; cryptoProvide: number } } = {}): Promise<RawPeer> {
    const socket = connect({ host: opts.host ?? '127.0.0.1', port, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    await new Promise<void>((res, rej) => { socket.once('connect', res); socket.once('error', rej); });
    const p = new RawPeer(socket);
    if (opts.mse) {
      p.#mse = new MseInitiator({ infoHash: opts.mse.infoHash, cryptoProvide: opts.mse.cryptoProvide, padALength: 17 });
      p.#mseDone = new Promise<void>((r) => p.#waiters.push(function check() { if (!p.#mse || p.closed) r(); else p.#waiters.push(check); }));
      socket.write(p.#mse.start());
    }
    return p;
  }

  /** Sends our handshake (inside MSE if negotiated). */
  async sendHandshake(infoHash: Uint8Array, peerId: Uint8Array, flags = { extended: true, fast: true }): Promise<void> {
    const hs = encodeHandshake({ reserved: makeReserved(flags), infoHash, peerId });
    if (this.#mseDone) {
      await this.#mseDone;
      this.writeRaw(hs);
    } else this.socket.write(hs);
  }

  send(m: Message): void { this.writeRaw(encodeMessage(m)); }

  writeRaw(b: Uint8Array): void {
    if (this.closed) return;
    this.socket.write(this.#cipher ? this.#cipher.encrypt(b) : b);
  }

  #onData(c: Uint8Array): void {
    try {
      this.#consume(c);
    } catch (e) {
      this.protocolError = e as Error;
      this.socket.destroy();
    }
  }

  #consume(c: Uint8Array): void {
    if (this.#mse) {
      const step = this.#mse.push(c);
      for (const s of step.send) this.socket.write(s);
      if (!step.result) return;
      this.#cipher = step.result;
      this.#mse = undefined;
      c = step.result.initial;
      this.#wake();
    } else if (this.#cipher) c = this.#cipher.decrypt(c);
    this.#framer.push(c);
    for (let f = this.#framer.next(); f; f = this.#framer.next()) {
      if (f.kind === 'handshake') this.handshake = f.handshake;
      else this.received.push(f.message);
    }
    this.#wake();
  }

  #wake(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }

  /** Resolves when `pred` holds, or rejects after `timeoutMs` (bounded wait). */
  waitUntil(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}; received: ${this.received.map((m) => m.type).join(',')}`)), timeoutMs);
      const check = () => {
        if (pred()) { clearTimeout(t); resolve(); } else this.#waiters.push(check);
      };
      check();
    });
  }

  waitFor<T extends Message['type']>(type: T, timeoutMs = 5000): Promise<Extract<Message, { type: T }>> {
    return this.waitUntil(() => this.received.some((m) => m.type === type), timeoutMs, type)
      .then(() => this.received.find((m) => m.type === type) as Extract<Message, { type: T }>);
  }

  waitClosed(timeoutMs = 5000): Promise<void> { return this.waitUntil(() => this.closed, timeoutMs, 'close'); }

  close(): void { this.socket.end(); }
}
