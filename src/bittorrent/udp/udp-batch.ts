import { createRequire } from 'node:module';
import type { Socket } from 'node:dgram';

/**
 * The optional native addon that sends many datagrams to one destination in one system call
 * (native/udp-batch/udp_batch.c: UDP GSO, else sendmmsg). Built from source by `npm install`
 * (scripts/build-native.ts) when a C compiler is there; without it, and with
 * COUNTERSEED_UDP_BATCH=off, every datagram goes through Node's own socket.send, as before.
 *
 * Why: issue 10's target, uTP CPU per GB <= libtorrent's. Node makes one JavaScript call, one
 * request object and one sendmsg() per datagram (~750,000 per GB served); see bench/README.md.
 */
export interface UdpBatchAddon {
  /** Datagrams sent (0..n) or -errno; throws TypeError on arguments it refuses. */
  send(fd: number, family: 4 | 6, address: string, port: number, datagrams: Buffer[], segment: number): number;
  /** Datagrams per call at most. */
  readonly maxBatch: number;
}

const ADDON_PATH = '../../../native/udp-batch/build/Release/udp_batch.node';

/** The addon, or undefined (not built, not Linux, or switched off by COUNTERSEED_UDP_BATCH=off). */
export function loadUdpBatch(env: NodeJS.ProcessEnv = process.env): UdpBatchAddon | undefined {
  if (env.COUNTERSEED_UDP_BATCH === 'off' || process.platform !== 'linux') return undefined;
  try {
    const m = createRequire(import.meta.url)(ADDON_PATH) as Partial<UdpBatchAddon>;
    return typeof m.send === 'function' && typeof m.maxBatch === 'number' ? m as UdpBatchAddon : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The descriptor of a bound dgram socket, or -1. Node keeps its libuv handle behind a symbol
 * ('state symbol'); the handle's `fd` getter is public on Unix. Anything unexpected gives -1 (no batching).
 */
export function socketFd(socket: Socket): number {
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const state = sym ? (socket as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[sym] : undefined;
  const fd = state?.handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : -1;
}
