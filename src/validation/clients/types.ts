/** What every real-client driver takes and returns, so tests and benchmarks can swap clients. */
export type ClientName = 'transmission' | 'aria2' | 'libtorrent';

export interface DownloadSpec {
  /** Exactly one of torrentFile or magnet. */
  readonly torrentFile?: string;
  readonly magnet?: string;
  /** Empty directory the client downloads into (and keeps its state in a subfolder). */
  readonly outDir: string;
  /** The client's own address (see test/helpers/netns.ts); it listens and connects from here. */
  readonly bindIp: string;
  /** Make the client refuse unencrypted peers and insist on RC4 (MSE). */
  readonly requireEncryption?: boolean;
  /**
   * Make the client open plaintext BitTorrent connections (no MSE), so a packet capture
   * can decode every message (validation). Ignored by aria2: it always offers RC4 in its
   * obfuscation handshake and has no switch to send a legacy handshake first.
   */
  readonly plaintext?: boolean;
  /**
   * Turn the client's uTP off, for runs whose packet capture decodes TCP only (validation). Interop
   * tests leave it unset: clients run at their defaults, which try uTP first (issue 10 item 4).
   */
  readonly tcpOnly?: boolean;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface DownloadOutcome {
  readonly client: ClientName;
  readonly filePath: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** libtorrent only: the transport of its connection when the first piece completed, and the time to it from adding the torrent. */
  readonly transport?: 'utp' | 'tcp' | 'unknown';
  readonly firstPieceMs?: number;
  /** Tail of the client's output, for failure messages. */
  readonly log: string;
}

export class DownloadError extends Error {
  override name = 'DownloadError';
}

export function validateSpec(spec: DownloadSpec): void {
  if ((spec.torrentFile === undefined) === (spec.magnet === undefined)) {
    throw new DownloadError('give exactly one of torrentFile or magnet');
  }
  if (spec.plaintext === true && spec.requireEncryption === true) throw new DownloadError('plaintext and requireEncryption exclude each other');
  if (!(spec.timeoutMs > 0)) throw new DownloadError(`timeoutMs must be > 0, got ${spec.timeoutMs}`);
}
