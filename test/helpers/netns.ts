/**
 * Guards and address plan for tests that run real BitTorrent clients.
 * They must run inside the namespace made by scripts/netns-run.sh: only `lo`,
 * with 198.18.0.1..40/32 (RFC 2544 benchmarking range) added to it.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

export class NotIsolatedError extends Error {
  override name = 'NotIsolatedError';
}

/**
 * Who gets which address. Seeder and tracker share one: counterseed runs both,
 * and a seeder must accept peers on the address its announce came from.
 * Each client has its own, because clients keep one peer entry per IP and
 * Transmission 3.00 drops 127.x peers that a tracker returns.
 */
const ADDRESSES = {
  seeder: '198.18.0.2',
  tracker: '198.18.0.2',
  /** The libtorrent reference seeder (test/helpers/lt_seed.py) and its tracker. */
  'reference-seeder': '198.18.0.3',
  'reference-tracker': '198.18.0.3',
  transmission: '198.18.0.11',
  aria2: '198.18.0.12',
  libtorrent: '198.18.0.13',
  /** Source and target of capture-readiness probes (test/helpers/capture.ts); nothing listens there. */
  'capture-probe': '198.18.0.40',
} as const;

export type Role = keyof typeof ADDRESSES;

export function addressFor(role: Role): string {
  return ADDRESSES[role];
}

/**
 * The IPv6 address of a role (issue 10 item 2): 2001:db8::N for the role's 198.18.0.N (RFC 3849
 * documentation prefix; scripts/netns-run.sh adds 2001:db8::1..40 to lo).
 */
export function address6For(role: Role): string {
  return `2001:db8::${ADDRESSES[role].split('.')[3]}`;
}

/** Why IPv6 tests cannot run here (the kernel has IPv6 off, or the addresses are missing), or null. */
export function ipv6Problem(): string | null {
  const lo = networkInterfaces()['lo'] ?? [];
  for (const role of ['seeder', 'transmission', 'aria2', 'libtorrent'] as const) {
    const ip = address6For(role);
    if (!lo.some((a) => a.family === 'IPv6' && a.address === ip)) return `${ip} (${role}) is not assigned to lo`;
  }
  return null;
}

/** Further client addresses for tests that need many: n in 1..20 gives 198.18.0.(20+n). */
export function extraClientAddress(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new RangeError(`extra client index must be 1..20, got ${n}`);
  return `198.18.0.${20 + n}`;
}

/** Interface names of the current network namespace (/proc/net is per-namespace; /sys/class/net is not). */
export function namespaceInterfaces(): string[] {
  const lines = readFileSync('/proc/net/dev', 'latin1').split('\n').slice(2);
  return lines.map((l) => l.split(':')[0]?.trim() ?? '').filter((n) => n.length > 0);
}

/** Why the process is not isolated, or null when it is. */
export function isolationProblem(): string | null {
  const ifaces = namespaceInterfaces();
  const foreign = ifaces.filter((n) => n !== 'lo');
  if (foreign.length > 0) return `interfaces other than lo are present: ${foreign.join(', ')}`;
  const lo = networkInterfaces()['lo'] ?? [];
  for (const role of ['seeder', 'transmission', 'aria2', 'libtorrent', 'reference-seeder'] as const) {
    const ip = ADDRESSES[role];
    if (!lo.some((a) => a.address === ip)) return `${ip} (${role}) is not assigned to lo`;
  }
  return null;
}

/** Fails fast unless inside the namespace made by scripts/netns-run.sh. */
export function assertIsolated(): void {
  const problem = isolationProblem();
  if (problem !== null) {
    throw new NotIsolatedError(
      `refusing to run real BitTorrent clients outside an isolated network namespace (${problem}); ` +
        'run: scripts/netns-run.sh node --test --test-concurrency=1 test/interop/',
    );
  }
}
