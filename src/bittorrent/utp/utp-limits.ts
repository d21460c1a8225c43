/** Per-connection bounds of a uTP stream (every one of them bounds memory or work against a hostile peer). */
export interface UtpLimits {
  /** Payload bytes per DATA packet (a 1,400-byte uTP packet fits any path MTU we will meet). */
  mss: number;
  /** Bounded send window: bytes in flight per connection, whatever cwnd or the peer's wnd_size say. */
  maxWindow: number;
  /** Bytes of not-yet-delivered incoming data we hold (reorder buffer plus unread); advertised as wnd_size. */
  recvBuffer: number;
  /**
   * Out-of-order packets held at most (BEP 29 has no limit; an out-of-order storm must not grow
   * memory). Each held packet is also charged REORDER_ENTRY_BYTES against recvBuffer, so the bytes
   * held stay within recvBuffer however small the packets.
   */
  reorderPackets: number;
  /** Bytes the application may queue for sending before write() reports backpressure. */
  sendBuffer: number;
  /** Retransmissions of one packet before the connection is given up (libutp: 4 for data). */
  maxRetransmits: number;
}

export const DEFAULT_UTP_LIMITS: UtpLimits = {
  // Downloaders send us requests and small messages only: 64 KiB of receive buffer is plenty, and
  // an out-of-order storm over thousands of connections stays small.
  // reorderPackets 256: libtorrent pipelines a 17-43-byte request packet per block, over 100 in
  // flight. With 64, one lost packet made us drop every later one beyond the 64th although our
  // advertised window had room; each drop cost the downloader a retransmission, and libtorrent
  // closes a uTP connection when one packet has been sent 3 times unacknowledged (utp_num_resends),
  // then waits 60 s before reconnecting (min_reconnect_time): the N=8 stall of bench:utp.
  // 256 is what a 32-byte selective ack can describe (packet.ts MAX_SACK_BYTES).
  mss: 1380, maxWindow: 1 << 20, recvBuffer: 64 << 10, reorderPackets: 256, sendBuffer: 256 << 10, maxRetransmits: 6,
};
