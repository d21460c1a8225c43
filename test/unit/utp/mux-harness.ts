/** An in-memory uTP initiator against a UtpMultiplexer: the test plays the downloader's side of BEP 29. */
import { decodePacket, encodePacket, ST_DATA, ST_STATE, ST_SYN, type PacketType, type UtpPacket } from '../../../src/bittorrent/utp/packet.ts';
import { DEFAULT_MUX, UtpMultiplexer, type UtpMultiplexerInit } from '../../../src/bittorrent/utp/multiplexer.ts';
import type { UtpStream } from '../../../src/bittorrent/utp/utp-stream.ts';

export interface Harness {
  mux: UtpMultiplexer;
  out: { p: UtpPacket; port: number; ip: string }[];
  accepted: UtpStream[];
  clock: { now: number };
  send(from: { ip: string; port: number }, f: { type: PacketType; connectionId: number; seqNr: number; ackNr: number; wndSize?: number; payload?: Uint8Array; sack?: Uint8Array; timestampDiffUs?: number }): void;
  /** SYN then the confirming packet; returns the stream and our next seq. */
  connect(from: { ip: string; port: number }, id: number, wndSize?: number): { stream: UtpStream; serverSeq: number; next: number };
}

export function harness(over: Partial<UtpMultiplexerInit> = {}): Harness {
  const clock = { now: 1_000_000 };
  const out: Harness['out'] = [];
  const accepted: UtpStream[] = [];
  const mux = new UtpMultiplexer({ ...DEFAULT_MUX, localIp: '198.18.0.2', localPort: 6881, ...over }, {
    send: (d, port, ip) => out.push({ p: decodePacket(d), port, ip }),
    onAccept: (s) => accepted.push(s),
    nowMs: () => clock.now,
  });
  const send: Harness['send'] = (from, f) => mux.onDatagram(encodePacket({ timestampUs: 0, timestampDiffUs: f.timestampDiffUs ?? 0, wndSize: f.wndSize ?? 1 << 20, ...f }), { address: from.ip, port: from.port });
  const connect: Harness['connect'] = (from, id, wndSize = 1 << 20) => {
    const before = out.length;
    send(from, { type: ST_SYN, connectionId: id, seqNr: 100, ackNr: 0, wndSize });
    const synAck = out.slice(before).find((o) => o.p.type === ST_STATE);
    if (!synAck) throw new Error('no STATE answered the SYN');
    // BEP 29: the initiator's later packets carry connection id + 1 and ack the STATE's seq_nr - 1.
    send(from, { type: ST_DATA, connectionId: id + 1, seqNr: 101, ackNr: (synAck.p.seqNr - 1) & 0xffff, wndSize, payload: Uint8Array.from([0x13]) });
    const stream = accepted.at(-1);
    if (!stream) throw new Error('not accepted');
    return { stream, serverSeq: synAck.p.seqNr, next: 102 };
  };
  return { mux, out, accepted, clock, send, connect };
}
