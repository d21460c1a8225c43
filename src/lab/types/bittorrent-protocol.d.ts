/**
 * Ambient types for bittorrent-protocol 5.0.9 (untyped on npm), covering only
 * what src/lab uses. The Wire is a streamx Duplex: raw peer bytes go in with
 * write(), encoded messages come out as 'data' events.
 */
declare module 'bittorrent-protocol' {
  import { EventEmitter } from 'node:events';
  import type { UtMetadata } from 'ut_metadata';

  export interface HandshakeExtensions { dht?: boolean; fast?: boolean; extended?: boolean }

  /** Subset of the `bitfield` package's BitField. */
  export interface PeerPieces { get(index: number): boolean }

  export type RequestCallback = (err: Error | null, block: Uint8Array | null) => void;

  /** A protocol extension class; its prototype carries `name` (e.g. 'ut_metadata'). */
  export type WireExtension = new (wire: Wire) => object;

  export default class Wire extends EventEmitter {
    constructor(type?: string, peEnabled?: number);
    peerChoking: boolean;
    amChoking: boolean;
    amInterested: boolean;
    peerInterested: boolean;
    peerPieces: PeerPieces;
    /** Fields of our BEP 10 handshake; `m` is filled from registered extensions. */
    extendedHandshake: Record<string, unknown>;
    peerExtendedHandshake: Record<string, unknown>;
    destroyed: boolean;
    /** Present once `use(utMetadata(...))` was called. */
    ut_metadata?: UtMetadata;

    use(extension: WireExtension): void;
    handshake(infoHash: Uint8Array | string, peerId: Uint8Array, extensions?: HandshakeExtensions): void;
    choke(): void;
    unchoke(): void;
    interested(): void;
    uninterested(): void;
    have(index: number): void;
    bitfield(bits: Uint8Array): void;
    request(index: number, offset: number, length: number, cb: RequestCallback): void;
    piece(index: number, offset: number, block: Uint8Array): void;
    /** BEP 10 message by extension name (as the peer mapped it) or number. */
    extended(ext: string | number, payload: Uint8Array): void;
    write(chunk: Uint8Array): boolean;
    end(): void;
    destroy(): void;

    on(event: 'data', listener: (chunk: Uint8Array) => void): this;
    on(event: 'handshake', listener: (infoHashHex: string, peerIdHex: string, ext: HandshakeExtensions) => void): this;
    on(event: 'extended', listener: (ext: string | number, payload: unknown) => void): this;
    on(event: 'request', listener: (index: number, offset: number, length: number, respond: (err: Error | null, block?: Uint8Array) => void) => void): this;
    on(event: 'have', listener: (index: number) => void): this;
    on(event: 'choke' | 'unchoke' | 'interested' | 'uninterested' | 'bitfield' | 'end' | 'close', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
  }
}
