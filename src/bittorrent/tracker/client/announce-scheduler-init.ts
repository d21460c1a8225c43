/**
 * What the announce scheduler (scheduler.ts) is given and reports: its targets, its settings and
 * the result of each announce, with the defaults it applies.
 */
import type { AnnounceEvent } from '../codec/types.ts';
import type { Announcer } from './announcer.ts';
import type { PresentedAnnounce } from './presented-announce.ts';

export interface AnnounceTarget { infoHash: Uint8Array; trackers: readonly string[] }

export interface AnnounceResult {
  infoHash: Uint8Array; tracker: string; event: AnnounceEvent; ok: boolean; error?: string; interval?: number; peers?: number;
}

export interface AnnounceSchedulerInit {
  peerId: Uint8Array;
  port: number;
  /** Lower clamp on the tracker's interval (default 60 s); the lab uses small intervals. */
  minIntervalMs?: number;
  /** Upper clamp on the tracker's interval (default 1 h). */
  maxIntervalMs?: number;
  /** First retry delay after a failure, doubled per failure up to maxIntervalMs (default min(15 s, minIntervalMs)). */
  backoffBaseMs?: number;
  maxConcurrent?: number;
  numWant?: number;
  /** Our uploaded counter per torrent for the announce. */
  uploaded?(infoHash: Uint8Array): number;
  onResult?(r: AnnounceResult): void;
  /** Binds HTTP and UDP sockets to the seeder's address; an IPv6 one announces over IPv6 (AAAA for host names). */
  localAddress?: string;
  /** BEP 7: our IPv6 address, told to HTTP trackers we announce to over IPv4 (`ipv6=`). */
  ipv6?: string;
  /** Per-try UDP timeouts (see UdpTrackerClient). */
  udpTimeoutsMs?: readonly number[];
  httpTimeoutMs?: number;
  /** Replaces the built-in HTTP/UDP announcer (tests, instrumentation). */
  announce?: Announcer;
  /** HTTP announces as this client writes them (issue 10 item 3). */
  presented?: PresentedAnnounce;
}

export const DEFAULT_MAX_CONCURRENT = 16;
export const DEFAULT_STOP_DEADLINE_MS = 5_000;
/** Distinct tracker URLs one scheduler announces to: an operator lists a handful; the bound keeps job columns small. */
export const MAX_TRACKERS = 32;
