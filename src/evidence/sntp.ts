import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { EvidenceError } from './errors.ts';

/** Seconds from the NTP era 0 epoch (1900-01-01) to the Unix epoch (RFC 5905 section 6). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;
const PACKET_LEN = 48;

export class NtpError extends EvidenceError {
  override name = 'NtpError';
}

/** 64-bit NTP timestamp (32.32 fixed point seconds since 1900) <-> Unix ms. */
export function ntpToMs(buf: Uint8Array, at: number): number {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const sec = v.getUint32(at);
  const frac = v.getUint32(at + 4);
  return (sec - NTP_UNIX_OFFSET_S) * 1000 + (frac / 2 ** 32) * 1000;
}

export function msToNtp(ms: number, out: Uint8Array, at: number): void {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const sec = Math.floor(ms / 1000);
  v.setUint32(at, sec + NTP_UNIX_OFFSET_S);
  v.setUint32(at + 4, Math.floor(((ms - sec * 1000) / 1000) * 2 ** 32));
}

/** SNTP client request (RFC 4330 section 4): LI=0, VN=4, Mode=3, transmit timestamp = t1. */
export function encodeRequest(t1Ms: number): Uint8Array {
  const p = new Uint8Array(PACKET_LEN);
  p[0] = (0 << 6) | (4 << 3) | 3;
  msToNtp(t1Ms, p, 40);
  return p;
}

export interface SntpReply { readonly t2: number; readonly t3: number; readonly stratum: number }

/** Checks a server reply (RFC 4330 section 5) and returns its receive (t2) and transmit (t3) times, ms. */
export function parseReply(p: Uint8Array, request: Uint8Array): SntpReply {
  if (p.length < PACKET_LEN) throw new NtpError(`reply of ${p.length} bytes, expected at least ${PACKET_LEN}`);
  const mode = p[0]! & 7;
  const leap = p[0]! >> 6;
  const stratum = p[1]!;
  if (mode !== 4) throw new NtpError(`reply mode ${mode}, expected 4 (server)`);
  if (stratum === 0) throw new NtpError('kiss-o\'-death reply (stratum 0)');
  if (leap === 3) throw new NtpError('server clock not synchronized (LI=3)');
  // Originate must echo our transmit timestamp: rejects stray and spoofed replies.
  for (let i = 0; i < 8; i++) if (p[24 + i] !== request[40 + i]) throw new NtpError('originate timestamp does not match our request');
  return { t2: ntpToMs(p, 32), t3: ntpToMs(p, 40), stratum };
}

/** RFC 5905 section 8: offset = ((t2 - t1) + (t3 - t4)) / 2, delay = (t4 - t1) - (t3 - t2). */
export function clockOffset(t1: number, t2: number, t3: number, t4: number): { offsetMs: number; delayMs: number } {
  return { offsetMs: ((t2 - t1) + (t3 - t4)) / 2, delayMs: (t4 - t1) - (t3 - t2) };
}

export function offsetExceeds(offsetMs: number, thresholdMs: number): boolean {
  return Math.abs(offsetMs) > thresholdMs;
}

export interface SntpResult { readonly offsetMs: number; readonly delayMs: number; readonly stratum: number; readonly server: string }

/** One SNTP exchange over UDP, bounded by `timeoutMs`. Callers decide whether the network may be used (live mode only). */
export function querySntp(o: { host: string; port?: number; timeoutMs?: number; now?: () => number; signal?: AbortSignal }): Promise<SntpResult> {
  const now = o.now ?? Date.now;
  const port = o.port ?? 123;
  const type = isIP(o.host) === 6 ? 'udp6' : 'udp4';
  return new Promise((resolve, reject) => {
    const sock = createSocket(type);
    let done = false;
    const finish = (err: Error | undefined, r?: SntpResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      sock.close();
      if (err) reject(err); else resolve(r!);
    };
    const onAbort = () => finish(new NtpError('aborted'));
    const timer = setTimeout(() => finish(new NtpError(`no reply from ${o.host}:${port} within ${o.timeoutMs ?? 2000} ms`)), o.timeoutMs ?? 2000);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) return onAbort();
    const t1 = now();
    const req = encodeRequest(t1);
    sock.on('error', (e) => finish(new NtpError(`${o.host}:${port}: ${e.message}`)));
    sock.on('message', (msg) => {
      const t4 = now();
      try {
        const r = parseReply(msg, req);
        const { offsetMs, delayMs } = clockOffset(t1, r.t2, r.t3, t4);
        finish(undefined, { offsetMs, delayMs, stratum: r.stratum, server: `${o.host}:${port}` });
      } catch (e) { finish(e as Error); }
    });
    sock.send(req, port, o.host);
  });
}
